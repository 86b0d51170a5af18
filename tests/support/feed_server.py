"""A loopback feed server: the fixture RPDE pages by feed and position, as providers serve them."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pytest
from aiohttp import web
from aiohttp.test_utils import TestServer

PAGES = Path(__file__).parent.parent / "fixtures" / "feeds"
CALENDARS = Path(__file__).parent.parent / "fixtures" / "calendars"
LAST_MODIFIED = "Tue, 01 Dec 2026 09:00:00 GMT"


class FeedServer:
    """Serves the fixture pages by feed and position, and remembers what it was asked."""

    def __init__(self) -> None:
        self.positions: dict[str, dict[str, str]] = {
            "combined": {
                "": "combined-1",
                "afterTimestamp=104&afterId=c4": "combined-2",
                "afterTimestamp=107&afterId=c4": "combined-3",
                "afterTimestamp=109&afterId=c7": "combined-4",
                "afterTimestamp=110&afterId=c8": "combined-6",
            },
            "sessions": {"": "sessions-1", "afterTimestamp=202&afterId=a2": "sessions-2"},
            "series": {"": "series-1", "afterTimestamp=301&afterId=club": "series-2"},
        }
        self.asked: list[tuple[str, str, str | None]] = []
        # Every request's If-Modified-Since, in order (the ETag is in `asked`).
        self.since: list[str | None] = []
        # Pages made in a test, by name, served before the fixture files of that name.
        self.made: dict[str, str] = {}
        # While set, every request is answered 429 with this Retry-After.
        self.busy_for: str | None = None
        # While set, every request waits this long before answering (a stalled server).
        self.stall_s: float | None = None
        # Feeds answered with a redirect to the address given.
        self.redirects: dict[str, str] = {}
        self.base = ""

    async def page(self, request: web.Request) -> web.StreamResponse:
        feed = request.match_info["feed"]
        self.asked.append((feed, request.query_string, request.headers.get("If-None-Match")))
        self.since.append(request.headers.get("If-Modified-Since"))
        if self.stall_s is not None:
            await asyncio.sleep(self.stall_s)
        if self.busy_for is not None:
            return web.Response(status=429, headers={"Retry-After": self.busy_for})
        if feed in self.redirects:
            raise web.HTTPFound(self.redirects[feed])
        if feed.endswith(".ics"):
            return self.calendar(request, feed)
        name = self.positions.get(feed, {}).get(request.query_string)
        if name is None:
            raise web.HTTPNotFound()
        etag = f'"{name}"'
        if request.headers.get("If-None-Match") == etag:
            return web.Response(status=304)
        text = self.made.get(name) or (PAGES / f"{name}.json").read_text()
        return web.Response(
            text=text.replace("{base}", self.base),
            content_type="application/json",
            headers={"ETag": etag, "Last-Modified": LAST_MODIFIED},
        )

    def calendar(self, request: web.Request, name: str) -> web.StreamResponse:
        """A calendar export, answered 304 when asked If-Modified-Since its own time."""
        if request.headers.get("If-Modified-Since") == LAST_MODIFIED:
            return web.Response(status=304)
        path = CALENDARS / name
        if name not in self.made and not path.exists():
            raise web.HTTPNotFound()
        body = self.made[name].encode() if name in self.made else path.read_bytes()
        return web.Response(
            body=body,
            content_type="text/calendar",
            headers={"Last-Modified": LAST_MODIFIED},
        )


@pytest.fixture
async def feed_server() -> Any:
    server = FeedServer()
    app = web.Application()
    app.router.add_get("/{feed}", server.page)
    test_server = TestServer(app, host="127.0.0.1")
    await test_server.start_server()
    server.base = str(test_server.make_url("")).rstrip("/")
    yield server
    await test_server.close()
