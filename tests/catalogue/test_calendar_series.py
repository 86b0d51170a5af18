"""A followed calendar's repeats: one row per date, one series, and a window that rolls on."""

from __future__ import annotations

import dataclasses
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from aiohttp import web
from aiohttp.test_utils import TestServer
from sqlalchemy import select

from colbot.app import Colbot
from colbot.catalogue import feeds
from colbot.clock import FrozenClock
from colbot.runtime.leases import RunOnce
from colbot.storage.models import Opportunity

WEEKLY = Path(__file__).parent.parent / "fixtures" / "calendars" / "weekly.ics"
BAND = "4b7t0q2weekly9band@google.com"
PARTNER = "Northgate Library"


class CalendarServer:
    """Serves the calendar with an ETag, as Google Calendar does, and notes each request."""

    def __init__(self) -> None:
        self.asked: list[str | None] = []

    async def calendar(self, request: web.Request) -> web.StreamResponse:
        self.asked.append(request.headers.get("If-None-Match"))
        if request.headers.get("If-None-Match") == '"weekly"':
            return web.Response(status=304)
        return web.Response(
            body=WEEKLY.read_bytes(), content_type="text/calendar", headers={"ETag": '"weekly"'}
        )


@pytest.fixture
async def calendar_url() -> AsyncIterator[tuple[str, CalendarServer]]:
    server = CalendarServer()
    app = web.Application()
    app.router.add_get("/band.ics", server.calendar)
    test_server = TestServer(app, host="127.0.0.1")
    await test_server.start_server()
    yield str(test_server.make_url("/band.ics")), server
    await test_server.close()


async def dates(colbot: Colbot) -> dict[datetime, tuple[str, datetime]]:
    """Each date of the band practice: its start, with its source id and when it last changed."""
    async with colbot.database.transaction() as session:
        rows = await session.scalars(select(Opportunity).where(Opportunity.series_key == BAND))
        return {o.starts_at.astimezone(UTC): (o.source_id, o.updated_at) for o in rows}


def tuesdays(first: datetime, count: int, skip: frozenset[int] = frozenset({1})) -> list[datetime]:
    """Weekly from the first, leaving out the EXDATE (the second week)."""
    return [first + timedelta(weeks=w) for w in range(count) if w not in skip]


async def test_a_later_poll_adds_the_dates_that_came_into_the_window_and_nothing_else(
    colbot: Colbot, calendar_url: tuple[str, CalendarServer]
) -> None:
    url, server = calendar_url
    colbot.settings = dataclasses.replace(colbot.settings, feeds_allow_private=True)
    clock = colbot.clock
    assert isinstance(clock, FrozenClock)
    job = RunOnce(colbot.database, clock.now).job(
        "poll_feeds", colbot.settings.feeds_poll_interval, colbot.poll_feeds
    )
    await feeds.follow(colbot.database, url, PARTNER, clock.now(), allow_private=True)
    await job()

    first = datetime(2026, 12, 1, 17, tzinfo=UTC)
    found = await dates(colbot)
    # 8 weeks from Saturday 28 November: seven Tuesdays, 8 December left out (EXDATE).
    assert sorted(found) == tuesdays(first, 8)
    assert len({source_id for source_id, _ in found.values()}) == 7, "each date its own row"

    clock.advance(timedelta(hours=2))
    await job()
    assert server.asked[-1] == '"weekly"', "the same day: asked only if it changed"
    assert await dates(colbot) == found

    clock.advance(timedelta(days=7))
    await job()
    assert server.asked[-1] is None, "a new day: read whole, since the window has moved on"
    later = await dates(colbot)
    assert sorted(later) == tuesdays(first, 9)
    assert {start: later[start] for start in found} == found, "nothing else changed"
