"""What `colbot status` shows: the processes alive, the leases each holds, and the queues."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select

from colbot.delivery.outbox import PENDING
from colbot.runtime import presence
from colbot.storage.database import Database
from colbot.storage.models import Lease, OutboxMessage, WebChatMessage


@dataclass(frozen=True)
class Status:
    """A snapshot of the colbot processes on one database and the work waiting for them."""

    processes: list[presence.Alive] | None  # None on SQLite, which has no way to know
    leases: dict[str, list[str]]  # holder -> lease names still in date
    outbox: dict[str, int]  # status -> messages
    due_now: int
    claimed: int
    webchat_unacked: int


async def read_status(database: Database, now: datetime) -> Status:
    """Reads the snapshot in one read-only transaction."""
    async with database.reading() as session:
        alive = await presence.alive(session) if database.is_postgres else None
        leases: dict[str, list[str]] = {}
        for name, holder in await session.execute(
            select(Lease.name, Lease.holder).where(Lease.expires_at > now).order_by(Lease.name)
        ):
            leases.setdefault(holder, []).append(name)
        outbox = Counter(
            {
                status: count
                for status, count in await session.execute(
                    select(OutboxMessage.status, func.count()).group_by(OutboxMessage.status)
                )
            }
        )
        pending = OutboxMessage.status == PENDING
        due_now = await session.scalar(
            select(func.count()).where(pending, OutboxMessage.not_before <= now)
        )
        claimed = await session.scalar(
            select(func.count()).where(pending, OutboxMessage.claimed_at.is_not(None))
        )
        unacked = await session.scalar(select(func.count()).select_from(WebChatMessage))
    return Status(alive, leases, dict(outbox), due_now or 0, claimed or 0, unacked or 0)


def describe(status: Status, now: datetime) -> list[str]:
    """The snapshot as lines for a terminal."""
    lines: list[str] = []
    if status.processes is None:
        lines.append("Processes: one at most (SQLite is for one process)")
        for holder, names in status.leases.items():
            lines.append(f"  {holder} holds {', '.join(names)}")
    else:
        lines.append(f"Processes alive: {len(status.processes)}")
        alive = {process.name for process in status.processes}
        for process in status.processes:
            since = f", up {_age(now, process.since)}" if process.since else ""
            held = ", ".join(status.leases.get(process.name, [])) or "no leases"
            lines.append(f"  {process.name}{since}: {held}")
        for holder, held_names in status.leases.items():
            if holder not in alive:
                lines.append(f"  {holder} (gone; its leases lapse soon): {', '.join(held_names)}")
    outbox = status.outbox
    parts = [
        f"{outbox.get(PENDING, 0)} waiting ({status.due_now} due now, {status.claimed} being sent)",
        *(f"{count} {name}" for name, count in sorted(outbox.items()) if name != PENDING),
    ]
    lines.append(f"Outbox: {', '.join(parts)}")
    lines.append(f"Web chat: {status.webchat_unacked} messages not yet acknowledged by a page")
    return lines


def _age(now: datetime, since: datetime) -> str:
    seconds = max(0, int((now - since).total_seconds()))
    hours, rest = divmod(seconds, 3600)
    return f"{hours} h {rest // 60} min" if hours else f"{rest // 60} min {rest % 60} s"
