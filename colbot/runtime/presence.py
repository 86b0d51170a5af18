"""Whether this colbot process is alone on its database, so a restart may take back every claim.

On PostgreSQL each running process holds a shared advisory lock on one connection for as long as
it lives; the server lets go of it the moment the process dies, even by kill -9. A process starting
while nobody holds it is alone. SQLite is one process per database, so it is always alone.
"""

from __future__ import annotations

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection

from colbot.storage.database import Database

PRESENCE_LOCK = 0x636F6C626F74  # "colbot"


class Presence:
    """This process's place among the colbot processes sharing one database."""

    def __init__(self, database: Database) -> None:
        self.database = database
        self._connection: AsyncConnection | None = None

    async def join(self) -> bool:
        """Announces this process; True if no other colbot process is running on the database."""
        if not self.database.is_postgres:
            return True
        connection = await self.database.keep_connection()
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
