"""Following partners' feeds: OpenActive RPDE harvested page by page, and calendar URLs.

RPDE harvesting as OpenActive's guidance has it: read a page, apply its items, follow `next`
until a page comes back empty, and keep that last `next` (its afterTimestamp/afterId or
afterChangeNumber) to resume from on the next poll. Every item's latest state is kept, so a
`deleted` item on any page withdraws what it gave, an older `modified` never overwrites a newer
one, and a ScheduledSession seen before its SessionSeries (a split feed, in either order) waits
for it. A feed that is broken, stalled or empty changes nothing: only deletions and
cancellations withdraw.
"""

from __future__ import annotations

import json
import logging
import random
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

import aiohttp
from rapidfuzz import fuzz, process
from sqlalchemy import or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from colbot.catalogue import store as catalogue
from colbot.catalogue.changes import SessionChanges
from colbot.catalogue.fetch import (
    NO_INTERNAL,
    FetchRefused,
    RetryLater,
    feed_client,
    fetch,
    refusal,
)
from colbot.catalogue.importers import ImportedOpportunity, ImportRefused, parse_ics
from colbot.catalogue.importers.openactive import parse_openactive
from colbot.catalogue.imports import FUZZY_CUTOFF, ImportSummary, import_opportunities
from colbot.content.city import City
from colbot.content.passions import Passion
from colbot.domain.internal_hosts import InternalHosts
from colbot.storage.database import Database
from colbot.storage.models import Feed, FeedItem, Partner

log = logging.getLogger(__name__)

MAX_PAGES_PER_POLL = 1000
MAX_BACK_OFF = timedelta(hours=24)
SERIES = "SessionSeries"


class FeedError(Exception):
    """A feed that cannot be followed, said for the city team."""


@dataclass(frozen=True)
class Harvester:
    """What polling needs: the catalogue's city and passions, who to tell, and the rules."""

    database: Database
    city: City
    passions: Sequence[Passion]
    changes: SessionChanges | None
    interval: timedelta
    allow_private: bool = False
    # COLBOT_INTERNAL_HOSTS: never read, even where private addresses are allowed.
    internal: InternalHosts = field(default_factory=InternalHosts)


class PartnerUnknown(FeedError):
    """A feed's partner that is not in the catalogue, with the nearest known name, if any."""

    def __init__(self, name: str, guess: str | None) -> None:
        hint = f"did you mean {guess}? If not, " if guess else ""
        super().__init__(f'there is no partner "{name}"; {hint}add the partner first')
        self.name = name
        self.guess = guess


async def follow(
    database: Database,
    url: str,
    partner_name: str,
    now: datetime,
    *,
    allow_private: bool,
    internal: InternalHosts = NO_INTERNAL,
) -> Feed:
    """Adds a feed (an RPDE feed, or a calendar if its address or name says .ics) for a partner."""
    async with database.transaction() as session:
        return await follow_in(
            session, url, partner_name, now, allow_private=allow_private, internal=internal
        )


async def follow_in(
    session: AsyncSession,
    url: str,
    partner_name: str,
    now: datetime,
    *,
    allow_private: bool,
    internal: InternalHosts = NO_INTERNAL,
) -> Feed:
    """follow, in a transaction already open (the chat's turn)."""
    why = refusal(url, allow_private, internal)
    if why is not None:
        raise FeedError(why)
    partner = await catalogue.find_partner(session, partner_name)
    if partner is None:
        names = list(await session.scalars(select(Partner.name)))
        best = process.extractOne(
            partner_name,
            names,
            scorer=fuzz.WRatio,
            processor=str.casefold,
            score_cutoff=FUZZY_CUTOFF,
        )
        raise PartnerUnknown(partner_name, best[0] if best else None)
    feed = await session.scalar(select(Feed).where(Feed.url == url))
    if feed is None:
        kind = "ics" if _looks_like_calendar(url) else "rpde"
        feed = Feed(url=url, partner_id=partner.id, kind=kind, created_at=now, next_poll_at=now)
        session.add(feed)
    feed.partner_id = partner.id
    await session.flush()
    return feed


def _looks_like_calendar(url: str) -> bool:
    path = url.split("?", 1)[0].lower()
    return path.endswith((".ics", ".ical")) or "/calendar/ical/" in path or "webcal" in url


@dataclass(frozen=True)
class FeedLine:
    """One followed feed as `colbot opportunities feeds` shows it."""

    url: str
    partner: str
    kind: str
    position: str | None
    last_success_at: datetime | None
    last_error: str | None
    items: int
    opportunities: int


async def list_feeds(database: Database) -> list[FeedLine]:
    """Every followed feed, with its position, last success, last error and counts."""
    async with database.transaction() as session:
        return await feed_lines(session)


