"""What several processes on one database share: updates taken once, leases, named locks."""

from __future__ import annotations

import asyncio
from collections import Counter
from datetime import UTC, datetime, timedelta

import pytest

from colbot.chat.messages import Outbound
from colbot.clock import FrozenClock
from colbot.delivery import outbox
from colbot.delivery import update_ids as updates
from colbot.delivery.drainer import OutboxDrainer
from colbot.runtime import leases
from colbot.runtime.presence import Presence
from colbot.storage.database import Database
from tests.support import databases

NOW = datetime(2026, 11, 28, 9, 30, tzinfo=UTC)


async def test_an_update_is_taken_once_even_when_it_comes_at_once_many_times(
    database: Database,
) -> None:
    taken = await asyncio.gather(*(updates.take(database, 7, NOW) for _ in range(20)))
    assert sorted(taken) == [False] * 19 + [True]
    assert not await updates.take(database, 7, NOW)
    await updates.give_back(database, 7)
    assert await updates.take(database, 7, NOW)


async def test_old_update_ids_are_forgotten(database: Database) -> None:
    await updates.take(database, 1, NOW - timedelta(days=3))
    await updates.take(database, 2, NOW)
    await updates.forget_old(database, NOW)
    assert await updates.take(database, 1, NOW)
    assert not await updates.take(database, 2, NOW)


async def test_a_lease_is_held_by_one_until_it_expires(database: Database) -> None:
    ttl = timedelta(minutes=2)
    won = await asyncio.gather(
        *(leases.take(database, "job:x", f"p{i}", NOW, ttl) for i in range(10))
    )
    assert won.count(True) == 1
    holder = f"p{won.index(True)}"
    other = "p-other"
    assert await leases.take(database, "job:x", holder, NOW + timedelta(minutes=1), ttl)
    assert not await leases.take(database, "job:x", other, NOW + timedelta(minutes=2), ttl)
    assert await leases.take(database, "job:x", other, NOW + timedelta(minutes=4), ttl)
    await leases.give_up(database, other)
    assert await leases.take(database, "job:x", holder, NOW + timedelta(minutes=4), ttl)


async def test_a_run_once_job_runs_in_one_of_several_processes(database: Database) -> None:
    runs: list[str] = []

    def process(name: str) -> leases.RunOnce:
        return leases.RunOnce(database, lambda: NOW, holder=name)

    async def work(name: str) -> None:
        runs.append(name)

    jobs = [
        process(name).job("tick", timedelta(seconds=60), lambda n=name: work(n))
        for name in ("a", "b", "c")
    ]
    for _ in range(3):
        await asyncio.gather(*(job() for job in jobs))
    assert len(runs) == 3 and len(set(runs)) == 1


async def test_a_held_name_keeps_other_transactions_out_until_commit(database: Database) -> None:
    trace: list[str] = []

    async def critical(who: str) -> None:
        async with database.transaction() as session:
            await database.hold(session, "conversation", "telegram", "42")
            trace.append(f"{who} in")
            await asyncio.sleep(0.05)
            trace.append(f"{who} out")

    await asyncio.gather(*(critical(str(i)) for i in range(4)))
    assert all(trace[i].split()[0] == trace[i + 1].split()[0] for i in range(0, len(trace), 2)), (
        trace
    )


@pytest.mark.skipif(not databases.ON_POSTGRES, reason="SQLite is always one process")
async def test_a_process_knows_whether_others_share_the_database(database: Database) -> None:
    first, second = Presence(database), Presence(database)
    assert await first.join()
    assert not await second.join()
    await first.leave()
    await second.leave()
    third = Presence(database)
    assert await third.join()
    await third.leave()


async def test_three_drainers_on_one_database_send_each_message_once(database: Database) -> None:
    messages = 300
    async with database.transaction() as session:
        for n in range(messages):
            await outbox.enqueue(session, "test", f"chat{n}", f"hello {n}", f"key-{n}", NOW)
    sent: Counter[str] = Counter()

    async def sender(chat_id: str, outbound: Outbound) -> None:
        await asyncio.sleep(0.001)
        sent[chat_id] += 1

    drainers = []
    for _ in range(3):  # as in three processes: each its own engine, pool and pacer
        own = Database(database.url)
        drainer = OutboxDrainer(own, FrozenClock(NOW), rate=0, per_chat_gap_s=0.0)
        drainer.add_sender("test", sender)
        drainers.append(drainer)
    totals = await asyncio.gather(*(drainer.drain() for drainer in drainers))
    for drainer in drainers:
        await drainer.database.dispose()
    assert sum(totals) == messages
    assert len(sent) == messages and set(sent.values()) == {1}
