"""A followed feed is read only from public addresses, and a bad read never withdraws anything."""

from __future__ import annotations

import dataclasses
import socket
from typing import Any

import aiohttp
import pytest
from aiohttp.abc import AbstractResolver, ResolveResult
from sqlalchemy import select

from colbot.app import Colbot
from colbot.catalogue import feeds, fetch
from colbot.domain.internal_hosts import parse_internal_hosts
from colbot.storage.models import Feed, Opportunity
from tests.catalogue.test_feeds import advance, by_id, job, the_feed
from tests.support.feed_server import FeedServer

PARTNER = "Eastfield Youth Centre"


def configure(colbot: Colbot, *, allow_private: bool, internal: str = "") -> None:
    colbot.settings = dataclasses.replace(
        colbot.settings,
        feeds_allow_private=allow_private,
        internal_hosts=parse_internal_hosts(internal),
    )


async def catalogue(colbot: Colbot) -> dict[str, tuple[str, Any]]:
    """Every session the feed brought in, with its status and start."""
    return {k: (o.status, o.starts_at) for k, o in (await by_id(colbot)).items()}


async def harvested(colbot: Colbot, url: str) -> dict[str, tuple[str, Any]]:
    await feeds.follow(colbot.database, url, PARTNER, colbot.clock.now(), allow_private=True)
    await job(colbot)()
    known = await catalogue(colbot)
    assert len(known) >= 5 and (await the_feed(colbot)).last_error is None
    return known


# -- the address guard ----------------------------------------------------------------------------


async def test_an_internal_host_is_refused_on_follow_even_where_private_is_allowed(
    colbot: Colbot,
) -> None:
    internal = parse_internal_hosts("intranet.kensalfield.gov.uk, 10.20.0.0/16")
    refused = (
        "http://intranet.kensalfield.gov.uk/feed",
        "http://wiki.intranet.kensalfield.gov.uk/x",
        "http://10.20.3.4/feed",
    )
    for url in refused:
        with pytest.raises(feeds.FeedError, match="internal addresses"):
            await feeds.follow(
                colbot.database,
                url,
                PARTNER,
                colbot.clock.now(),
                allow_private=True,
                internal=internal,
            )
    async with colbot.database.transaction() as session:
        assert await session.scalar(select(Feed)) is None


async def test_an_internal_host_is_refused_at_poll_time(
    colbot: Colbot, feed_server: FeedServer
) -> None:
    configure(colbot, allow_private=True)
    before = await harvested(colbot, f"{feed_server.base}/combined")
    # The deployment later marks the feed's network internal: the next poll must not read it.
    configure(colbot, allow_private=True, internal="127.0.0.0/8")
    feed_server.asked.clear()
    advance(colbot, 2)
    await job(colbot)()
    feed = await the_feed(colbot)
    assert feed_server.asked == []
    assert "internal addresses" in (feed.last_error or "")
    assert await catalogue(colbot) == before


async def test_a_loopback_feed_is_refused_at_poll_time_unless_private_is_allowed(
    colbot: Colbot, feed_server: FeedServer
) -> None:
    configure(colbot, allow_private=True)
    before = await harvested(colbot, f"{feed_server.base}/combined")
    configure(colbot, allow_private=False)
    feed_server.asked.clear()
    advance(colbot, 2)
    await job(colbot)()
    assert feed_server.asked == []
    assert "internal addresses" in ((await the_feed(colbot)).last_error or "")
    assert await catalogue(colbot) == before


async def test_a_redirect_to_an_internal_host_is_refused(
    colbot: Colbot, feed_server: FeedServer
) -> None:
    configure(colbot, allow_private=True, internal="127.0.0.2")
    port = feed_server.base.rsplit(":", 1)[1]
    feed_server.redirects["moved"] = f"http://127.0.0.2:{port}/combined"
    await feeds.follow(
        colbot.database,
        f"{feed_server.base}/moved",
        PARTNER,
        colbot.clock.now(),
        allow_private=True,
    )
    await job(colbot)()
    assert [feed for feed, _, _ in feed_server.asked] == ["moved"], "never followed"
    assert "internal addresses such as 127.0.0.2" in ((await the_feed(colbot)).last_error or "")
    assert await catalogue(colbot) == {}


