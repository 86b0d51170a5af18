"""Outreach in a test: what waits in the outbox and what the Telegram double delivered."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from sqlalchemy import select

from colbot.app import Colbot
from colbot.storage.models import OutboxMessage
from tests.doubles.telegram import Person, TelegramDouble

Seeder = Callable[..., Awaitable[list[Person]]]


ADMIN_ID = 424_242


async def outbox_rows(app: Colbot) -> list[OutboxMessage]:
    """Every outbox row, oldest first."""
    async with app.database.reading() as session:
        rows = list(await session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)))
        session.expunge_all()
        return rows


def delivered(double: TelegramDouble, method: str = "sendMessage") -> dict[int, int]:
    """Successful sends per chat."""
    counts: dict[int, int] = {}
    for call in double.calls_to(method):
        if call.ok and isinstance(call.chat_id, int):
            counts[call.chat_id] = counts.get(call.chat_id, 0) + 1
    return counts
