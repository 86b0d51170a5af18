"""The opportunity catalogue: partners and opportunities, written as idempotent upserts."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from colbot.domain.timing import Timing
from colbot.storage.models import Opportunity, OpportunityPassion, Partner

SCHEDULED = "scheduled"
CANCELLED = "cancelled"
POSTPONED = "postponed"
DELETED = "deleted"


@dataclass(frozen=True)
class OpportunityFields:
    """Everything the catalogue keeps about one opportunity, whatever the source."""

    source_id: str
    title: str
    description: str
    passions: tuple[str, ...]
    starts_at: datetime
    ends_at: datetime
    venue: str
    address: str
    postcode: str
    area_id: str | None
    latitude: float | None
    longitude: float | None
    min_age: int
    max_age: int
    cost_pence: int
    learning_hours: float
    capacity: int | None
    url: str | None
    badge_class_id: str | None
    timing: Timing = Timing.SESSION
    status: str = SCHEDULED
    is_full: bool = False
    # Every offer with its age band, {"min_age", "max_age", "price_pence"}; empty from CSV and
    # calendars, where cost_pence is the price for everyone (colbot.domain.prices).
    offers: tuple[dict[str, Any], ...] = ()
    series_key: str | None = None


def withdrawal(source_id: str, status: str) -> OpportunityFields:
    """What a feed says of a session it calls off: only its id and why; its details are kept."""
    moment = datetime.min.replace(tzinfo=UTC)
    return OpportunityFields(
        source_id, "", "", (), moment, moment, "", "", "", None, None, None, 0, 0, 0, 0.0,
        None, None, None, status=status,
    )  # fmt: skip


def slugify(name: str) -> str:
    """A URL-safe id made from a name."""
    return re.sub(r"[^a-z0-9]+", "-", name.casefold()).strip("-")[:64] or "partner"


async def find_partner(session: AsyncSession, name_or_slug: str) -> Partner | None:
    """A partner by slug or by name, ignoring case."""
    return await session.scalar(
        select(Partner).where(
            (Partner.slug == name_or_slug) | (func.lower(Partner.name) == name_or_slug.casefold())
        )
    )


async def upsert_partner(
    session: AsyncSession,
    name: str,
    now: datetime,
    slug: str | None = None,
    **details: str | None,
) -> Partner:
    """Creates a partner or updates its details; the slug never changes once made."""
    partner = await find_partner(session, slug or name)
    if partner is None:
        partner = await find_partner(session, name)
    if partner is None:
        partner = Partner(slug=slug or slugify(name), name=name, created_at=now)
        session.add(partner)
    partner.name = name
    for key, value in details.items():
        if value is not None:
            setattr(partner, key, value)
    await session.flush()
    return partner


async def upsert_opportunity(
    session: AsyncSession, partner: Partner, fields: OpportunityFields, now: datetime
) -> tuple[Opportunity | None, bool]:
    """Creates or updates an opportunity by the source's id within its partner.

    A withdrawn session (cancelled, postponed, deleted) is never created, and one already known
    is kept with its new status, for those who saved it or were reminded of it.
    """
    opportunity = await session.scalar(
        select(Opportunity).where(
            Opportunity.partner_id == partner.id, Opportunity.source_id == fields.source_id
        )
    )
    created = opportunity is None
    if fields.status != SCHEDULED:
        # Withdrawn: a session colbot never showed is not made; one it did keeps its details.
        if opportunity is None or opportunity.status == fields.status:
            return opportunity, False
        opportunity.status = fields.status
        opportunity.updated_at = now
        await session.flush()
        return opportunity, True
    if opportunity is None:
        opportunity = Opportunity(partner_id=partner.id, source_id=fields.source_id, created_at=now)
        session.add(opportunity)
    changed = created
    for name in OpportunityFields.__dataclass_fields__:
        if name in {"source_id", "passions"}:
            continue
        value = getattr(fields, name)
        if name == "offers":
            value = [dict(offer) for offer in value]  # stored as a JSON list
        if getattr(opportunity, name, None) != value:
            setattr(opportunity, name, value)
            changed = True
    current = sorted(p.passion_id for p in opportunity.passions) if not created else []
    wanted = sorted(set(fields.passions))
    if current != wanted:
        opportunity.passions = [OpportunityPassion(passion_id=p) for p in wanted]
        changed = True
    if changed:
        opportunity.updated_at = now
    await session.flush()
    return opportunity, changed


async def counts(session: AsyncSession) -> tuple[int, int]:
    """How many partners and opportunities there are."""
    partners = await session.scalar(select(func.count()).select_from(Partner)) or 0
    opportunities = await session.scalar(select(func.count()).select_from(Opportunity)) or 0
    return partners, opportunities
