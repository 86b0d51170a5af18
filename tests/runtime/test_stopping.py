"""Stopping colbot: jobs in flight finish, sends in flight are confirmed, nothing is sent twice."""

from __future__ import annotations

import asyncio
from collections import Counter
from pathlib import Path

from sqlalchemy import select

from colbot.app import build_app
from colbot.chat.messages import Outbound
from colbot.clock import FrozenClock
from colbot.delivery import drainer, outbox
from colbot.settings import Settings
from colbot.storage.database import Database
from colbot.storage.models import OutboxMessage
from tests.support.demo import TEST_NOW, copy_demo


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


async def test_a_stopping_drain_finishes_its_sends_and_gives_back_the_rest(
    database: Database,
) -> None:
    messages = 200
    async with database.transaction() as session:
        for n in range(messages):
            await outbox.enqueue(session, "test", f"chat{n}", f"hello {n}", f"key-{n}", TEST_NOW)
    sent: Counter[str] = Counter()
    some_sent = asyncio.Event()

    async def sender(chat_id: str, outbound: Outbound) -> None:
        await asyncio.sleep(0.01)
        sent[chat_id] += 1
        if len(sent) >= 5:
            some_sent.set()

    stopping = drainer.OutboxDrainer(database, FrozenClock(TEST_NOW), rate=0, per_chat_gap_s=0.0)
    stopping.add_sender("test", sender)
    drain = asyncio.create_task(stopping.drain())
    await asyncio.wait_for(some_sent.wait(), timeout=10)
    stopping.stop_soon()
    first = await asyncio.wait_for(drain, timeout=5)
    assert 5 <= first < messages and first == sum(sent.values())
    async with database.reading() as session:
        left = (
            await session.execute(
                select(OutboxMessage.claimed_at, OutboxMessage.attempts).where(
                    OutboxMessage.status == outbox.PENDING
                )
            )
        ).all()
    assert len(left) == messages - first
    assert all(claimed is None and attempts == 0 for claimed, attempts in left)

    restarted = drainer.OutboxDrainer(database, FrozenClock(TEST_NOW), rate=0, per_chat_gap_s=0.0)
    restarted.add_sender("test", sender)
    assert await restarted.drain() == messages - first
    assert len(sent) == messages and set(sent.values()) == {1}
