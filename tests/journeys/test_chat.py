"""/journey in the chat, on the engine and through Telegram: the link, sharing, what shows."""

from __future__ import annotations

import re

from sqlalchemy import select

from colbot.app import Colbot
from colbot.chat.turn import Turn
from colbot.codes.redeemed import RedeemedReply
from colbot.journeys.chat import journey_offer
from colbot.journeys.shared import public_journey
from colbot.storage.models import IssuedBadge, Journey
from tests.support.staff import after_the_session, make_code, staff_talker
from tests.support.talk import AnyTalker, Talk

LINK = re.compile(r"https?://\S+/j/([A-Za-z0-9_-]{22,})")


def link_in(text: str) -> str:
    found = LINK.search(text)
    assert found, text
    return found.group(1)


async def shared(channel_colbot: Colbot, slug: str) -> bool:
    async with channel_colbot.database.reading() as session:
        return await public_journey(session, slug) is not None


async def journey_of(channel_colbot: Colbot, talker: AnyTalker) -> Journey:
    async with channel_colbot.database.reading() as session:
        journey = await session.scalar(select(Journey).order_by(Journey.id.desc()))
    assert journey is not None
    return journey


async def redeemer_with_a_badge(channel_colbot: Colbot, talk: Talk, name: str = "sam") -> AnyTalker:
    staff = await staff_talker(channel_colbot, talk, f"{name}-staff")
    code = await make_code(staff)
    await after_the_session(channel_colbot, code)
    young = talk(name)
    await young.say(code)
    assert "Brilliant work" in young.recent(12)
    return young


async def test_journey_gives_a_private_link_and_its_qr_code(
    channel_colbot: Colbot, talk: Talk
) -> None:
    sam = await redeemer_with_a_badge(channel_colbot, talk)
    replies = await sam.say("/journey")
    card, status = replies[-2], replies[-1]
    assert card.image is not None and card.image.content.startswith(b"\x89PNG")
    slug = link_in(card.text)
    assert "Sharing is off" in status.text
    assert not await shared(channel_colbot, slug)
    replies = await sam.press("Turn sharing on")
    assert "anyone with your link can see" in sam.last_text()
    assert "Turn sharing off" in sam.last.button_labels()[0]
    assert await shared(channel_colbot, slug)
    await sam.press("Turn sharing off")
    assert "Sharing is off" in sam.last_text()
    assert not await shared(channel_colbot, slug)


async def test_a_new_link_stops_the_old_one_at_once(channel_colbot: Colbot, talk: Talk) -> None:
    sam = await redeemer_with_a_badge(channel_colbot, talk)
    old = link_in((await sam.say("/journey"))[-2].text)
    await sam.press("Turn sharing on")
    replies = await sam.press("Make a new link")
    assert "old one stopped working" in replies[0].text
    new = link_in(next(r.text for r in replies if r.image is not None))
    assert new != old
    assert not await shared(channel_colbot, old)
    assert await shared(channel_colbot, new)


async def test_choosing_what_shows(channel_colbot: Colbot, talk: Talk) -> None:
    sam = await redeemer_with_a_badge(channel_colbot, talk)
    slug = link_in((await sam.say("/journey"))[-2].text)
    await sam.press("Turn sharing on")
    await sam.press("Choose what shows")
    labels = sam.last.button_labels()
    assert "✅ Nickname" in labels and "✅ Passions" in labels
    badge_label = next(
        label
        for label in labels
        if label.startswith("✅") and "Nick" not in label and "Passions" not in label
    )
    await sam.press("✅ Nickname")
    assert "⬜ Nickname" in sam.last.button_labels()
    await sam.press(badge_label)
    assert badge_label.replace("✅", "⬜") in sam.last.button_labels()
    async with channel_colbot.database.reading() as session:
        journey = await public_journey(session, slug)
    assert journey is not None and journey.nickname is None
    assert badge_label.removeprefix("✅ ") not in [badge.name for badge in journey.badges]
    await sam.press("Done")
    assert "Sharing is on" in sam.last_text()


async def test_buttons_for_someone_elses_badge_do_nothing(
    channel_colbot: Colbot, talk: Talk
) -> None:
    sam = await redeemer_with_a_badge(channel_colbot, talk)
    other = await redeemer_with_a_badge(channel_colbot, talk, "alex")
    async with channel_colbot.database.reading() as session:
        theirs = await session.scalar(select(IssuedBadge.public_id).order_by(IssuedBadge.id.desc()))
    await sam.say("/journey")
    await sam.press_data(f"jbadge|{theirs}|0")
    assert "didn't understand that button" in sam.last_text()
    assert other


async def test_journey_before_any_profile_explains_how_it_starts(talk: Talk) -> None:
    nobody = talk("nobody")
    await nobody.say("/journey")
    assert "learning journey" in nobody.last_text()


async def test_journey_offer_hands_the_link_over_after_a_badge(
    channel_colbot: Colbot, talk: Talk
) -> None:
    async def offer(turn: Turn, redemption: object) -> RedeemedReply:
        return RedeemedReply([await journey_offer(turn)])

    redeemer = next(
        handler.__self__
        for router in channel_colbot.engine.routers
        for handler in router.text_handlers
        if type(getattr(handler, "__self__", None)).__name__ == "Redeemer"
    )
    redeemer.on_redeemed = (*redeemer.on_redeemed, offer)
    sam = await redeemer_with_a_badge(channel_colbot, talk)
    offered = next(m for m in reversed(sam.history) if "on your learning journey:" in m.text)
    slug = link_in(offered.text)
    assert "Sharing is off" in offered.text
    await sam.press("Turn sharing on", offered)
    assert await shared(channel_colbot, slug)