async def feed_lines(session: AsyncSession) -> list[FeedLine]:
    """list_feeds, in a transaction already open (the chat's turn)."""
    rows = (
        await session.execute(
            select(Feed, Partner.name).join(Partner).order_by(Partner.name, Feed.url)
        )
    ).tuples()
    lines = []
    for feed, partner in rows:
        items = list(await session.scalars(select(FeedItem).where(FeedItem.feed_id == feed.id)))
        made = {sid for item in items for sid in item.source_ids}
        lines.append(
            FeedLine(
                feed.url,
                partner,
                feed.kind,
                feed.position,
                feed.last_success_at,
                feed.last_error,
                feed.items_seen,
                len(made),
            )
        )
    return lines


async def poll_due(harvester: Harvester, now: datetime, url: str | None = None) -> dict[str, str]:
    """Polls every feed that is due (or every feed, or the one at url, when asked)."""
    async with harvester.database.transaction() as session:
        query = select(Feed.id, Feed.url)
        if url is not None:
            query = query.where(Feed.url == url)
        feeds = (await session.execute(query.order_by(Feed.id))).tuples().all()
    outcomes = {}
    async with feed_client(harvester.allow_private, harvester.internal) as client:
        for feed_id, feed_url in feeds:
            outcomes[feed_url] = await poll_feed(harvester, client, feed_id, now)
    return outcomes


async def poll_due_now(harvester: Harvester, now: datetime) -> None:
    """The scheduled job: polls the feeds whose time has come."""
    async with harvester.database.transaction() as session:
        due = (
            await session.scalars(
                select(Feed.id).where(or_(Feed.next_poll_at.is_(None), Feed.next_poll_at <= now))
            )
        ).all()
    if not due:
        return
    async with feed_client(harvester.allow_private, harvester.internal) as client:
        for feed_id in due:
            await poll_feed(harvester, client, feed_id, now)


async def poll_feed(
    harvester: Harvester, client: aiohttp.ClientSession, feed_id: int, now: datetime
) -> str:
    """Reads one feed from its position; says what changed, or what went wrong."""
    async with harvester.database.transaction() as session:
        feed = await session.get(Feed, feed_id)
        assert feed is not None
        partner = await session.get(Partner, feed.partner_id)
        assert partner is not None
        state = (feed.kind, feed.url, feed.position, feed.etag, feed.last_modified, feed.failures)
        partner_name = partner.name
    kind, url, position, etag, last_modified, failures = state
    try:
        if kind == "ics":
            outcome = await _poll_calendar(harvester, client, feed_id, url, partner_name, now)
        else:
            outcome = await _poll_rpde(
                harvester, client, feed_id, position or url, partner_name, now
            )
    except (FetchRefused, FeedError) as exc:
        wait = _back_off(harvester.interval, failures + 1)
        if isinstance(exc, RetryLater):
            wait = max(wait, timedelta(seconds=exc.seconds))
        async with harvester.database.transaction() as session:
            feed = await session.get(Feed, feed_id)
            assert feed is not None
            feed.failures += 1
            feed.last_error = str(exc)
            feed.last_error_at = now
            feed.next_poll_at = now + wait
        log.warning("feed %s: %s (next try in %s)", url, exc, wait)
        return f"error: {exc}"
    del etag, last_modified
    async with harvester.database.transaction() as session:
        feed = await session.get(Feed, feed_id)
        assert feed is not None
        feed.failures = 0
        feed.last_success_at = now
        feed.next_poll_at = now + _jittered(harvester.interval)
    return outcome


def _back_off(interval: timedelta, failures: int) -> timedelta:
    return min(interval * 2 ** min(failures, 16), MAX_BACK_OFF)


def _jittered(interval: timedelta) -> timedelta:
    # Many cities polling one provider on the hour would all arrive at once.
    return interval * (0.9 + 0.2 * random.random())  # noqa: S311 - not a secret


async def _poll_rpde(
    harvester: Harvester,
    client: aiohttp.ClientSession,
    feed_id: int,
    start: str,
    partner: str,
    now: datetime,
) -> str:
    """Follows `next` from the stored position to the last page, applying each page."""
    url = start
    total = ImportSummary()
    pages = 0
    async with harvester.database.transaction() as session:
        feed = await session.get(Feed, feed_id)
        assert feed is not None
        etag, last_modified = feed.etag, feed.last_modified
    while pages < MAX_PAGES_PER_POLL:
        page = await fetch(
            client,
            url,
            allow_private=harvester.allow_private,
            internal=harvester.internal,
            etag=etag if url == start else None,
            last_modified=last_modified if url == start else None,
        )
        pages += 1
        if page.status == 304:
            break
        items, next_url = _rpde_page(page.body, url)
        summary = await _apply(harvester, feed_id, partner, items, now)
        total = _added(total, summary)
        async with harvester.database.transaction() as session:
            feed = await session.get(Feed, feed_id)
            assert feed is not None
            feed.items_seen += len(items)
            feed.position = next_url
            if not items or next_url == url:
                feed.etag, feed.last_modified = page.etag, page.last_modified
        if not items or next_url == url:
            break
        url = next_url
    return f"{pages} page{'s' if pages != 1 else ''} read: {total}"


