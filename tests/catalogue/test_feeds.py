"""Following OpenActive feeds from a loopback feed server, through the scheduled poll job."""

from __future__ import annotations

import asyncio
import dataclasses
import threading
from collections.abc import Callable, Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from aiohttp import web
from aiohttp.test_utils import TestServer
from sqlalchemy import select

from colbot import cli
from colbot.app import Colbot
from colbot.catalogue import feeds
from colbot.clock import FrozenClock
from colbot.runtime.leases import RunOnce
from colbot.storage.models import Feed, Opportunity

PAGES = Path(__file__).parent.parent / "fixtures" / "feeds"
PARTNER = "Eastfield Youth Centre"
# A one-line CSV that brings in a partner for a fresh data folder.
DEMO_PARTNER = Path(__file__).parent.parent / "fixtures" / "feeds" / "partner.csv"
SESSION = "https://opendata.example.org/scheduled-sessions/"


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
        self.base = ""

    async def page(self, request: web.Request) -> web.StreamResponse:
        feed = request.match_info["feed"]
        self.asked.append((feed, request.query_string, request.headers.get("If-None-Match")))
        name = self.positions.get(feed, {}).get(request.query_string)
        if name is None:
            raise web.HTTPNotFound()
        etag = f'"{name}"'
        if request.headers.get("If-None-Match") == etag:
            return web.Response(status=304)
        text = (PAGES / f"{name}.json").read_text().replace("{base}", self.base)
        return web.Response(text=text, content_type="application/json", headers={"ETag": etag})


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


@pytest.fixture
def following(colbot: Colbot) -> Colbot:
    colbot.settings = dataclasses.replace(colbot.settings, feeds_allow_private=True)
    return colbot


async def by_id(colbot: Colbot) -> dict[str, Opportunity]:
    async with colbot.database.transaction() as session:
        rows = await session.scalars(
            select(Opportunity).where(Opportunity.source_id.like(SESSION + "%"))
        )
        return {o.source_id.removeprefix(SESSION): o for o in rows}


def advance(colbot: Colbot, hours: int) -> None:
    assert isinstance(colbot.clock, FrozenClock)
    colbot.clock.advance(timedelta(hours=hours))


def job(colbot: Colbot) -> Callable[[], Any]:
    """The scheduled job as colbot serve runs it: once across processes, under its lease."""
    return RunOnce(colbot.database, colbot.clock.now).job(
        "poll_feeds", colbot.settings.feeds_poll_interval, colbot.poll_feeds
    )


async def test_follow_harvests_every_page_and_resumes_from_its_position(
    following: Colbot, feed_server: FeedServer
) -> None:
    colbot = following
    url = f"{feed_server.base}/combined"
    await feeds.follow(colbot.database, url, PARTNER, colbot.clock.now(), allow_private=True)
    await job(colbot)()

    found = await by_id(colbot)
    # c7 was postponed before colbot ever showed it, so it is not made.
    assert sorted(found) == ["c1", "c2", "c3", "c4", "c5", "c6"]
    assert found["c1"].status == "scheduled" and found["c1"].cost_pence == 150
    assert found["c2"].cost_pence == 225, "the junior offer, not the adult one"
    assert found["c3"].is_full
    assert found["c4"].status == "cancelled"
    assert found["c6"].min_age == 18, "no ageRange: adults"
    async with colbot.database.transaction() as session:
        feed = await session.scalar(select(Feed))
    assert feed is not None and feed.position == f"{url}?afterTimestamp=109&afterId=c7"
    assert feed.last_success_at == colbot.clock.now() and feed.last_error is None

    # c5 was created on page 2 and deleted on page 3: withdrawn, never removed.
    async with colbot.database.transaction() as session:
        c5 = await session.scalar(
            select(Opportunity).where(Opportunity.source_id == SESSION + "c5")
        )
    assert c5 is not None and c5.status == "deleted"

    feed_server.asked.clear()
    advance(colbot, 2)
    await job(colbot)()
    assert feed_server.asked == [("combined", "afterTimestamp=109&afterId=c7", '"combined-4"')]
    assert {k: o.updated_at for k, o in (await by_id(colbot)).items()} == {
        k: o.updated_at for k, o in found.items()
    }

    feed_server.positions["combined"]["afterTimestamp=109&afterId=c7"] = "combined-5"
    advance(colbot, 2)
    await job(colbot)()
    assert "c8" in await by_id(colbot)
    assert [q for _, q, _ in feed_server.asked[1:]] == [
        "afterTimestamp=109&afterId=c7",
        "afterTimestamp=110&afterId=c8",
    ]


