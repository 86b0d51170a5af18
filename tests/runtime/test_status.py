"""`colbot status`: the leases each process holds and the queues, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from colbot.delivery import outbox
from colbot.runtime import leases
from colbot.runtime.status import describe, read_status
from colbot.storage.database import Database

NOW = datetime(2026, 12, 3, 10, 0, tzinfo=UTC)


async def test_status_names_each_holder_its_leases_and_the_queue_depths(database: Database) -> None:
    assert await leases.take(database, "job:queue_nudges", "host:1:aa", NOW, timedelta(hours=2))
    assert await leases.take(
        database, "job:old", "host:1:aa", NOW - timedelta(hours=3), timedelta(hours=1)
    )
    async with database.transaction() as session:
        await outbox.enqueue(session, "webchat", "c1", "now", key="reminder:1", now=NOW)
        await outbox.enqueue(
            session,
            "webchat",
            "c2",
            "later",
            key="reminder:2",
            now=NOW,
            not_before=NOW + timedelta(hours=1),
        )
    status = await read_status(database, NOW)
    assert status.leases == {"host:1:aa": ["job:queue_nudges"]}, "a lapsed lease is nobody's"
    text = "\n".join(describe(status, NOW))
    if database.is_postgres:
        # No process serves this test database, so the holder is shown as gone.
        assert "Processes alive: 0" in text
        assert "host:1:aa (gone; its leases lapse soon): job:queue_nudges" in text
    else:
        assert "host:1:aa holds job:queue_nudges" in text
    assert "Outbox: 2 waiting (1 due now, 0 being sent)" in text
    assert "Web chat: 0 messages not yet acknowledged" in text

    await leases.give_up(database, "host:1:aa")
    assert (await read_status(database, NOW)).leases == {}
