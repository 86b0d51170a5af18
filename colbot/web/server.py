"""Builds colbot's one aiohttp application."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from aiohttp import web

from colbot.badges import web as badges
from colbot.badges.publishing import Publisher
from colbot.storage.database import Database

WebhookHandler = Callable[[web.Request], Awaitable[web.Response]]
DATABASE_KEY = web.AppKey("database", Database)


async def healthz(request: web.Request) -> web.Response:
    """Says the process is alive."""
    return web.json_response({"status": "ok"})


def make_web_app(
    database: Database, webhook: WebhookHandler | None, badge_site: Publisher | None = None
) -> web.Application:
    """The routes colbot serves; the webhook route exists only in webhook mode."""
    app = web.Application(client_max_size=1024 * 1024)
    app[DATABASE_KEY] = database
    app.router.add_get("/healthz", healthz)
    if badge_site is not None:
        badges.add_routes(app, database, badge_site)
    if webhook is not None:
        app.router.add_post("/telegram/webhook", webhook)
    return app
