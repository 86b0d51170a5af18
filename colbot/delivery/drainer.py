"""The drainer: sends what the outbox holds once it is due, exactly once as far as it can go.

Exactly-once, as far as it can go without an idempotency key at Telegram: each message is
claimed (claimed_at committed, CLAIM_CHUNK at a time) before its API call and confirmed (sent_at
committed, by a group commit that runs continuously) as soon as Telegram accepts it; a send slot
is only freed once its confirmation is committed. A crash between those two commits leaves
claimed, unconfirmed rows; on the next start they are sent again, so none is lost. Only a message
whose API call had reached Telegram but whose confirmation was not yet committed can arrive twice:
at most MAX_IN_FLIGHT at any instant, usually none or one. Every other message arrives exactly once.

Messages to young people follow their choices as they are when the message goes, not when it
was queued: /stop (dropped), nudges off (nudges, digests and news dropped) and their quiet hours.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select, update

from colbot.chat.messages import Outbound
from colbot.clock import Clock
from colbot.delivery.outbox import (
    BATCH_SIZE,
    CLAIM_CHUNK,
    DROPPED,
    FAILED,
    MAX_ATTEMPTS,
    MAX_IN_FLIGHT,
    NO_CHANNEL,
    PENDING,
    SENT,
    UNREACHABLE,
    RetryLater,
    Sender,
    Shown,
    Store,
    Undeliverable,
    Unreachable,
    backoff,
    payload_outbound,
)
from colbot.delivery.pacing import DEFAULT_SEND_RATE, PER_CHAT_GAP_S, SendPacer
from colbot.domain.quiet_hours import QuietHours, parse_quiet_hours, release_time
from colbot.storage.database import Database
from colbot.storage.models import ChannelIdentity, OutboxMessage, YoungPerson

log = logging.getLogger(__name__)


# What a message is comes before the first ":" of its idempotency key.
TO_YOUNG_PEOPLE = frozenset({"reminder", "after-session", "nudge", "digest", "broadcast", "safety"})


# Sent only to those who said yes to messages first; a safety announcement is not one of them.
UNPROMPTED = frozenset({"nudge", "digest", "broadcast"})


NUDGES_OFF = "off"


class _Confirmer:
    """Commits sent_at for accepted messages as soon as it can, many per commit (group commit)."""

    def __init__(self, database: Database, clock: Clock) -> None:
        self.database = database
        self.clock = clock
        self._ids: list[int] = []
        self._waiting: list[asyncio.Future[None]] = []
        self._failure: BaseException | None = None
        self._wake = asyncio.Event()
        self._closed = False

    def add(self, message_id: int) -> asyncio.Future[None]:
        """Queues a message Telegram accepted; the future is done once that is committed."""
        committed = asyncio.get_running_loop().create_future()
        if self._failure is not None:
            committed.set_exception(self._failure)
            return committed
        self._ids.append(message_id)
        self._waiting.append(committed)
        self._wake.set()
        return committed

    def close(self) -> None:
        """Lets the writer finish once everything queued is committed."""
        self._closed = True
        self._wake.set()

    async def run(self) -> None:
        """Writes confirmations until closed and drained."""
        while True:
            if self._ids:
                ids, self._ids = self._ids, []
                waiting, self._waiting = self._waiting, []
                try:
                    async with self.database.transaction() as session:
                        await session.execute(
                            update(OutboxMessage)
                            .where(OutboxMessage.id.in_(ids))
                            .values(status=SENT, sent_at=self.clock.now())
                        )
                except Exception as exc:
                    # Left claimed, these are sent again after a restart: never lost.
                    log.exception("could not confirm %d sent outbox messages", len(ids))
                    self._failure = exc
                    for future in waiting:
                        if not future.done():  # its sender may have been cancelled meanwhile
                            future.set_exception(exc)
                    continue
                for future in waiting:
                    if not future.done():  # a drain cut short cancels the senders waiting here
                        future.set_result(None)
            elif self._closed:
                return
            else:
                await self._wake.wait()
                self._wake.clear()


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
    kind: str = ""
    recipient: Recipient | None = None

    @classmethod
    def of(cls, row: OutboxMessage, recipient: Recipient | None = None) -> Due:
        """A snapshot of an outbox row, with its young person's choices as they are now."""
        return cls(
            row.id,
            row.channel,
            row.chat_id,
            row.payload,
            row.attempts,
            row.expires_at,
            row.quiet_hours,
            row.idempotency_key.partition(":")[0],
            recipient,
        )


