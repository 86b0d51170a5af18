"""Builds colbot's one aiohttp application; colbot/routes.py lists every URL it serves."""

from __future__ import annotations

from aiohttp import web

from colbot.storage.database import Database
from colbot.web.slow_clients import TIMEOUTS_KEY, ClientTimeouts, body_deadline

DATABASE_KEY = web.AppKey("database", Database)
MAX_BODY_BYTES = 1024 * 1024


def make_web_app(database: Database, timeouts: ClientTimeouts | None = None) -> web.Application:
    """An empty application with the database on it; features install their state next."""
    app = web.Application(client_max_size=MAX_BODY_BYTES, middlewares=[body_deadline])
    app[DATABASE_KEY] = database
    app[TIMEOUTS_KEY] = timeouts or ClientTimeouts()
    return app
