"""The outbox: what colbot says on its own is written here first, then sent once by the drainer.

This module is the queue itself (enqueueing, the message statuses, how a message is packed, and
what a channel may say went wrong); colbot/delivery/drainer.py sends what is due.
"""

from __future__ import annotations

import base64
import logging
from collections.abc import Awaitable, Callable, Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from colbot.chat.messages import Attachment, Button, Outbound
from colbot.storage.models import OutboxMessage

log = logging.getLogger(__name__)

BATCH_SIZE = 500
MAX_IN_FLIGHT = 8
CLAIM_CHUNK = 32
MAX_ATTEMPTS = 5
FIRST_BACKOFF_S = 2
MAX_BACKOFF_S = 300
KEY_LENGTH = 200

PENDING = "pending"
SENT = "sent"
DROPPED = "dropped"
UNREACHABLE = "unreachable"
NO_CHANNEL = "no channel of colbot can reach this chat"
FAILED = "failed"

Sender = Callable[[str, Outbound], Awaitable[None]]
# A channel whose delivery is a database write (the web chat) stores the message in the outbox's
# own transaction, then is told to show it: exactly once, even across a crash.
Store = Callable[[AsyncSession, str, Outbound], Awaitable[None]]
Shown = Callable[[str], Awaitable[None]]


class Unreachable(Exception):
    """The recipient blocked the bot (Telegram's 403); send nothing more until they write."""


class RetryLater(Exception):
    """The channel asked colbot to slow down (Telegram's 429) for this many seconds."""

    def __init__(self, seconds: float) -> None:
        super().__init__(f"retry after {seconds}s")
        self.seconds = seconds


class Undeliverable(Exception):
    """The message can never be delivered as it is (a 400); retrying would not help."""


def backoff(attempts: int) -> timedelta:
    """Doubling waits after a 5xx or a timeout: 2 s, 4 s, 8 s... at most 5 minutes."""
    return timedelta(seconds=min(MAX_BACKOFF_S, FIRST_BACKOFF_S * 2 ** max(0, attempts - 1)))


def outbound_payload(outbound: Outbound) -> dict[str, Any]:
    """An outbound message as JSON for the outbox (text, link buttons and one file)."""
    payload: dict[str, Any] = {"text": outbound.text}
    if outbound.buttons:
        payload["buttons"] = [[[b.label, b.data] for b in row] for row in outbound.buttons]
    if outbound.links:
        payload["links"] = [[link.label, link.url] for link in outbound.links]
    if outbound.file is not None:
        payload["file"] = {
            "filename": outbound.file.filename,
            "mime_type": outbound.file.mime_type,
            "content": base64.b64encode(outbound.file.content).decode("ascii"),
        }
    return payload


def payload_outbound(payload: dict[str, Any]) -> Outbound:
    """The outbound message an outbox payload stands for."""
    links = tuple(Button(label, url=url) for label, url in payload.get("links", []))
    file = payload.get("file")
    attachment = None
    if isinstance(file, dict):
        attachment = Attachment(
            file["filename"], base64.b64decode(file["content"]), file["mime_type"]
        )
    buttons = tuple(
        tuple(Button(label, data) for label, data in row) for row in payload.get("buttons", [])
    )
    return Outbound(
        text=str(payload.get("text", "")), buttons=buttons, links=links, file=attachment
    )


def _insert(session: AsyncSession) -> Any:
    dialect = session.get_bind().dialect.name
    return postgresql.insert if dialect == "postgresql" else sqlite.insert


async def enqueue(
    session: AsyncSession,
    channel: str,
    chat_id: str,
    text: str,
    key: str,
    now: datetime,
    not_before: datetime | None = None,
    *,
    outbound: Outbound | None = None,
    expires_at: datetime | None = None,
    quiet_hours: str | None = None,
    batch: str | None = None,
) -> None:
    """Writes a message to send, once per idempotency key, in the caller's transaction."""
    payload = outbound_payload(outbound) if outbound is not None else {"text": text}
    await session.execute(
        _insert(session)(OutboxMessage)
        .values(
            idempotency_key=key[:KEY_LENGTH],
            channel=channel,
            chat_id=chat_id,
            payload=payload,
            not_before=not_before or now,
            created_at=now,
            attempts=0,
            status=PENDING,
            expires_at=expires_at,
            quiet_hours=quiet_hours,
            deferred=False,
            batch=batch,
        )
        .on_conflict_do_nothing(index_elements=[OutboxMessage.idempotency_key])
    )


async def enqueue_many(session: AsyncSession, rows: Sequence[dict[str, Any]]) -> None:
    """Writes many messages at once (a broadcast); rows already there by key are left alone."""
    if rows:
        await session.execute(
            _insert(session)(OutboxMessage).on_conflict_do_nothing(
                index_elements=[OutboxMessage.idempotency_key]
            ),
            list(rows),
        )
