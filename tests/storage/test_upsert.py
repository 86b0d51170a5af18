"""Upserts run on every update, compiled once: the same answers, and SQLAlchemy's cache reused."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

from sqlalchemy import event, select
from sqlalchemy.dialects import sqlite

from colbot.delivery.update_ids import TAKE_IN, take_in
from colbot.storage.database import Database
from colbot.storage.models import Base, TelegramUpdate
from tests.support.demo import TEST_NOW

HOLD = ("conversation", "telegram", "5")


async def test_an_update_id_is_taken_once_and_compiled_once(tmp_path: Path) -> None:
    database = Database(f"sqlite+aiosqlite:///{tmp_path / 'colbot.sqlite3'}")
    async with database.engine.begin() as connection:
        await connection.run_sync(Base.metadata.create_all)
    compiled: list[bool] = []

    @event.listens_for(database.engine.sync_engine, "after_cursor_execute")
    def seen(*args: Any) -> None:
        context = args[4]
        if "telegram_updates" in args[2]:
            compiled.append(context.cache_hit != context.cache_hit.CACHE_HIT)

    try:
        async with database.transaction() as session:
            assert await take_in(session, 1, TEST_NOW, HOLD)
            assert not await take_in(session, 1, TEST_NOW, HOLD), "the second time it was taken"
            assert await take_in(session, 2, TEST_NOW, HOLD)
        assert compiled == [True, False, False], "compiled the first time only"
        async with database.reading() as session:
            received = await session.scalar(
                select(TelegramUpdate.received_at).where(TelegramUpdate.update_id == 2)
            )
        assert received == TEST_NOW, "its type still converts"
    finally:
        await database.engine.dispose()


def test_the_dialects_own_upsert_has_no_cache_key_and_the_compiled_one_has() -> None:
    # Why CompiledOnce exists: were SQLAlchemy to cache these itself, it could go.
    statement = TAKE_IN.builds["sqlite"](sqlite.insert)
    assert statement._generate_cache_key() is None
    assert TAKE_IN._compiled("sqlite")._generate_cache_key() is not None


async def test_taking_an_update_waits_for_whoever_holds_its_chat(database: Database) -> None:
    holding = asyncio.Event()
    release = asyncio.Event()

    async def first_process() -> None:
        async with database.transaction() as session:
            await database.hold(session, *HOLD)
            assert await take_in(session, 9, TEST_NOW, HOLD), "re-entrant: its own lock"
            holding.set()
            await release.wait()

    async def second_process() -> bool:
        await holding.wait()
        other = Database(database.url)
        try:
            async with other.transaction() as session:
                return await take_in(session, 9, TEST_NOW, HOLD)
        finally:
            await other.dispose()

    first = asyncio.create_task(first_process())
    second = asyncio.create_task(second_process())
    await asyncio.wait(
        [first, asyncio.create_task(holding.wait())],
        timeout=10,
        return_when=asyncio.FIRST_COMPLETED,
    )
    if first.done():
        await first  # it failed before holding: its error, not a hang
    await asyncio.sleep(0.3)
    assert not second.done(), "waits while the chat is held"
    release.set()
    await first
    assert not await asyncio.wait_for(second, 10), "sees the id committed while it waited"