async def test_a_split_feed_is_joined_whichever_half_comes_first(
    following: Colbot, feed_server: FeedServer
) -> None:
    colbot = following
    now = colbot.clock.now()
    await feeds.follow(
        colbot.database, f"{feed_server.base}/sessions", PARTNER, now, allow_private=True
    )
    await feeds.poll_due(colbot.feeds(), now)
    assert await by_id(colbot) == {}, "sessions wait for their series"

    await feeds.follow(
        colbot.database, f"{feed_server.base}/series", PARTNER, now, allow_private=True
    )
    await feeds.poll_due(colbot.feeds(), now)
    found = await by_id(colbot)
    assert sorted(found) == ["a1", "a2"]
    assert found["a1"].title == "Saturday Football Club"
    club = "https://opendata.example.org/session-series/club"
    assert found["a1"].series_key == found["a2"].series_key == club, "one club, its dates"


async def test_a_private_address_is_refused_unless_allowed(colbot: Colbot) -> None:
    with pytest.raises(feeds.FeedError, match="internal addresses"):
        await feeds.follow(
            colbot.database,
            "http://127.0.0.1:9/feed",
            PARTNER,
            colbot.clock.now(),
            allow_private=False,
        )


async def test_a_broken_feed_changes_nothing_and_backs_off(
    following: Colbot, feed_server: FeedServer
) -> None:
    colbot = following
    url = f"{feed_server.base}/combined"
    await feeds.follow(colbot.database, url, PARTNER, colbot.clock.now(), allow_private=True)
    await job(colbot)()
    before = {k: (o.status, o.starts_at) for k, o in (await by_id(colbot)).items()}
    feed_server.positions["combined"].clear()  # now every page is 404

    advance(colbot, 2)
    await job(colbot)()
    after = {k: (o.status, o.starts_at) for k, o in (await by_id(colbot)).items()}
    assert after == before
    async with colbot.database.transaction() as session:
        feed = await session.scalar(select(Feed))
    assert feed is not None and feed.failures == 1 and "404" in (feed.last_error or "")
    assert feed.next_poll_at is not None
    assert feed.next_poll_at - colbot.clock.now() >= timedelta(hours=2)


@pytest.fixture
def threaded_feed_server() -> Iterator[FeedServer]:
    """The feed server on its own loop in a thread, for `colbot` run as a command."""
    server = FeedServer()
    loop = asyncio.new_event_loop()
    ready = threading.Event()
    holder: dict[str, TestServer] = {}

    async def start() -> None:
        app = web.Application()
        app.router.add_get("/{feed}", server.page)
        holder["server"] = TestServer(app, host="127.0.0.1")
        await holder["server"].start_server()
        server.base = str(holder["server"].make_url("")).rstrip("/")
        ready.set()

    thread = threading.Thread(target=loop.run_forever, daemon=True)
    thread.start()
    asyncio.run_coroutine_threadsafe(start(), loop)
    ready.wait(10)
    yield server
    asyncio.run_coroutine_threadsafe(holder["server"].close(), loop).result(10)
    loop.call_soon_threadsafe(loop.stop)
    thread.join(10)
    loop.close()


def test_cli_follows_lists_and_polls_a_feed(
    cli_env: Path,
    threaded_feed_server: FeedServer,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    url = f"{threaded_feed_server.base}/combined"
    assert cli.main(["opportunities", "follow", url, "--partner", PARTNER]) == 1
    assert "internal addresses" in capsys.readouterr().err

    monkeypatch.setenv("COLBOT_FEEDS_ALLOW_PRIVATE", "1")
    assert cli.main(["opportunities", "import", str(DEMO_PARTNER), "--new-partner"]) == 0
    assert cli.main(["opportunities", "follow", url, "--partner", "Eastfield Leisure"]) == 0
    out = capsys.readouterr().out
    assert "4 pages read: 6 created" in out and "2 withdrawn" in out

    assert cli.main(["opportunities", "feeds"]) == 0
    listed = capsys.readouterr().out
    assert f"position: {url}?afterTimestamp=109&afterId=c7" in listed
    assert "last error: none" in listed and "1 feed" in listed

    assert cli.main(["opportunities", "poll", url]) == 0
    assert "1 page read: 0 created, 0 updated, 0 unchanged" in capsys.readouterr().out
