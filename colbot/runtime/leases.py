"""Run-once jobs across processes: a named lease, held by one process until it expires."""

from __future__ import annotations

import os
import secrets
import socket
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta

from sqlalchemy import delete

from colbot.storage.database import Database
from colbot.storage.models import Lease
from colbot.storage.upsert import dialect_insert


def process_name() -> str:
    """This process's name among others on one database: host, pid and a random tail."""
    return f"{socket.gethostname()[:32]}:{os.getpid()}:{secrets.token_hex(4)}"


async def take(database: Database, name: str, holder: str, now: datetime, ttl: timedelta) -> bool:
    """Takes the lease if it is free, expired or already ours; True if we hold it until now+ttl."""
    async with database.transaction() as session:
        insert = dialect_insert(session)(Lease).values(
            name=name, holder=holder, expires_at=now + ttl
        )
        won = await session.scalar(
            insert.on_conflict_do_update(
                index_elements=[Lease.name],
                set_={"holder": holder, "expires_at": now + ttl},
                where=(Lease.expires_at <= now) | (Lease.holder == holder),
            ).returning(Lease.holder)
        )
    return won == holder


async def give_up(database: Database, holder: str) -> None:
    """Lets go of every lease this process holds, so that another can take them at once."""
    async with database.transaction() as session:
        await session.execute(delete(Lease).where(Lease.holder == holder))


class RunOnce:
    """Wraps scheduled jobs so that, of all processes on one database, one runs each."""

    def __init__(
        self, database: Database, now: Callable[[], datetime], holder: str | None = None
    ) -> None:
        self.database = database
        self.now = now
        self.holder = holder or process_name()

    def job(
        self, name: str, every: timedelta, work: Callable[[], Awaitable[None]]
    ) -> Callable[[], Awaitable[None]]:
        """The job to schedule: runs `work` only while this process holds the job's lease."""
        # Twice the interval: the holder renews in time, and if it dies another takes over soon.
        ttl = every * 2

        async def once() -> None:
            if await take(self.database, f"job:{name}", self.holder, self.now(), ttl):
                await work()

        return once