def _added(a: ImportSummary, b: ImportSummary) -> ImportSummary:
    return ImportSummary(
        a.created + b.created,
        a.updated + b.updated,
        a.unchanged + b.unchanged,
        a.partners_created + b.partners_created,
        a.withdrawn + b.withdrawn,
    )


def _rpde_page(body: bytes, url: str) -> tuple[list[dict[str, Any]], str]:
    try:
        page = json.loads(body)
    except ValueError as exc:
        raise FeedError(f"{url} is not JSON: {exc}") from None
    items = page.get("items") if isinstance(page, dict) else None
    next_url = page.get("next") if isinstance(page, dict) else None
    if not isinstance(items, list) or not isinstance(next_url, str) or not next_url:
        raise FeedError(f'{url} is not an RPDE page: {{"items": [...], "next": "..."}}')
    return [i for i in items if isinstance(i, dict)], next_url


def _newer(modified: Any, stored: str) -> bool:
    """Whether an item's `modified` is after the one kept (numbers as numbers)."""
    text = str(modified)
    if text.lstrip("-").isdigit() and stored.lstrip("-").isdigit():
        return int(text) > int(stored)
    return text > stored


def _parent(data: dict[str, Any]) -> str | None:
    parent = data.get("superEvent") or data.get("superEventId")
    if isinstance(parent, dict):
        return None  # embedded: the session carries its own series
    return str(parent) if parent else None


async def _apply(
    harvester: Harvester,
    feed_id: int,
    partner: str,
    items: list[dict[str, Any]],
    now: datetime,
) -> ImportSummary:
    """Keeps each item's newest state, then rebuilds the opportunities those items touch."""
    async with harvester.database.transaction() as session:
        feed = await session.get(Feed, feed_id)
        assert feed is not None
        touched: dict[int, FeedItem] = {}
        for raw in items:
            item_id, kind = str(raw.get("id", "")), str(raw.get("kind", ""))
            if not item_id or not kind:
                continue
            row = await session.scalar(
                select(FeedItem).where(
                    FeedItem.feed_id == feed_id, FeedItem.kind == kind, FeedItem.item_id == item_id
                )
            )
            modified = raw.get("modified", "")
            if row is not None and not _newer(modified, row.modified):
                continue  # an older change, seen after a newer one
            data = raw.get("data") if raw.get("state") == "updated" else None
            if row is None:
                row = FeedItem(
                    feed_id=feed_id, partner_id=feed.partner_id, kind=kind, item_id=item_id
                )
                session.add(row)
            row.modified = str(modified)
            row.state = "updated" if isinstance(data, dict) else "deleted"
            row.data = data if isinstance(data, dict) else None
            if isinstance(data, dict):
                row.ref = str(data.get("@id") or data.get("id") or item_id)
                row.parent = _parent(data)
            await session.flush()
            touched[row.id] = row
        groups = await _groups(session, feed.partner_id, list(touched.values()))
        withdrawals: list[ImportedOpportunity] = []
        imported: list[ImportedOpportunity] = []
        for series, sessions in groups:
            deleted = [
                row for row in (series, *sessions) if row is not None and row.state == "deleted"
            ]
            for row in deleted:
                withdrawals += [
                    ImportedOpportunity(partner, catalogue.withdrawal(sid, catalogue.DELETED))
                    for sid in row.source_ids
                ]
            if series is not None and series.state == "deleted":
                for row in sessions:
                    withdrawals += [
                        ImportedOpportunity(partner, catalogue.withdrawal(sid, catalogue.DELETED))
                        for sid in row.source_ids
                    ]
                continue
            live = [row for row in sessions if row.state == "updated"]
            if series is None and any(row.parent for row in live):
                continue  # sessions waiting for their series, kept until it arrives
            if series is not None and not live and not (series.data or {}).get("subEvent"):
                continue  # a series whose sessions have not come yet
            page = [
                {"state": "updated", "kind": row.kind, "id": row.item_id, "data": row.data}
                for row in ([series] if series is not None else []) + live
            ]
            if not page:
                continue
            try:
                read = parse_openactive(
                    json.dumps({"items": page, "next": ""}),
                    harvester.city,
                    harvester.passions,
                    harvester.city.timezone,
                )
            except ImportRefused as refused:
                first = refused.problems[0]
                log.warning(
                    "feed %s: %d problem(s), first: %s", feed.url, len(refused.problems), first
                )
                feed.last_error = f"{len(refused.problems)} item(s) not imported; first: {first}"
                feed.last_error_at = now
                continue
            by_ref = {row.ref: row for row in live}
            for item in read:
                owner = by_ref.get(item.fields.source_id) or _owner(live, item) or series
                if owner is not None and item.fields.source_id not in owner.source_ids:
                    owner.source_ids = [*owner.source_ids, item.fields.source_id]
                imported.append(ImportedOpportunity(partner, item.fields, item.where))
    everything = [*imported, *withdrawals]
    if not everything:
        return ImportSummary()
    return await import_opportunities(
        harvester.database, _last_each(everything), now, changes=harvester.changes
    )


