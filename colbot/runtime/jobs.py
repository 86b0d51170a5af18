"""Scheduled jobs in flight: so that stopping lets a running job finish before its database goes.

APScheduler 3's asyncio executor cancels running coroutine jobs on shutdown and cannot wait for
them; a drain cancelled mid-send, with the database disposed under it, leaves its connection
half-closed and its claimed messages to be recovered later.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable

log = logging.getLogger(__name__)


class JobsInFlight:
    """Keeps the tasks of the scheduled jobs now running, to wait for them when colbot stops."""

    def __init__(self) -> None:
        self._running: set[asyncio.Task[object]] = set()

    @property
    def running(self) -> int:
        """How many jobs are running now."""
        return sum(1 for task in self._running if not task.done())

    def track(self, work: Callable[[], Awaitable[None]]) -> Callable[[], Awaitable[None]]:
        """The job to schedule: runs `work`, remembered as in flight until it ends."""

        async def tracked() -> None:
            task = asyncio.current_task()
            assert task is not None, "scheduled jobs run as asyncio tasks"
            self._running.add(task)
            try:
                await work()
            finally:
                self._running.discard(task)

        return tracked

    async def finish(self, grace_s: float) -> None:
        """Waits up to `grace_s` for running jobs to end, then cancels and awaits what is left."""
        running = {task for task in self._running if not task.done()}
        if not running:
            return
        _, late = await asyncio.wait(running, timeout=grace_s)
        if not late:
            return
        log.warning(
            "%d scheduled job(s) still running after %.0f s; stopping them", len(late), grace_s
        )
        for task in late:
            task.cancel()
        await asyncio.gather(*late, return_exceptions=True)
