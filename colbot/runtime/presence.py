"""Whether this colbot process is alone on its database, so a restart may take back every claim.

On PostgreSQL each running process holds a shared advisory lock on one connection for as long as
it lives; the server lets go of it the moment the process dies, even by kill -9. A process starting
while nobody holds it is alone. SQLite is one process per database, so it is always alone.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession

from colbot.storage.database import Database

PRESENCE_LOCK = 0x636F6C626F74  # "colbot"
# Each live process's presence connection is named this, then the process's name.
APPLICATION_PREFIX = "colbot "
# pg_locks shows a bigint advisory key as its high and low 32 bits.
_ALIVE = text(
    """
    SELECT activity.application_name, activity.backend_start
    FROM pg_locks AS locks JOIN pg_stat_activity AS activity ON activity.pid = locks.pid
    WHERE locks.locktype = 'advisory' AND locks.granted AND locks.objsubid = 1
      AND locks.classid = :high AND locks.objid = :low
      AND locks.database = (SELECT oid FROM pg_database WHERE datname = current_database())
    ORDER BY activity.backend_start
    """
).bindparams(high=PRESENCE_LOCK >> 32, low=PRESENCE_LOCK & 0xFFFFFFFF)


@dataclass(frozen=True)
class Alive:
    """A colbot process running on the database now, as `colbot status` shows it."""

    name: str
    since: datetime | None


async def alive(session: AsyncSession) -> list[Alive]:
    """Every colbot process serving on this PostgreSQL database now, oldest first."""
    rows = await session.execute(_ALIVE)
    return [Alive(name.removeprefix(APPLICATION_PREFIX), since) for name, since in rows]


class Presence:
    """This process's place among the colbot processes sharing one database."""

    def __init__(self, database: Database, name: str = "") -> None:
        self.database = database
        self.name = name
        # Set on SIGTERM: /readyz then says so, and the proxy sends new pages elsewhere.
        self.stopping = False
        self._connection: AsyncConnection | None = None

    async def others(self) -> int:
        """How many other colbot processes serve on this database now (none on SQLite)."""
        if not self.database.is_postgres:
            return 0
        async with self.database.reading() as session:
            return max(0, len(await alive(session)) - (self._connection is not None))

    async def join(self) -> bool:
        """Announces this process; True if no other colbot process is running on the database."""
        if not self.database.is_postgres:
            return True
        connection = await self.database.keep_connection()
        await connection.execute(
            text("SELECT set_config('application_name', :name, false)"),
            {"name": f"{APPLICATION_PREFIX}{self.name}"[:63]},
        )
        alone = bool(
            await connection.scalar(
                text("SELECT pg_try_advisory_lock(:key)"), {"key": PRESENCE_LOCK}
            )
        )
        if alone:
            await connection.execute(
                text("SELECT pg_advisory_unlock(:key)"), {"key": PRESENCE_LOCK}
            )
        await connection.execute(
            text("SELECT pg_advisory_lock_shared(:key)"), {"key": PRESENCE_LOCK}
        )
        self._connection = connection
        return alone

    async def leave(self) -> None:
        """Lets the others know this process has gone."""
        if self._connection is not None and not self._connection.closed:
            # Session-level locks outlive a connection's return to the pool; let go explicitly.
            await self._connection.execute(text("SELECT pg_advisory_unlock_all()"))
            await self._connection.close()
        self._connection = None
