"""The outbox: what colbot says on its own is written first, then sent once by a drainer."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from colbot.clock import Clock
from colbot.core.messages import Outbound
from colbot.storage.database import Database
from colbot.storage.models import OutboxMessage

log = logging.getLogger(__name__)

BATCH_SIZE = 50
MAX_ATTEMPTS = 5
RETRY_BACKOFF = timedelta(seconds=30)

Sender = Callable[[str, Outbound], Awaitable[None]]


async def enqueue(
    session: AsyncSession,
    channel: str,
    chat_id: str,
    text: str,
    key: str,
    now: datetime,
    not_before: datetime | None = None,
) -> None:
    """Writes a message to send, once per idempotency key, in the caller's transaction."""
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    await session.execute(
        insert(OutboxMessage)
        .values(
            idempotency_key=key[:200],
            channel=channel,
            chat_id=chat_id,
            payload={"text": text},
            not_before=not_before or now,
            created_at=now,
            attempts=0,
        )
        .on_conflict_do_nothing(index_elements=[OutboxMessage.idempotency_key])
    )


class OutboxDrainer:
    """Sends due outbox messages through whichever channel they belong to."""

    def __init__(self, database: Database, clock: Clock) -> None:
        self.database = database
        self.clock = clock
        self.senders: dict[str, Sender] = {}

    def add_sender(self, channel: str, sender: Sender) -> None:
        """Lets a running channel deliver its messages."""
        self.senders[channel] = sender

    async def drain(self) -> int:
        """Sends what is due now; returns how many were sent."""
        now = self.clock.now()
        async with self.database.transaction() as session:
            due = list(
                await session.scalars(
                    select(OutboxMessage)
                    .where(
                        OutboxMessage.sent_at.is_(None),
                        OutboxMessage.not_before <= now,
                        OutboxMessage.channel.in_(list(self.senders)),
                        OutboxMessage.attempts < MAX_ATTEMPTS,
                    )
                    .order_by(OutboxMessage.not_before, OutboxMessage.id)
                    .limit(BATCH_SIZE)
                )
            )
        sent = 0
        for message in due:
            sent += await self._send_one(message)
        return sent

    async def _send_one(self, message: OutboxMessage) -> int:
        now = self.clock.now()
        async with self.database.transaction() as session:
            claimed = await session.execute(
                update(OutboxMessage)
                .where(OutboxMessage.id == message.id, OutboxMessage.sent_at.is_(None))
                .values(sent_at=now, attempts=OutboxMessage.attempts + 1)
            )
            if getattr(claimed, "rowcount", 0) != 1:
                return 0
        try:
            await self.senders[message.channel](message.chat_id, _outbound(message.payload))
        except Exception as exc:
            log.warning("outbox message %s failed: %s", message.id, exc)
            async with self.database.transaction() as session:
                await session.execute(
                    update(OutboxMessage)
                    .where(OutboxMessage.id == message.id)
                    .values(sent_at=None, last_error=str(exc)[:500], not_before=now + RETRY_BACKOFF)
                )
            return 0
        return 1


def _outbound(payload: dict[str, Any]) -> Outbound:
    return Outbound(text=str(payload.get("text", "")))