def _owner(rows: list[FeedItem], item: ImportedOpportunity) -> FeedItem | None:
    data_ids = {
        row.item_id: row
        for row in rows
        if row.data and item.fields.source_id in {row.item_id, str(row.data.get("identifier"))}
    }
    return next(iter(data_ids.values()), None)


def _last_each(items: list[ImportedOpportunity]) -> list[ImportedOpportunity]:
    """One entry per source id, the last said winning (a withdrawal after an update)."""
    return list({item.fields.source_id: item for item in items}.values())


async def _groups(
    session: AsyncSession, partner_id: int, touched: list[FeedItem]
) -> list[tuple[FeedItem | None, list[FeedItem]]]:
    """Each touched series with all its sessions (from any of the partner's feeds), and each
    touched session with its series, if known yet."""
    groups: dict[str, tuple[FeedItem | None, list[FeedItem]]] = {}
    for row in touched:
        if row.kind == SERIES:
            names = [n for n in (row.ref, row.item_id) if n]
            sessions = list(
                await session.scalars(
                    select(FeedItem).where(
                        FeedItem.partner_id == partner_id, FeedItem.parent.in_(names)
                    )
                )
            )
            groups[f"series:{row.id}"] = (row, sessions)
            continue
        if row.parent is None:
            groups[f"alone:{row.id}"] = (None, [row])
            continue
        series = await session.scalar(
            select(FeedItem).where(
                FeedItem.partner_id == partner_id,
                FeedItem.kind == SERIES,
                or_(FeedItem.ref == row.parent, FeedItem.item_id == row.parent),
            )
        )
        key = f"series:{series.id}" if series is not None else f"waiting:{row.id}"
        if key in groups:
            if row not in groups[key][1]:
                groups[key][1].append(row)
            continue
        if series is None:
            groups[key] = (None, [row])
            continue
        others = list(
            await session.scalars(
                select(FeedItem).where(
                    FeedItem.partner_id == partner_id,
                    FeedItem.parent.in_([n for n in (series.ref, series.item_id) if n]),
                )
            )
        )
        groups[key] = (series, others)
    return list(groups.values())


async def _poll_calendar(
    harvester: Harvester,
    client: aiohttp.ClientSession,
    feed_id: int,
    url: str,
    partner: str,
    now: datetime,
) -> str:
    """Reads a calendar URL whole; only what it cancels is withdrawn.

    Its repeats are read over a window that rolls on with the days, so the first poll of each
    day reads it whole even if it has not changed, and adds the dates that came into the window.
    """
    async with harvester.database.transaction() as session:
        feed = await session.get(Feed, feed_id)
        assert feed is not None
        etag, last_modified = feed.etag, feed.last_modified
        read_today = feed.last_success_at is not None and feed.last_success_at.date() == now.date()
        if not read_today:
            etag, last_modified = None, None
    page = await fetch(
        client,
        url,
        allow_private=harvester.allow_private,
        internal=harvester.internal,
        etag=etag,
        last_modified=last_modified,
    )
    if page.status == 304:
        return "not changed"
    try:
        read = parse_ics(
            page.body, harvester.city, harvester.passions, harvester.city.timezone, now=now
        )
    except ImportRefused as refused:
        raise FeedError(
            f"{url}: {len(refused.problems)} problem(s); first: {refused.problems[0]}"
        ) from None
    items = [ImportedOpportunity(partner, item.fields, item.where) for item in read]
    summary = await import_opportunities(harvester.database, items, now, changes=harvester.changes)
    async with harvester.database.transaction() as session:
        feed = await session.get(Feed, feed_id)
        assert feed is not None
        feed.etag, feed.last_modified = page.etag, page.last_modified
        feed.items_seen = len(items)
    return str(summary)
