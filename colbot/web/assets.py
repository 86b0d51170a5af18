"""The public pages' stylesheet and icon, served from memory under content-hashed addresses."""

from __future__ import annotations

import hashlib
from collections.abc import Awaitable, Callable

from aiohttp import web

from colbot.web.pages import STATIC_DIR

TYPES = {"journey.css": "text/css", "journey-icon.svg": "image/svg+xml"}
CACHE = "public, max-age=86400"
HASH_CHARS = 12


def _read(name: str) -> tuple[bytes, str]:
    body = (STATIC_DIR / name).read_bytes()
    return body, hashlib.sha256(body).hexdigest()[:HASH_CHARS]


def urls() -> dict[str, str]:
    """Each file's address with its content hash, so a changed file is fetched afresh."""
    return {name: f"/static/{name}?v={_read(name)[1]}" for name in TYPES}


def _handler(name: str) -> Callable[[web.Request], Awaitable[web.Response]]:
    body, _ = _read(name)

    async def serve(request: web.Request) -> web.Response:
        return web.Response(body=body, content_type=TYPES[name], headers={"Cache-Control": CACHE})

    return serve


def add_routes(app: web.Application) -> None:
    """Serves each file at /static/<name>."""
    for name in TYPES:
        app.router.add_get(f"/static/{name}", _handler(name))
