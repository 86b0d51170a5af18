"""Word between colbot processes through PostgreSQL's LISTEN/NOTIFY: no other server to run.

A notice is only a hint to look now. Whoever acts on one reads the database, so a notice missed
while the listening connection was down costs only the wait until it is back, when `caught_up`
runs and everything is read again.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable

import asyncpg
from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncSession

log = logging.getLogger(__name__)

# How often the listening connection is checked, so one the network dropped silently is replaced.
CHECK_EVERY_S = 5.0
CHECK_TIMEOUT_S = 5.0
FIRST_RETRY_S = 0.5
MAX_RETRY_S = 10.0


async def announce(session: AsyncSession, channel: str, payload: str) -> None:
    """Queues a notice in the caller's transaction: PostgreSQL sends it when (and if) it commits."""
    await session.execute(
        text("SELECT pg_notify(:channel, :payload)"), {"channel": channel, "payload": payload}
    )


def asyncpg_dsn(url: str) -> str:
    """The plain PostgreSQL address asyncpg connects to, from colbot's SQLAlchemy URL."""
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


class Listener:
    """Listens on one channel on a connection of its own, reconnecting for as long as it runs."""

    def __init__(
        self,
        url: str,
        channel: str,
        heard: Callable[[str], None],
        caught_up: Callable[[], Awaitable[None]],
    ) -> None:
        self.dsn = asyncpg_dsn(url)
        self.channel = channel
        self.heard = heard
        # Runs each time listening starts (again), to read what may have been missed meanwhile.
        self.caught_up = caught_up
        self.listening = asyncio.Event()
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        """Starts listening in the background."""
        self._task = asyncio.create_task(self._run(), name=f"listen {self.channel}")

    async def stop(self) -> None:
        """Stops listening and closes the connection."""
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None

    def _on_notice(self, _connection: object, _pid: int, _channel: str, payload: str) -> None:
        try:
            self.heard(payload)
        except Exception:
            log.exception("could not act on a notice on %s", self.channel)

    async def _run(self) -> None:
        retry_s = FIRST_RETRY_S
        while True:
            try:
                await self._listen_until_lost()
                retry_s = FIRST_RETRY_S
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                log.warning(
                    "lost the %s listener (%s); again in %.1f s",
                    self.channel,
                    exc.__class__.__name__,
                    retry_s,
                )
            self.listening.clear()
            await asyncio.sleep(retry_s)
            retry_s = min(retry_s * 2, MAX_RETRY_S)

    async def _listen_until_lost(self) -> None:
        connection = await asyncpg.connect(
            self.dsn, server_settings={"application_name": f"colbot listening on {self.channel}"}
        )
        try:
            await connection.add_listener(self.channel, self._on_notice)
            self.listening.set()
            await self.caught_up()
            while not connection.is_closed():
                await asyncio.sleep(CHECK_EVERY_S)
                await connection.fetchval("SELECT 1", timeout=CHECK_TIMEOUT_S)
        finally:
            with contextlib.suppress(Exception):
                await asyncio.wait_for(connection.close(), CHECK_TIMEOUT_S)
