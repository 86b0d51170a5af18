"""Following OpenActive feeds from a loopback feed server, through the scheduled poll job."""

from __future__ import annotations

import asyncio
import copy
import dataclasses
import json
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
from colbot.catalogue.importers import parse_ics
from colbot.clock import FrozenClock
from colbot.runtime.leases import RunOnce
from colbot.storage.models import Feed, Opportunity, OutboxMessage
from tests.support.feed_server import CALENDARS, LAST_MODIFIED, PAGES, FeedServer

PARTNER = "Eastfield Youth Centre"
# A one-line CSV that brings in a partner for a fresh data folder.
DEMO_PARTNER = Path(__file__).parent.parent / "fixtures" / "feeds" / "partner.csv"
SESSION = "https://opendata.example.org/scheduled-sessions/"


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


async def the_feed(colbot: Colbot) -> Feed:
    async with colbot.database.transaction() as session:
        feed = await session.scalar(select(Feed))
    assert feed is not None
    return feed


async def test_retry_after_is_honoured_before_the_next_poll(
    following: Colbot, feed_server: FeedServer
) -> None:
    colbot = following
    url = f"{feed_server.base}/combined"
    await feeds.follow(colbot.database, url, PARTNER, colbot.clock.now(), allow_private=True)
    feed_server.busy_for = "36000"  # ten hours, far beyond the back-off of a first failure
    await job(colbot)()
    feed = await the_feed(colbot)
    assert feed.failures == 1 and "429" in (feed.last_error or "")
    assert feed.next_poll_at is not None
    assert feed.next_poll_at - colbot.clock.now() >= timedelta(hours=10)

    feed_server.busy_for = None
    feed_server.asked.clear()
    advance(colbot, 9)
    await job(colbot)()
    assert feed_server.asked == [], "asked to wait ten hours, colbot waits"
    advance(colbot, 2)
    await job(colbot)()
    assert feed_server.asked[0] == ("combined", "", None)
    assert sorted(await by_id(colbot)) == ["c1", "c2", "c3", "c4", "c5", "c6"]
    assert (await the_feed(colbot)).failures == 0


async def test_a_re_poll_is_conditional_and_a_304_changes_nothing(
    following: Colbot, feed_server: FeedServer
) -> None:
    colbot = following
    url = f"{feed_server.base}/combined"
    await feeds.follow(colbot.database, url, PARTNER, colbot.clock.now(), allow_private=True)
    await job(colbot)()
    assert feed_server.since[0] is None and feed_server.asked[0][2] is None, "nothing to compare"
    before = await the_feed(colbot)
    made = {k: (o.status, o.starts_at, o.updated_at) for k, o in (await by_id(colbot)).items()}
    outbox = await outbox_count(colbot)

    feed_server.asked.clear()
    feed_server.since.clear()
    advance(colbot, 2)
    await job(colbot)()
    assert feed_server.asked == [("combined", "afterTimestamp=109&afterId=c7", '"combined-4"')]
    assert feed_server.since == [LAST_MODIFIED]
    after = await the_feed(colbot)
    assert (after.position, after.items_seen, after.etag, after.last_modified) == (
        before.position,
        before.items_seen,
        before.etag,
        before.last_modified,
    )
    assert after.last_success_at == colbot.clock.now() and after.last_error is None
    assert {
        k: (o.status, o.starts_at, o.updated_at) for k, o in (await by_id(colbot)).items()
    } == made
    assert await outbox_count(colbot) == outbox


async def outbox_count(colbot: Colbot) -> int:
    async with colbot.database.transaction() as session:
        return len((await session.scalars(select(OutboxMessage.id))).all())


def jumbled_item(item_id: str, modified: int, title: str) -> dict[str, Any]:
    """The first fixture session under another id, title and modified value."""
    template = json.loads((PAGES / "combined-1.json").read_text())["items"][0]
    item = copy.deepcopy(template)
    item["id"], item["modified"] = item_id, modified
    item["data"]["@id"] = SESSION + item_id
    item["data"]["superEvent"]["name"] = title
    item["data"]["superEvent"]["@id"] = f"https://opendata.example.org/session-series/{item_id}"
    return dict(item)


