"""Importing a catalogue file into the database, all or nothing; and listing the catalogue."""

from __future__ import annotations

import asyncio
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import datetime, tzinfo
from pathlib import Path

from rapidfuzz import fuzz, process
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from colbot.catalogue import store as catalogue
from colbot.catalogue.changes import SessionChanges
from colbot.catalogue.importers import ImportedOpportunity, ImportRefused, Problem, parse_file
from colbot.catalogue.store import SCHEDULED
from colbot.content.city import City
from colbot.content.passions import Passion
from colbot.domain.text import folded
from colbot.storage.database import Database
from colbot.storage.models import Opportunity, Partner

FUZZY_CUTOFF = 80
TITLE_WIDTH = 40
PARTNER_WIDTH = 28


@dataclass(frozen=True)
class ImportSummary:
    """What an import changed."""

    created: int = 0
    updated: int = 0
    unchanged: int = 0
    partners_created: int = 0
    withdrawn: int = 0

    def __str__(self) -> str:
        partners = "partner" if self.partners_created == 1 else "partners"
        text = (
            f"{self.created} created, {self.updated} updated, {self.unchanged} unchanged, "
            f"{self.partners_created} {partners} created"
        )
        return text + (f", {self.withdrawn} withdrawn" if self.withdrawn else "")


async def import_file(
    database: Database,
    path: Path | str,
    city: City,
    passions: Sequence[Passion],
    now: datetime,
    *,
    badge_ids: Collection[str] | None = None,
    new_partners: bool = False,
    changes: SessionChanges | None = None,
) -> ImportSummary:
    """Reads, checks and upserts a whole file in one transaction, or raises ImportRefused.

    Everything is checked before anything is written, and all of it is written in one
    transaction, so a refused file leaves the catalogue exactly as it was.
    """
    path = Path(path)
    data = await asyncio.to_thread(path.read_bytes)
    items = parse_file(data, path.name, city, passions, city.timezone, badge_ids=badge_ids, now=now)
    return await import_opportunities(
        database, items, now, new_partners=new_partners, changes=changes
    )


async def import_opportunities(
    database: Database,
    items: Sequence[ImportedOpportunity],
    now: datetime,
    *,
    new_partners: bool = False,
    changes: SessionChanges | None = None,
) -> ImportSummary:
    """Upserts parsed opportunities by source id within each partner.

    A partner colbot does not know is refused (with the nearest known name) unless
    `new_partners` says to create it. People who saved, or asked to be reminded of, a session
    that is now cancelled, postponed or moved are told, once, through `changes`.
    """
    created = updated = unchanged = withdrawn = 0
    async with database.transaction() as session:
        partners, partners_created = await _partners(session, items, now, new_partners)
        _refuse_clashes(items, partners)
        existing = await _existing(session, {p.id for p in partners.values()})
        for item in items:
            partner = partners[folded(item.partner)]
            before = existing.get((partner.id, item.fields.source_id))
            opportunity, changed = await catalogue.upsert_opportunity(
                session, partner, item.fields, now
            )
            if opportunity is None:
                continue  # withdrawn before colbot knew it: nothing to keep
            if before is None:
                created += 1
            elif not changed:
                unchanged += 1
            elif opportunity.status != SCHEDULED and before[0] == SCHEDULED:
                withdrawn += 1
            else:
                updated += 1
            if before is not None and changes is not None:
                await changes.tell(session, opportunity, before[0], before[1], now)
    return ImportSummary(created, updated, unchanged, partners_created, withdrawn)


async def _partners(
    session: AsyncSession, items: Sequence[ImportedOpportunity], now: datetime, create: bool
) -> tuple[dict[str, Partner], int]:
    """The partner of each name (or slug) in the file; those that don't exist yet are created
    only when asked, since a typo would otherwise quietly make a second partner.

    An existing partner is left exactly as it is: "kensalfield-museum" or "kensalfield museum"
    in a file finds Kensalfield Museum without renaming it.
    """
    partners: dict[str, Partner] = {}
    problems: list[Problem] = []
    created = 0
    for item in items:
        key = folded(item.partner)
        if key in partners:
            continue
        partner = await catalogue.find_partner(session, item.partner)
        if partner is None and not create:
            problems.append(await _unknown_partner(session, item))
            partners[key] = Partner(name=item.partner)
            continue
        if partner is None:
            slug = await _free_slug(session, item.partner)
            partner = await catalogue.upsert_partner(session, item.partner, now, slug=slug)
            created += 1
        partners[key] = partner
    if problems:
        raise ImportRefused(problems)
    return partners, created


