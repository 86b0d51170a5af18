"""Stopping colbot lets a scheduled job in flight finish before the database goes away."""

from __future__ import annotations

import asyncio
from pathlib import Path

from sqlalchemy import select

from colbot.app import build_app
from colbot.clock import FrozenClock
from colbot.settings import Settings
from tests.conftest import copy_demo


async def test_stopping_colbot_lets_a_drain_in_flight_finish(
    settings: Settings, clock: FrozenClock, demo_database: Path
) -> None:
    copy_demo(settings.data_dir, demo_database)
    app = build_app(settings, clock=clock)
    started = asyncio.Event()
    finished: list[int] = []

    async def slow_drain() -> None:
        started.set()
        await asyncio.sleep(0.3)
        async with app.database.reading() as session:
            finished.append(int(await session.scalar(select(1)) or 0))

    app.outbox.drain_unless_draining = slow_drain  # type: ignore[method-assign]
    await app.start()
    try:
        await asyncio.wait_for(started.wait(), timeout=10)
    finally:
        await app.stop()
    assert finished == [1]
