"""The outbox: what colbot says on its own is written first, then sent once by a drainer.

Exactly-once, as far as it can go without an idempotency key at Telegram: each message is
claimed (claimed_at committed, CLAIM_CHUNK at a time) before its API call and confirmed (sent_at
committed, by a group commit that runs continuously) as soon as Telegram accepts it. A crash
between those two commits leaves claimed, unconfirmed rows; on the next start they are sent
again, so only messages in flight or awaiting their confirmation commit at the crash (at most
CLAIM_CHUNK + MAX_IN_FLIGHT, usually a handful) can arrive twice. Every other message arrives
exactly once, and none is lost.
"""

from __future__ import annotations

import asyncio
import base64
import logging
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from colbot.clock import Clock
from colbot.core.messages import Attachment, Button, Outbound
from colbot.domain.quiet_hours import parse_quiet_hours, release_time
from colbot.services.ratelimit import DEFAULT_SEND_RATE, PER_CHAT_GAP_S, SendPacer
from colbot.storage.database import Database
from colbot.storage.models import ChannelIdentity, OutboxMessage, YoungPerson

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
FAILED = "failed"

Sender = Callable[[str, Outbound], Awaitable[None]]


class Unreachable(Exception):
    """The recipient blocked the bot (Telegram's 403); send nothing more until they write."""


class RetryLater(Exception):
    """The channel asked colbot to slow down (Telegram's 429) for this many seconds."""

    def __init__(self, seconds: float) -> None:
        super().__init__(f"retry after {seconds}s")
        self.seconds = seconds


class Undeliverable(Exception):
    """The message can never be delivered as it is (a 400); retrying would not help."""


class _Confirmer:
    """Commits sent_at for accepted messages as soon as it can, many per commit (group commit)."""

    def __init__(self, database: Database, clock: Clock) -> None:
        self.database = database
        self.clock = clock
        self._ids: list[int] = []
        self._wake = asyncio.Event()
        self._closed = False

    def add(self, message_id: int) -> None:
        """Queues a message Telegram accepted; it is committed on the writer's next turn."""
        self._ids.append(message_id)
        self._wake.set()

    def close(self) -> None:
        """Lets the writer finish once everything queued is committed."""
        self._closed = True
        self._wake.set()

    async def run(self) -> None:
        """Writes confirmations until closed and drained."""
        while True:
            if self._ids:
                ids, self._ids = self._ids, []
                async with self.database.transaction() as session:
                    await session.execute(
                        update(OutboxMessage)
                        .where(OutboxMessage.id.in_(ids))
                        .values(status=SENT, sent_at=self.clock.now())
                    )
            elif self._closed:
                return
            else:
                await self._wake.wait()
                self._wake.clear()


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


@dataclass(frozen=True)
class Due:
    """What the drainer needs of one due message, detached from any session."""

    id: int
    channel: str
    chat_id: str
    payload: dict[str, Any]
    attempts: int
    expires_at: datetime | None
    quiet_hours: str | None

    @classmethod
    def of(cls, row: OutboxMessage) -> Due:
        """A snapshot of an outbox row."""
        return cls(
            row.id,
            row.channel,
            row.chat_id,
            row.payload,
            row.attempts,
            row.expires_at,
            row.quiet_hours,
        )


@dataclass
class DrainCounts:
    """What one drain did, for logs and the CLI's summary."""

    sent: int = 0
    deferred: int = 0
    dropped: int = 0
    unreachable: int = 0
    retried: int = 0
    failed: int = 0


