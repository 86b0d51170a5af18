"""Notices between processes (PostgreSQL's LISTEN/NOTIFY): sent on commit, and a listener whose
connection is cut comes back by itself and catches up."""

from __future__ import annotations

import asyncio

import pytest
from sqlalchemy import text

from colbot.runtime import notices
from colbot.storage.database import Database
from tests.support import databases

pytestmark = pytest.mark.skipif(not databases.ON_POSTGRES, reason="LISTEN/NOTIFY is PostgreSQL's")

CHANNEL = "colbot_test_notices"
WAIT_S = 10.0


async def test_a_notice_goes_on_commit_only_and_a_cut_listener_comes_back(
    database: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(notices, "FIRST_RETRY_S", 0.05)
    heard: asyncio.Queue[str] = asyncio.Queue()
    catch_ups: asyncio.Queue[None] = asyncio.Queue()

    async def caught_up() -> None:
        await catch_ups.put(None)

    listener = notices.Listener(database.url, CHANNEL, heard.put_nowait, caught_up)
    listener.start()
    try:
        await asyncio.wait_for(catch_ups.get(), WAIT_S)
        with pytest.raises(RuntimeError):
            async with database.transaction() as session:
                await notices.announce(session, CHANNEL, "rolled back")
                raise RuntimeError("the transaction fails")
        async with database.transaction() as session:
            await notices.announce(session, CHANNEL, "kept")
        assert await asyncio.wait_for(heard.get(), WAIT_S) == "kept"

        async with database.transaction() as session:
            await session.execute(
                text(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                    "WHERE application_name = :name AND datname = current_database()"
                ),
                {"name": f"colbot listening on {CHANNEL}"},
            )
        await asyncio.wait_for(catch_ups.get(), WAIT_S + notices.CHECK_EVERY_S)
        async with database.transaction() as session:
            await notices.announce(session, CHANNEL, "after the cut")
        assert await asyncio.wait_for(heard.get(), WAIT_S) == "after the cut"
        assert heard.empty()
    finally:
        await listener.stop()
