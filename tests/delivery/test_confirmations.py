"""A drain cut short (a timeout, a shutdown) while senders wait for their confirmation."""

from __future__ import annotations

import asyncio
from pathlib import Path

from colbot.clock import FrozenClock
from colbot.delivery.drainer import _Confirmer
from colbot.storage.database import Database
from colbot.storage.models import Base
from tests.support.demo import TEST_NOW


async def test_a_cancelled_sender_does_not_stop_the_writer(tmp_path: Path) -> None:
    database = Database(f"sqlite+aiosqlite:///{tmp_path / 'colbot.sqlite3'}")
    async with database.engine.begin() as connection:
        await connection.run_sync(Base.metadata.create_all)
    try:
        confirmer = _Confirmer(database, FrozenClock(TEST_NOW))
        writer = asyncio.create_task(confirmer.run())
        cancelled = confirmer.add(1)
        kept = confirmer.add(2)
        cancelled.cancel()  # its sender was cancelled with the drain
        confirmer.close()
        await writer  # once raised InvalidStateError, failing the drain's caller
        assert kept.done() and kept.exception() is None
    finally:
        await database.engine.dispose()
