"""Counts for the dashboard's funnel (recommended, saved, reminded), kept per day without names."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from colbot.storage.models import CardShown, FunnelCount, Reminder
from colbot.storage.upsert import dialect_insert

RECOMMENDED = "recommended"
SAVED = "saved"
REMINDED = "reminded"


async def count(
    session: AsyncSession, stage: str, opportunity_ids: Iterable[int], now: datetime, tz: ZoneInfo
) -> None:
    """Adds one to the day's count of a stage for each opportunity, in the caller's session."""
    ids = sorted(set(opportunity_ids))
    if not ids:
        return
    day = now.astimezone(tz).date()
    # One statement for every card of a page: each id once, so no row is met twice.
    statement = dialect_insert(session)(FunnelCount).values(
        [{"day": day, "opportunity_id": i, "stage": stage, "count": 1} for i in ids]
    )
    await session.execute(
        statement.on_conflict_do_update(
            index_elements=[FunnelCount.day, FunnelCount.opportunity_id, FunnelCount.stage],
            set_={"count": FunnelCount.count + 1},
        )
    )


async def first_shown(
    session: AsyncSession, person_id: int, opportunity_ids: Iterable[int]
) -> set[int]:
    """The opportunities a young person is shown for the first time: a recommendation counts
    once per young person and opportunity."""
    ids = set(opportunity_ids)
    seen = await session.scalars(
        select(CardShown.opportunity_id).where(
            CardShown.young_person_id == person_id, CardShown.opportunity_id.in_(ids)
        )
    )
    return ids - set(seen)


async def is_first_reminder(session: AsyncSession, person_id: int, opportunity_id: int) -> bool:
    """Whether this is a young person's first "Remind me" for an opportunity, even after a
    cancel: it counts once."""
    before = await session.scalar(
        select(Reminder.id)
        .where(Reminder.young_person_id == person_id, Reminder.opportunity_id == opportunity_id)
        .limit(1)
    )
    return before is None
