"""The catalogue index in memory: rebuilt when the catalogue changes, its version read once."""

from __future__ import annotations

from datetime import timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import event, update

from colbot.app import Colbot
from colbot.explore.recommend import Recommender
from colbot.storage.models import Opportunity


async def test_a_changed_catalogue_is_rebuilt_reading_its_version_once(colbot: Colbot) -> None:
    recommender = Recommender(ZoneInfo("Europe/London"), {})
    version_reads: list[str] = []

    @event.listens_for(colbot.database.engine.sync_engine, "before_cursor_execute")
    def seen(*args: Any) -> None:
        if "max(opportunities.updated_at)" in args[2]:
            version_reads.append(args[2])

    now = colbot.clock.now()
    async with colbot.database.transaction() as session:
        first = await recommender.index(session, now)
        assert await recommender.index(session, now) is first, "fresh: not checked again"
    assert len(version_reads) == 1, "the first build reads the version once"

    async with colbot.database.transaction() as session:
        await session.execute(update(Opportunity).values(updated_at=now + timedelta(minutes=1)))
    recommender.invalidate()
    async with colbot.database.transaction() as session:
        rebuilt = await recommender.index(session, now)
    assert rebuilt is not first and rebuilt.version != first.version
    assert len(version_reads) == 2, "the check's version serves the rebuild"

    recommender.invalidate()
    async with colbot.database.transaction() as session:
        assert await recommender.index(session, now) is rebuilt, "unchanged: kept"
    assert len(version_reads) == 3