@dataclass(frozen=True)
class Recipient:
    """A young person's current choices that decide whether and when a message may go."""

    quiet_hours: str | None
    paused: bool
    nudges: str


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
        default_quiet: QuietHours | None = None,
    ) -> None:
        self.database = database
        self.default_quiet = default_quiet
        self.clock = clock
        self.timezone = timezone or ZoneInfo("Europe/London")
        self.rate = rate
        self.max_in_flight = max_in_flight
        self.per_chat_gap_s = per_chat_gap_s
        self.senders: dict[str, Sender] = {}
        self.stores: dict[str, tuple[Store, Shown]] = {}
        self._pacer: SendPacer | None = None
        self._draining = False
        self._stopping = False

    def add_sender(self, channel: str, sender: Sender) -> None:
        """Lets a running channel deliver its messages."""
        self.senders[channel] = sender

    def add_store(self, channel: str, store: Store, shown: Shown) -> None:
        """Lets a channel that delivers by writing to the database do so in the outbox's commit."""
        self.stores[channel] = (store, shown)
        self.senders[channel] = self._stored_send(channel)

    def _stored_send(self, channel: str) -> Sender:
        async def unused(chat_id: str, outbound: Outbound) -> None:
            raise AssertionError(f"{channel} messages are stored, not sent")

        return unused

    @property
    def pacer(self) -> SendPacer:
        """The pacer, made in the running loop on first use."""
        if self._pacer is None:
            self._pacer = SendPacer(self.rate, self.per_chat_gap_s)
        return self._pacer

    async def recover(self, claimed_before: datetime | None = None) -> int:
        """Releases messages claimed by a process that died, so they are sent again.

        Alone on the database (on start), every claim is a dead process's; among several live
        processes, only claims older than `claimed_before` are, as a live one confirms in seconds.
        """
        stale = [] if claimed_before is None else [OutboxMessage.claimed_at < claimed_before]
        async with self.database.transaction() as session:
            result = await session.execute(
                update(OutboxMessage)
                .where(
                    OutboxMessage.status == PENDING,
                    OutboxMessage.claimed_at.is_not(None),
                    OutboxMessage.sent_at.is_(None),
                    *stale,
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

    def stop_soon(self) -> None:
        """Stops claiming: a drain in progress finishes its sends in flight and returns.

        What it had claimed but not begun to send goes back to the outbox at once, for the next
        start or another process, instead of waiting to be recovered as a dead process's.
        """
        self._stopping = True

    async def drain_unless_draining(self) -> None:
        """The scheduler's tick: starts a drain only if the last one has finished."""
        if self._draining or self._stopping:
            return
        self._draining = True
        try:
            await self.drain()
        finally:
            self._draining = False

    async def drain(self) -> int:
        """Sends everything due now, batch after batch; returns how many were sent."""
        total = DrainCounts()
        while not self._stopping:
            counts = await self.drain_batch()
            for name in vars(total):
                setattr(total, name, getattr(total, name) + getattr(counts, name))
            if not any(vars(counts).values()):
                break
        return total.sent

    async def drain_batch(self) -> DrainCounts:
        """Sends one batch of due messages; zero counts mean nothing was due."""
        counts = DrainCounts()
        now = self.clock.now()
        counts.unreachable += await self._settle_unreachable_channels()
        async with self.database.reading() as session:
            due = [
                Due.of(
                    message,
                    None if person is None else Recipient(quiet, paused_at is not None, nudges),
                )
                for message, person, quiet, paused_at, nudges in await session.execute(
                    select(
                        OutboxMessage,
                        YoungPerson.id,
                        YoungPerson.quiet_hours,
                        YoungPerson.paused_at,
                        YoungPerson.nudges,
                    )
                    .outerjoin(
                        ChannelIdentity,
                        (ChannelIdentity.channel == OutboxMessage.channel)
                        & (ChannelIdentity.external_id == OutboxMessage.chat_id),
                    )
                    .outerjoin(YoungPerson, YoungPerson.id == ChannelIdentity.young_person_id)
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
                if self._stopping:
                    break
                claimed = await self._claim_many(picked[start : start + CLAIM_CHUNK], now)
                for index, message in enumerate(claimed):
                    if self._stopping:
                        await self._unclaim(claimed[index:])
                        break
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

    async def _settle_unreachable_channels(self) -> int:
        """Settles at once what no channel of this process can deliver (a console-only person).

        Left pending, it would wait for ever and keep `colbot broadcast` asking whether colbot
        serve is running.
        """
        async with self.database.transaction() as session:
            settled = await session.execute(
                update(OutboxMessage)
                .where(
                    OutboxMessage.status == PENDING,
                    OutboxMessage.claimed_at.is_(None),
                    OutboxMessage.channel.not_in(list(self.senders)),
                )
                .values(status=UNREACHABLE, last_error=NO_CHANNEL)
            )
        return int(settled.rowcount or 0)  # type: ignore[attr-defined]

    async def _settle_unsendable(
        self, due: list[Due], now: datetime, counts: DrainCounts
    ) -> list[Due]:
        """Drops messages too late to be useful and holds those that fall in quiet hours."""
        sendable = []
        async with self.database.transaction() as session:
            for message in due:
                refused = self._refusal(message)
                release = release_time(now, self._quiet_hours(message), self.timezone)
                expired = message.expires_at is not None and message.expires_at <= release
                if refused is None and expired:
                    refused = "too late to be useful"
                if refused is not None:
                    await session.execute(
                        update(OutboxMessage)
                        .where(OutboxMessage.id == message.id, OutboxMessage.status == PENDING)
                        .values(status=DROPPED, last_error=refused)
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

    @staticmethod
    def _refusal(message: Due) -> str | None:
        """Why a young person no longer wants this message (/stop, nudges off), if they don't."""
        person = message.recipient
        if person is None or message.kind not in TO_YOUNG_PEOPLE:
            return None
        if person.paused:
            return "paused with /stop"
        if message.kind in UNPROMPTED and person.nudges == NUDGES_OFF:
            return "nudges switched off"
        return None

    def _quiet_hours(self, message: Due) -> QuietHours | None:
        """The recipient's quiet hours now: their own, else the city's; else what was stored."""
        person = message.recipient
        if person is None or message.kind not in TO_YOUNG_PEOPLE:
            chosen = message.quiet_hours or ""
        elif person.quiet_hours is None:
            return self.default_quiet
        else:
            chosen = person.quiet_hours
        try:
            return parse_quiet_hours(chosen)
        except ValueError:
            log.warning("outbox message %s has unreadable quiet hours %r", message.id, chosen)
            return self.default_quiet

    async def _claim(self, message: Due, now: datetime) -> bool:
        """Claims one message; True if this drainer now owns it."""
        return bool(await self._claim_many([message], now))

    async def _claim_many(self, messages: list[Due], now: datetime) -> list[Due]:
        """Marks messages as being sent (committed before any API call); returns those won."""
        if not messages:
            return []
        ids = [m.id for m in messages]
        async with self.database.transaction() as session:
            if self.database.is_postgres:
                # Rows another process is claiming right now are skipped, not waited for.
                ids = list(
                    await session.scalars(
                        select(OutboxMessage.id)
                        .where(OutboxMessage.id.in_(ids), OutboxMessage.claimed_at.is_(None))
                        .with_for_update(skip_locked=True)
                    )
                )
            won = set(
                await session.scalars(
                    update(OutboxMessage)
                    .where(
                        OutboxMessage.id.in_(ids),
                        OutboxMessage.status == PENDING,
                        OutboxMessage.claimed_at.is_(None),
                    )
                    .values(claimed_at=now, attempts=OutboxMessage.attempts + 1)
                    .returning(OutboxMessage.id)
                )
            )
        return [m for m in messages if m.id in won]

    async def _unclaim(self, messages: list[Due]) -> None:
        """Gives back claims whose messages were never sent, as if they had not been made."""
        async with self.database.transaction() as session:
            await session.execute(
                update(OutboxMessage)
                .where(
                    OutboxMessage.id.in_([m.id for m in messages]),
                    OutboxMessage.status == PENDING,
                    OutboxMessage.sent_at.is_(None),
                )
                .values(claimed_at=None, attempts=OutboxMessage.attempts - 1)
            )

    async def _send_one(
        self,
        message: Due,
        counts: DrainCounts,
        in_flight: asyncio.Semaphore,
        confirmer: _Confirmer,
    ) -> None:
        if message.channel in self.stores:
            await self._store_one(message, counts, in_flight)
            return
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
                counts.sent += 1
                # The slot stays taken until the confirmation is durable, so that at most
                # max_in_flight messages are ever in doubt after a crash.
                await confirmer.add(message.id)
        finally:
            in_flight.release()

    async def _store_one(
        self, message: Due, counts: DrainCounts, in_flight: asyncio.Semaphore
    ) -> None:
        """Delivers and confirms in one commit: nothing is in doubt after a crash."""
        store, shown = self.stores[message.channel]
        try:
            async with self.database.transaction() as session:
                confirmed = await session.execute(
                    update(OutboxMessage)
                    .where(OutboxMessage.id == message.id, OutboxMessage.status == PENDING)
                    .values(status=SENT, sent_at=self.clock.now())
                )
                if getattr(confirmed, "rowcount", 1):
                    await store(session, message.chat_id, payload_outbound(message.payload))
            counts.sent += 1
        except Exception as exc:
            log.warning("outbox message %s could not be stored: %r", message.id, exc)
            if message.attempts + 1 >= MAX_ATTEMPTS:
                await self._finish(message, FAILED, repr(exc))
                counts.failed += 1
            else:
                await self._release(message, backoff(message.attempts + 1), repr(exc))
                counts.retried += 1
        finally:
            in_flight.release()
        try:
            await shown(message.chat_id)
        except Exception:
            log.exception("could not show outbox message %s on %s", message.id, message.channel)

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