async def _unknown_partner(session: AsyncSession, item: ImportedOpportunity) -> Problem:
    """Says a partner is unknown, with the nearest known name, and how to add a new one."""
    names = list(await session.scalars(select(Partner.name)))
    best = process.extractOne(
        item.partner, names, scorer=fuzz.WRatio, processor=str.casefold, score_cutoff=FUZZY_CUTOFF
    )
    hint = f"did you mean {best[0]}? If" if best else "if"
    return Problem(
        item.where,
        "partner",
        f'there is no partner "{item.partner}"; {hint} it is a new partner, '
        "import again with --new-partner",
    )


async def _free_slug(session: AsyncSession, name: str) -> str:
    base = catalogue.slugify(name)
    slug, number = base, 1
    while await session.scalar(select(Partner.id).where(Partner.slug == slug)) is not None:
        number += 1
        slug = f"{base[:60]}-{number}"
    return slug


def _refuse_clashes(items: Sequence[ImportedOpportunity], partners: dict[str, Partner]) -> None:
    """Two spellings of one partner (its name and its slug) may not repeat an id between them."""
    seen: dict[tuple[int, str], str] = {}
    problems = []
    for item in items:
        key = (partners[folded(item.partner)].id, item.fields.source_id)
        if key in seen:
            problems.append(
                Problem(
                    item.where,
                    "id",
                    f'"{item.fields.source_id}" is already used for '
                    f"{partners[folded(item.partner)].name} at {seen[key]}",
                )
            )
        seen.setdefault(key, item.where)
    if problems:
        raise ImportRefused(problems)


async def _existing(
    session: AsyncSession, partner_ids: set[int]
) -> dict[tuple[int, str], tuple[str, datetime]]:
    """Each known opportunity's status and start, to see what an import changes."""
    rows = await session.execute(
        select(
            Opportunity.partner_id, Opportunity.source_id, Opportunity.status, Opportunity.starts_at
        ).where(Opportunity.partner_id.in_(partner_ids))
    )
    return {(p, source): (status, start) for p, source, status, start in rows.tuples()}


@dataclass(frozen=True)
class CatalogueLine:
    """One opportunity as `colbot opportunities list` shows it."""

    starts_at: datetime
    ends_at: datetime
    title: str
    partner: str
    passions: tuple[str, ...]
    min_age: int
    max_age: int
    cost_pence: int
    capacity: int | None


async def list_catalogue(
    database: Database, now: datetime, include_past: bool = False
) -> list[CatalogueLine]:
    """The catalogue, upcoming (or still running) first by start; then, if asked, past ones,
    the most recent first."""
    async with database.transaction() as session:
        rows = await session.execute(
            select(Opportunity, Partner.name)
            .join(Partner, Opportunity.partner_id == Partner.id)
            .where(Opportunity.status == SCHEDULED)
        )
        lines = [
            CatalogueLine(
                starts_at=opportunity.starts_at,
                ends_at=opportunity.ends_at,
                title=opportunity.title,
                partner=partner,
                passions=tuple(sorted(p.passion_id for p in opportunity.passions)),
                min_age=opportunity.min_age,
                max_age=opportunity.max_age,
                cost_pence=opportunity.cost_pence,
                capacity=opportunity.capacity,
            )
            for opportunity, partner in rows.tuples()
        ]
    upcoming = sorted((x for x in lines if x.ends_at > now), key=lambda x: (x.starts_at, x.title))
    past = sorted((x for x in lines if x.ends_at <= now), key=lambda x: x.starts_at, reverse=True)
    return upcoming + past if include_past else upcoming


def format_catalogue(lines: Sequence[CatalogueLine], timezone: tzinfo) -> str:
    """A plain-text table, one opportunity a line."""
    header = ("When", "Title", "Partner", "Passions", "Ages", "Cost", "Places")
    table = [header] + [
        (
            _when(line.starts_at.astimezone(timezone)),
            _cut(line.title, TITLE_WIDTH),
            _cut(line.partner, PARTNER_WIDTH),
            ", ".join(line.passions),
            f"{line.min_age}-{line.max_age}",
            "free" if line.cost_pence == 0 else f"£{line.cost_pence / 100:.2f}",
            "no limit" if line.capacity is None else str(line.capacity),
        )
        for line in lines
    ]
    widths = [max(len(row[i]) for row in table) for i in range(len(header))]
    text = [
        "  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip()
        for row in table
    ]
    text.insert(1, "  ".join("-" * width for width in widths))
    count = len(lines)
    text.append(f"{count} opportunit{'y' if count == 1 else 'ies'}")
    return "\n".join(text)


def _when(moment: datetime) -> str:
    return f"{moment:%a} {moment.day} {moment:%b %Y %H:%M}"


def _cut(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 1].rstrip() + "…"
