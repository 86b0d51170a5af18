"""/follow and /feeds in the city team's chat, against the loopback feed server."""

from __future__ import annotations

import dataclasses

import pytest
from sqlalchemy import select

from colbot.app import Colbot
from colbot.domain.internal_hosts import parse_internal_hosts
from colbot.storage.models import Feed, Opportunity
from tests.support.feed_server import FeedServer
from tests.support.staff import staff_talker
from tests.support.talk import Talk
from tests.team.test_city_team import invited_admin

PARTNER = "Eastfield Youth Centre"
SESSION = "https://opendata.example.org/scheduled-sessions/"


def allow_private(colbot: Colbot, allowed: bool, internal: str = "") -> None:
    """The chat's COLBOT_FEEDS_ALLOW_PRIVATE (the loopback feed server is a private address)
    and COLBOT_INTERNAL_HOSTS."""
    chat = next(r for r in colbot.engine.routers if r.feature == "feeds")
    feeds_chat = chat.commands["follow"].handler.__self__  # type: ignore[attr-defined]
    feeds_chat.harvester = dataclasses.replace(
        feeds_chat.harvester, allow_private=allowed, internal=parse_internal_hosts(internal)
    )


async def made(colbot: Colbot) -> list[str]:
    async with colbot.database.transaction() as session:
        rows = await session.scalars(
            select(Opportunity.source_id).where(Opportunity.source_id.like(SESSION + "%"))
        )
        return sorted(r.removeprefix(SESSION) for r in rows)


@pytest.mark.parametrize("channel", ["console", "telegram", "webchat"], indirect=True)
async def test_an_admin_follows_a_feed_in_the_chat_and_lists_it(
    channel_colbot: Colbot,
    talk: Talk,
    capsys: pytest.CaptureFixture[str],
    feed_server: FeedServer,
) -> None:
    admin = await invited_admin(channel_colbot, talk, capsys)
    allow_private(channel_colbot, True)
    url = f"{feed_server.base}/combined"

    await admin.say("/feeds")
    assert "No feeds followed yet. Send /follow to add one." in admin.last_text()
    await admin.say("/follow")
    assert "/follow https://example.org/feeds/sessions Harbourside Library" in admin.last_text()
    await admin.say("/follow http://[oops/feed Eastfield Youth Centre")
    assert "isn't a web address" in admin.last_text()
    await admin.say("/follow opendata.example.org/feed Eastfield Youth Centre")
    assert "start with https://" in admin.last_text()
    await admin.say(f"/follow {url}")
    assert f"Which partner is {url} for?" in admin.last_text()
    await admin.say(f"/follow {url} Eastfeld Youth Center")
    assert 'I don\'t know a partner called "Eastfeld Youth Center"' in admin.last_text()
    assert f"Did you mean {PARTNER}?" in admin.last_text()
    await admin.say(f"/follow {url} Zzyzx Qwerty")
    assert "Did you mean" not in admin.last_text()
    async with channel_colbot.database.transaction() as session:
        assert await session.scalar(select(Feed)) is None, "nothing followed yet"

    await admin.say(f"/follow {url} {PARTNER.lower()}")
    said = admin.recent(2)
    assert f"Following {url} for {PARTNER}." in said, "the partner's own spelling"
    assert "First read: 4 pages read: 6 created" in said and "2 withdrawn" in said
    assert "9 items seen, 7 opportunities from them" in said
    assert await made(channel_colbot) == ["c1", "c2", "c3", "c4", "c5", "c6"]

    await admin.say("/feeds")
    listed = admin.last_text()
    assert f"1. {PARTNER} (OpenActive feed)" in listed
    assert f"Position: {url}?afterTimestamp=109&afterId=c7" in listed
    assert "Last problem: none" in listed and "Last read OK: not yet" not in listed

    await admin.say("/help")
    assert "/follow" in admin.last_text() and "/feeds" in admin.last_text()


@pytest.mark.parametrize("channel", ["console"], indirect=True)
async def test_a_private_address_is_refused_in_the_chat_unless_allowed(
    channel_colbot: Colbot, talk: Talk, capsys: pytest.CaptureFixture[str]
) -> None:
    admin = await invited_admin(channel_colbot, talk, capsys)
    assert not channel_colbot.settings.feeds_allow_private
    await admin.say(f"/follow http://10.0.0.7/feed {PARTNER}")
    assert "inside a private network" in admin.last_text()
    await admin.say(f"/follow http://user:secret@example.org/feed {PARTNER}")
    assert "user name or password" in admin.last_text()

    # The deployment's own hosts stay refused even where private addresses are allowed.
    allow_private(channel_colbot, True, internal="intranet.kensalfield.gov.uk, 10.20.0.0/16")
    for url in ("https://intranet.kensalfield.gov.uk/feed", "http://10.20.3.4/feed"):
        await admin.say(f"/follow {url} {PARTNER}")
        assert "inside a private network" in admin.last_text()
    async with channel_colbot.database.transaction() as session:
        assert await session.scalar(select(Feed)) is None


@pytest.mark.parametrize("channel", ["console", "webchat"], indirect=True)
async def test_young_people_and_partner_staff_may_not_follow_feeds(
    channel_colbot: Colbot, talk: Talk, feed_server: FeedServer
) -> None:
    allow_private(channel_colbot, True)
    url = f"{feed_server.base}/combined"
    young = talk("yp-1")
    await young.say(f"/follow {url} {PARTNER}")
    assert "only the" in young.last_text() and "can follow partners' feeds" in young.last_text()
    await young.say("/feeds")
    assert "can follow partners' feeds" in young.last_text()
    staff = await staff_talker(channel_colbot, talk, "staff-1")
    await staff.say(f"/follow {url} {PARTNER}")
    assert "can follow partners' feeds" in staff.last_text()
    await staff.say("/help")
    assert "/follow" not in staff.last_text()
    async with channel_colbot.database.transaction() as session:
        assert await session.scalar(select(Feed)) is None
    assert feed_server.asked == []