class OutboxDrainer:
    """Sends due outbox messages through their channel, paced, retried, and confirmed one by one."""

    def __init__(
        self,
        database: Database,
        clock: Clock,
        timezone: ZoneInfo | None = None,
        rate: int = DEFAULT_SEND_RATE,
        max_in_flight: int = MAX_IN_FLIGHT,
        per_chat_gap_s: float = PER_CHAT_GAP_S,
    ) -> None:
        self.database = database
        self.clock = clock
        self.timezone = timezone or ZoneInfo("Europe/London")
        self.rate = rate
        self.max_in_flight = max_in_flight
        self.per_chat_gap_s = per_chat_gap_s
        self.senders: dict[str, Sender] = {}
        self._pacer: SendPacer | None = None
        self._draining = False

    def add_sender(self, channel: str, sender: Sender) -> None:
        """Lets a running channel deliver its messages."""
        self.senders[channel] = sender

    @property
    def pacer(self) -> SendPacer:
        """The pacer, made in the running loop on first use."""
        if self._pacer is None:
            self._pacer = SendPacer(self.rate, self.per_chat_gap_s)
        return self._pacer

    async def recover(self) -> int:
        """On start: releases messages claimed by a process that died, so they are sent again."""
        async with self.database.transaction() as session:
            result = await session.execute(
                update(OutboxMessage)
                .where(
                    OutboxMessage.status == PENDING,
                    OutboxMessage.claimed_at.is_not(None),
                    OutboxMessage.sent_at.is_(None),
                )
                .values(claimed_at=None)
            )
        released = int(getattr(result, "rowcount", 0) or 0)
        if released:
            log.warning(
                "%d outbox messages were in flight when colbot stopped; sending them again",
                released,
            )
        return released

    async def drain_unless_draining(self) -> None:
        """The scheduler's tick: starts a drain only if the last one has finished."""
        if self._draining:
            return
        self._draining = True
        try:
            await self.drain()
        finally:
            self._draining = False

    async def drain(self) -> int:
        """Sends everything due now, batch after batch; returns how many were sent."""
        total = DrainCounts()
        while True:
            counts = await self.drain_batch()
            for name in vars(total):
                setattr(total, name, getattr(total, name) + getattr(counts, name))
            if not any(vars(counts).values()):
                return total.sent

    async def drain_batch(self) -> DrainCounts:
        """Sends one batch of due messages; zero counts mean nothing was due."""
        counts = DrainCounts()
        now = self.clock.now()
        async with self.database.reading() as session:
            due = [
                Due.of(message)
                for message in await session.scalars(
                    select(OutboxMessage)
                    .where(
                        OutboxMessage.status == PENDING,
                        OutboxMessage.claimed_at.is_(None),
                        OutboxMessage.not_before <= now,
                        OutboxMessage.channel.in_(list(self.senders)),
                    )
                    .order_by(OutboxMessage.not_before, OutboxMessage.id)
                    .limit(BATCH_SIZE)
                )
            ]
        if not due:
            return counts
        sendable = await self._settle_unsendable(due, now, counts)
        chats: set[str] = set()
        picked = []
        for message in sendable:
            if message.chat_id in chats or self.pacer.chat_wait(message.chat_id) > 0:
                continue  # one at a time per chat; the next pass picks it up
            chats.add(message.chat_id)
            picked.append(message)
        confirmer = _Confirmer(self.database, self.clock)
        writer = asyncio.create_task(confirmer.run())
        in_flight = asyncio.Semaphore(self.max_in_flight)
        tasks = []
        try:
            for start in range(0, len(picked), CLAIM_CHUNK):
                claimed = await self._claim_many(picked[start : start + CLAIM_CHUNK], now)
                for message in claimed:
                    await in_flight.acquire()
                    await self.pacer.acquire(message.chat_id)
                    tasks.append(
                        asyncio.create_task(self._send_one(message, counts, in_flight, confirmer))
                    )
            await asyncio.gather(*tasks)
        finally:
            confirmer.close()
            await writer
        return counts

    async def _settle_unsendable(
        self, due: list[Due], now: datetime, counts: DrainCounts
    ) -> list[Due]:
        """Drops messages too late to be useful and holds those that fall in quiet hours."""
        sendable = []
        async with self.database.transaction() as session:
            for message in due:
                quiet = parse_quiet_hours(message.quiet_hours or "")
                release = release_time(now, quiet, self.timezone)
                if message.expires_at is not None and message.expires_at <= release:
                    await session.execute(
                        update(OutboxMessage)
                        .where(OutboxMessage.id == message.id, OutboxMessage.status == PENDING)
                        .values(status=DROPPED, last_error="too late to be useful")
                    )
                    counts.dropped += 1
                elif release > now:
                    await session.execute(
                        update(OutboxMessage)
                        .where(OutboxMessage.id == message.id)
                        .values(not_before=release, deferred=True)
                    )
                    counts.deferred += 1
                else:
                    sendable.append(message)
        return sendable

    async def _claim(self, message: Due, now: datetime) -> bool:
        """Claims one message; True if this drainer now owns it."""
        return bool(await self._claim_many([message], now))

    async def _claim_many(self, messages: list[Due], now: datetime) -> list[Due]:
        """Marks messages as being sent (committed before any API call); returns those won."""
        if not messages:
            return []
        async with self.database.transaction() as session:
            won = set(
                await session.scalars(
                    update(OutboxMessage)
                    .where(
                        OutboxMessage.id.in_([m.id for m in messages]),
                        OutboxMessage.status == PENDING,
                        OutboxMessage.claimed_at.is_(None),
                    )
                    .values(claimed_at=now, attempts=OutboxMessage.attempts + 1)
                    .returning(OutboxMessage.id)
                )
            )
        return [m for m in messages if m.id in won]

    async def _send_one(
        self,
        message: Due,
        counts: DrainCounts,
        in_flight: asyncio.Semaphore,
        confirmer: _Confirmer,
    ) -> None:
        try:
            try:
                await self.senders[message.channel](
                    message.chat_id, payload_outbound(message.payload)
                )
            except Unreachable:
                await self._unreachable(message)
                counts.unreachable += 1
            except RetryLater as exc:
                self.pacer.pause(exc.seconds)
                await self._release(message, timedelta(seconds=exc.seconds), str(exc), retry=False)
                counts.retried += 1
            except Undeliverable as exc:
                await self._finish(message, FAILED, str(exc))
                counts.failed += 1
            except Exception as exc:
                log.warning("outbox message %s failed: %r", message.id, exc)
                if message.attempts + 1 >= MAX_ATTEMPTS:
                    await self._finish(message, FAILED, repr(exc))
                    counts.failed += 1
                else:
                    await self._release(message, backoff(message.attempts + 1), repr(exc))
                    counts.retried += 1
            else:
                confirmer.add(message.id)
                counts.sent += 1
        finally:
            in_flight.release()

    async def _release(self, message: Due, wait: timedelta, error: str, retry: bool = True) -> None:
        values: dict[str, Any] = {
            "claimed_at": None,
            "last_error": error[:500],
            "not_before": self.clock.now() + wait,
        }
        if not retry:
            values["attempts"] = OutboxMessage.attempts - 1
        async with self.database.transaction() as session:
            await session.execute(
                update(OutboxMessage).where(OutboxMessage.id == message.id).values(**values)
            )

    async def _finish(self, message: Due, status: str, error: str) -> None:
        async with self.database.transaction() as session:
            await session.execute(
                update(OutboxMessage)
                .where(OutboxMessage.id == message.id)
                .values(status=status, last_error=error[:500])
            )

    async def _unreachable(self, message: Due) -> None:
        """Marks the young person unreachable and settles everything still queued for them."""
        now = self.clock.now()
        async with self.database.transaction() as session:
            await session.execute(
                update(OutboxMessage)
                .where(
                    OutboxMessage.channel == message.channel,
                    OutboxMessage.chat_id == message.chat_id,
                    OutboxMessage.status == PENDING,
                )
                .values(status=UNREACHABLE, last_error="blocked by the user")
            )
            person_id = select(ChannelIdentity.young_person_id).where(
                ChannelIdentity.channel == message.channel,
                ChannelIdentity.external_id == message.chat_id,
            )
            await session.execute(
                update(YoungPerson)
                .where(YoungPerson.id.in_(person_id), YoungPerson.unreachable_since.is_(None))
                .values(unreachable_since=now)
            )
