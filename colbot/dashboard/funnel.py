"""Counts for the dashboard's funnel (recommended, saved, reminded), kept per day without names."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from colbot.storage.models import CardShown, FunnelCount, Reminder

RECOMMENDED = "recommended"
SAVED = "saved"
REMINDED = "reminded"


async def count(
    session: AsyncSession, stage: str, opportunity_ids: Iterable[int], now: datetime, tz: ZoneInfo
) -> None:
    """Adds one to the day's count of a stage for each opportunity, in the same transaction."""
    ids = sorted(set(opportunity_ids))
    if not ids:
        return
    day = now.astimezone(tz).date()
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    for opportunity_id in ids:
        statement = insert(FunnelCount).values(
            day=day, opportunity_id=opportunity_id, stage=stage, count=1
        )
        await session.execute(
            statement.on_conflict_do_update(
                index_elements=[FunnelCount.day, FunnelCount.opportunity_id, FunnelCount.stage],
                set_={"count": FunnelCount.count + 1},
            )
        )


async def count_first_shown(
    session: AsyncSession,
    person_id: int,
    opportunity_ids: Iterable[int],
    now: datetime,
    tz: ZoneInfo,
) -> None:
    """Counts a recommendation once per young person and opportunity: the first card shown."""
    ids = set(opportunity_ids)
    seen = await session.scalars(
        select(CardShown.opportunity_id).where(
            CardShown.young_person_id == person_id, CardShown.opportunity_id.in_(ids)
        )
    )
    await count(session, RECOMMENDED, ids - set(seen), now, tz)


async def count_first_reminder(
    session: AsyncSession, person_id: int, opportunity_id: int, now: datetime, tz: ZoneInfo
) -> None:
    """Counts "Remind me" once per young person and opportunity, even after a cancel."""
    before = await session.scalar(
        select(Reminder.id)
        .where(Reminder.young_person_id == person_id, Reminder.opportunity_id == opportunity_id)
        .limit(1)
    )
    if before is None:
        await count(session, REMINDED, [opportunity_id], now, tz)
