"""For whoever runs colbot: /metrics for Prometheus and /readyz for a load balancer."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable

from aiohttp import web
from prometheus_client import generate_latest
from prometheus_client.exposition import CONTENT_TYPE_PLAIN_0_0_4
from sqlalchemy import func, select, text

from colbot import metrics
from colbot.delivery.outbox import PENDING
from colbot.runtime.presence import Presence
from colbot.storage.database import Database
from colbot.storage.models import IssuedBadge, OutboxMessage, Redemption

log = logging.getLogger(__name__)

READY_TIMEOUT_S = 5.0
Ping = Callable[[], Awaitable[object]]
# Each name's problem, for checks that warn without making colbot unready.
Warnings = Callable[[], Awaitable[dict[str, str]]]


async def _database_totals(database: Database) -> None:
    async with database.reading() as session:
        pending = await session.scalar(
            select(func.count()).select_from(OutboxMessage).where(OutboxMessage.status == PENDING)
        )
        redeemed = await session.scalar(select(func.count()).select_from(Redemption))
        issued = await session.scalar(select(func.count()).select_from(IssuedBadge))
    metrics.OUTBOX_DEPTH.set(pending or 0)
    metrics.REDEMPTIONS.set(redeemed or 0)
    metrics.BADGES_ISSUED.set(issued or 0)


class Operations:
    """/healthz, /readyz and /metrics, for whoever runs colbot."""

    def __init__(
        self,
        database: Database,
        telegram: Ping | None,
        warnings: Warnings | None = None,
        presence: Presence | None = None,
    ) -> None:
        self.database = database
        # Asks the Bot API who we are; None while the Telegram channel is off.
        self.telegram = telegram
        # Problems worth a warning that still leave colbot able to serve (no one to alert).
        self.warnings = warnings
        # This process among the others on the database: alone or one of N, and stopping.
        self.presence = presence

    @staticmethod
    async def healthz(request: web.Request) -> web.Response:
        """Says the process is alive."""
        return web.json_response({"status": "ok"})

    async def metrics(self, request: web.Request) -> web.Response:
        """This process's counters and the database's totals, in Prometheus's text format."""
        try:
            await _database_totals(self.database)
        except Exception:
            log.exception("could not read the database totals for /metrics")
        response = web.Response(body=generate_latest(metrics.REGISTRY))
        # The classic text format, which every Prometheus version reads.
        response.headers["Content-Type"] = CONTENT_TYPE_PLAIN_0_0_4
        return response

    async def ready(self, request: web.Request) -> web.Response:
        """200 when the database answers, its schema is current and Telegram answers (or is off)."""
        database, telegram = self.database, self.telegram
        checks: dict[str, str] = {}
        try:
            async with asyncio.timeout(READY_TIMEOUT_S):
                async with database.reading() as session:
                    await session.execute(text("SELECT 1"))
                checks["database"] = "ok"
                current = await database.is_current()
                checks["migrations"] = "ok" if current else "behind: run `colbot db upgrade`"
        except Exception as exc:
            checks.setdefault("database", f"unreachable: {exc.__class__.__name__}")
            checks.setdefault("migrations", "unknown")
        if telegram is None:
            checks["telegram"] = "off"
        else:
            try:
                async with asyncio.timeout(READY_TIMEOUT_S):
                    await telegram()
                checks["telegram"] = "ok"
            except Exception as exc:
                checks["telegram"] = f"unreachable: {exc.__class__.__name__}"
        if self.warnings is not None:
            try:
                for name, problem in (await self.warnings()).items():
                    checks[name] = f"warning: {problem}"
            except Exception:
                log.exception("could not check what /readyz warns about")
        body: dict[str, object] = {"checks": checks}
        if self.presence is not None:
            if self.presence.stopping:
                checks["stopping"] = "finishing the turns in hand; send new pages elsewhere"
            try:
                others = await self.presence.others()
                body["processes"] = "alone" if others == 0 else f"one of {others + 1}"
            except Exception:
                log.exception("could not count the colbot processes for /readyz")
        ready = all(
            value in {"ok", "off"} or value.startswith("warning:") for value in checks.values()
        )
        body["status"] = "ready" if ready else "not ready"
        return web.json_response(body, status=200 if ready else 503)