async def test_modified_values_out_of_order_across_pages_are_all_applied(
    following: Colbot, feed_server: FeedServer
) -> None:
    colbot = following
    last = "afterTimestamp=120&afterId=j4"
    feed_server.positions["jumbled"] = {
        "": "jumbled-1",
        "afterTimestamp=150&afterId=j2": "jumbled-2",
        last: "jumbled-3",
    }
    pages = {
        "jumbled-1": (
            [jumbled_item("j1", 150, "Drama Club"), jumbled_item("j2", 140, "Chess Club")],
            "afterTimestamp=150&afterId=j2",
        ),
        "jumbled-2": (
            [
                jumbled_item("j3", 110, "Coding Club"),
                jumbled_item("j4", 120, "Art Club"),
                jumbled_item("j1", 160, "Drama Club (new time)"),  # newer: applied
                jumbled_item("j2", 130, "Chess Club (old news)"),  # older than seen: not
            ],
            last,
        ),
        "jumbled-3": ([], last),
    }
    for name, (items, after) in pages.items():
        feed_server.made[name] = json.dumps({"items": items, "next": f"{{base}}/jumbled?{after}"})
    url = f"{feed_server.base}/jumbled"
    await feeds.follow(colbot.database, url, PARTNER, colbot.clock.now(), allow_private=True)
    await job(colbot)()

    found = {k: o.title for k, o in (await by_id(colbot)).items()}
    assert found == {
        "j1": "Drama Club (new time)",
        "j2": "Chess Club",
        "j3": "Coding Club",
        "j4": "Art Club",
    }
    feed = await the_feed(colbot)
    assert feed.position == f"{url}?{last}", "the last page's position, not the largest modified"
    assert feed.last_error is None


async def test_harvesting_the_same_feed_again_changes_nothing(
    following: Colbot, feed_server: FeedServer
) -> None:
    colbot = following
    url = f"{feed_server.base}/combined"
    await feeds.follow(colbot.database, url, PARTNER, colbot.clock.now(), allow_private=True)
    await job(colbot)()
    made = {
        k: (o.status, o.starts_at, o.updated_at, o.title, o.cost_pence, o.is_full)
        for k, o in (await by_id(colbot)).items()
    }
    outbox = await outbox_count(colbot)

    # Followed again, and read again from its first page as if new.
    await feeds.follow(colbot.database, url, PARTNER, colbot.clock.now(), allow_private=True)
    async with colbot.database.transaction() as session:
        assert len((await session.scalars(select(Feed))).all()) == 1
        feed = await session.scalar(select(Feed))
        assert feed is not None
        feed.position = feed.etag = feed.last_modified = None
    advance(colbot, 2)
    outcomes = await feeds.poll_due(colbot.feeds(), colbot.clock.now())
    assert outcomes == {url: "4 pages read: 0 created, 0 updated, 0 unchanged, 0 partners created"}
    assert {
        k: (o.status, o.starts_at, o.updated_at, o.title, o.cost_pence, o.is_full)
        for k, o in (await by_id(colbot)).items()
    } == made
    assert await outbox_count(colbot) == outbox


async def test_a_calendar_url_is_followed_and_polled_by_the_scheduled_job(
    following: Colbot, feed_server: FeedServer
) -> None:
    colbot = following
    url = f"{feed_server.base}/google.ics"
    await feeds.follow(colbot.database, url, PARTNER, colbot.clock.now(), allow_private=True)
    await job(colbot)()
    feed = await the_feed(colbot)
    assert feed.kind == "ics" and feed.last_error is None
    assert feed.last_success_at == colbot.clock.now()

    expected = {
        item.fields.source_id: item.fields.status
        for item in parse_ics(
            (CALENDARS / "google.ics").read_bytes(),
            colbot.city,
            colbot.feeds().passions,
            colbot.city.timezone,
            now=colbot.clock.now(),
        )
    }
    async with colbot.database.transaction() as session:
        rows = (await session.scalars(select(Opportunity))).all()
        stored = {o.source_id: o.status for o in rows if o.source_id in expected}
    # Dates the calendar calls off that colbot never showed are not made at all.
    live = {sid: status for sid, status in expected.items() if status != "cancelled"}
    assert stored == live and len(live) >= 8 and len(expected) > len(live)
    assert feed.items_seen == len(expected)

    feed_server.since.clear()
    advance(colbot, 2)
    await job(colbot)()
    assert feed_server.since == [LAST_MODIFIED], "asked only if changed since"
    assert (await the_feed(colbot)).last_error is None


async def test_an_unknown_partner_is_refused_with_the_nearest_name(colbot: Colbot) -> None:
    url = "https://opendata.example.org/feeds/sessions"
    with pytest.raises(feeds.PartnerUnknown, match=f"did you mean {PARTNER}?") as refused:
        await feeds.follow(
            colbot.database, url, "Eastfeld Youth Center", colbot.clock.now(), allow_private=False
        )
    assert refused.value.guess == PARTNER
    with pytest.raises(feeds.PartnerUnknown) as far:
        await feeds.follow(
            colbot.database, url, "Zzyzx Qwerty", colbot.clock.now(), allow_private=False
        )
    assert far.value.guess is None and "did you mean" not in str(far.value)
    async with colbot.database.transaction() as session:
        assert await session.scalar(select(Feed)) is None