class Rebinding(AbstractResolver):
    """DNS as an attacker's name server answers it: a public-looking name for this machine."""

    async def resolve(
        self, host: str, port: int = 0, family: socket.AddressFamily = socket.AF_INET
    ) -> list[ResolveResult]:
        return [
            ResolveResult(
                hostname=host, host="127.0.0.1", port=port, family=socket.AF_INET, proto=0, flags=0
            )
        ]

    async def close(self) -> None:
        return None


@pytest.mark.parametrize("allow_private", [False, True])
async def test_a_public_name_that_points_inside_is_refused_by_its_address(
    feed_server: FeedServer, allow_private: bool
) -> None:
    port = feed_server.base.rsplit(":", 1)[1]
    url = f"http://feeds.opendata.example.org:{port}/combined"
    resolver = fetch.GuardedResolver(allow_private, parse_internal_hosts(""))
    resolver.resolver = Rebinding()
    connector = aiohttp.TCPConnector(resolver=resolver)
    async with aiohttp.ClientSession(connector=connector) as client:
        if allow_private:
            page = await fetch.fetch(client, url, allow_private=True)
            assert page.status == 200, "the same name is read where private addresses are allowed"
        else:
            with pytest.raises(fetch.FetchRefused, match="points to an internal address"):
                await fetch.fetch(client, url, allow_private=False)
            assert feed_server.asked == []


# -- a bad read withdraws nothing -----------------------------------------------------------------


async def test_a_stalled_feed_times_out_and_withdraws_nothing(
    colbot: Colbot, feed_server: FeedServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    configure(colbot, allow_private=True)
    before = await harvested(colbot, f"{feed_server.base}/combined")
    monkeypatch.setattr(fetch, "PAGE_TIMEOUT_S", 0.2)
    feed_server.stall_s = 5.0
    advance(colbot, 2)
    await job(colbot)()
    feed = await the_feed(colbot)
    assert "did not answer" in (feed.last_error or "") and feed.failures == 1
    assert await catalogue(colbot) == before


@pytest.mark.parametrize(
    "body",
    [
        '{"items": [], "next": "{base}/combined?afterTimestamp=109&afterId=c7"}',
        "",
        "   \n",
        '{"items": [{"state": "updated"',
        "<html><body>Site under maintenance</body></html>",
        '{"next": "{base}/combined?afterTimestamp=109&afterId=c7"}',
    ],
    ids=["empty", "blank", "whitespace", "cut-off", "html", "no-items"],
)
async def test_an_empty_or_broken_feed_page_withdraws_nothing(
    colbot: Colbot, feed_server: FeedServer, body: str
) -> None:
    configure(colbot, allow_private=True)
    before = await harvested(colbot, f"{feed_server.base}/combined")
    # The feed's latest page now answers with nothing useful.
    feed_server.made["combined-4"] = body
    advance(colbot, 2)
    await job(colbot)()
    assert await catalogue(colbot) == before


CALENDAR_EVENTS = "google.ics"


@pytest.mark.parametrize(
    "body",
    [
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Google Inc//Google Calendar//EN\r\n"
        "END:VCALENDAR\r\n",
        "",
        "BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nSUMMARY:Half an event",
        "<html><body>Sign in to view this calendar</body></html>",
    ],
    ids=["no-events", "blank", "cut-off", "html"],
)
async def test_an_empty_or_broken_calendar_withdraws_nothing(
    colbot: Colbot, feed_server: FeedServer, body: str
) -> None:
    configure(colbot, allow_private=True)
    url = f"{feed_server.base}/{CALENDAR_EVENTS}"
    await feeds.follow(colbot.database, url, PARTNER, colbot.clock.now(), allow_private=True)
    await job(colbot)()
    async with colbot.database.transaction() as session:
        before = {o.source_id: o.status for o in await session.scalars(select(Opportunity))}
    feed_server.made[CALENDAR_EVENTS] = body
    advance(colbot, 25)  # the next day, when a calendar is read whole again
    await job(colbot)()
    async with colbot.database.transaction() as session:
        after = {o.source_id: o.status for o in await session.scalars(select(Opportunity))}
    assert after == before
