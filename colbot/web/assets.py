"""The public pages' stylesheet and icon, served from memory under content-hashed addresses."""

from __future__ import annotations

import hashlib

from aiohttp import web

from colbot.web.pages import STATIC_DIR

TYPES = {"journey.css": "text/css", "journey-icon.svg": "image/svg+xml"}
CACHE = "public, max-age=86400"
ICON = "journey-icon.svg"
HASH_CHARS = 12


def _read(name: str) -> tuple[bytes, str]:
    body = (STATIC_DIR / name).read_bytes()
    return body, hashlib.sha256(body).hexdigest()[:HASH_CHARS]


def urls() -> dict[str, str]:
    """Each file's address with its content hash, so a changed file is fetched afresh."""
    return {name: f"/static/{name}?v={_read(name)[1]}" for name in TYPES}


BODIES = {name: _read(name)[0] for name in TYPES}


async def static_asset(request: web.Request) -> web.Response:
    """One of the public pages' files, at /static/<name>."""
    name = request.match_info["name"]
    if name not in BODIES:
        raise web.HTTPNotFound()
    return web.Response(
        body=BODIES[name], content_type=TYPES[name], headers={"Cache-Control": CACHE}
    )


async def favicon(request: web.Request) -> web.Response:
    """The icon at /favicon.ico, where browsers look when a page names none."""
    return web.Response(
        body=BODIES[ICON], content_type=TYPES[ICON], headers={"Cache-Control": CACHE}
    )
