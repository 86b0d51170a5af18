"""A message no channel can deliver (a console-only person) is settled at once, not left waiting."""

from __future__ import annotations

from sqlalchemy import select

from colbot.app import Colbot
from colbot.delivery import outbox
from colbot.storage.models import OutboxMessage


async def test_a_console_only_chat_is_settled_as_unreachable_on_the_next_drain(
    colbot: Colbot,
) -> None:
    now = colbot.clock.now()
    async with colbot.database.transaction() as session:
        await outbox.enqueue(session, "console", "robin", "Festival on Saturday", "k1", now)
        await outbox.enqueue(session, "webchat", "device-1", "Festival on Saturday", "k2", now)
    counts = await colbot.outbox.drain_batch()
    async with colbot.database.reading() as session:
        settled = {
            m.channel: (m.status, m.last_error)
            for m in await session.scalars(select(OutboxMessage))
        }
    assert settled["console"] == (outbox.UNREACHABLE, outbox.NO_CHANNEL)
    assert settled["webchat"][0] == outbox.SENT
    assert counts.unreachable == 1
