"""/settings on every channel: nudges off / weekly / normal, personal quiet hours, the digest."""

from __future__ import annotations

from colbot.app import Colbot
from colbot.people import store as people
from colbot.storage.models import YoungPerson
from tests.support.talk import AnyTalker, Talk


async def _person(channel_colbot: Colbot, talker: AnyTalker) -> YoungPerson:
    async with channel_colbot.database.transaction() as session:
        found = await people.find_by_identity(session, talker.channel, talker.chat_id)
        assert found is not None
        await session.refresh(found)
        session.expunge(found)
        return found


async def _signed_up(talk: Talk, name: str) -> AnyTalker:
    talker = talk(name)
    await talker.say("/start")
    await talker.press("Yes")
    for _ in range(6):
        await talker.press("Skip")
    await talker.press("No, only when I ask")
    return talker


async def test_nudges_can_be_normal_weekly_or_off(channel_colbot: Colbot, talk: Talk) -> None:
    sam = await _signed_up(talk, "nudges")
    assert (await _person(channel_colbot, sam)).nudges == "off"  # until they say yes
    await sam.say("/settings")
    assert {"🔔 Messages from me", "🌙 Quiet hours", "🗓️ Weekly digest"} <= set(
        sam.last.button_labels()
    )
    await sam.press("Messages from me")
    assert "How often is OK?" in sam.last_text()
    await sam.press("At most once a week")
    assert "Saved" in sam.last_text()
    assert (await _person(channel_colbot, sam)).nudges == "weekly"
    await sam.say("/settings")
    await sam.press("Messages from me")
    await sam.say("normal")
    assert (await _person(channel_colbot, sam)).nudges == "normal"
    await sam.say("/settings")
    await sam.press("Messages from me")
    await sam.say("whenever")
    assert "normal, weekly or off" in sam.last_text()
    await sam.say("off")
    assert (await _person(channel_colbot, sam)).nudges == "off"


async def test_quiet_hours_by_button_typed_none_or_the_citys(
    channel_colbot: Colbot, talk: Talk
) -> None:
    jo = await _signed_up(talk, "quiet")
    assert (await _person(channel_colbot, jo)).quiet_hours is None  # the city's, until they choose
    await jo.say("/settings")
    await jo.press("Quiet hours")
    assert "The usual (21:00-08:00)" in jo.last.button_labels()
    await jo.press("22:00 to 07:00")
    assert (await _person(channel_colbot, jo)).quiet_hours == "22:00-07:00"
    for typed, stored in (("21:30-07:15", "21:30-07:15"), ("22.00 to 6.30", "22:00-06:30")):
        await jo.say("/settings")
        await jo.press("Quiet hours")
        await jo.say(typed)
        assert "Saved" in jo.last_text()
        assert (await _person(channel_colbot, jo)).quiet_hours == stored
    await jo.say("/settings")
    await jo.press("Quiet hours")
    await jo.say("late-ish")
    assert "like 21:00-08:00" in jo.last_text()
    await jo.say("25:00-08:00")
    assert "like 21:00-08:00" in jo.last_text()
    await jo.say("none")
    assert (await _person(channel_colbot, jo)).quiet_hours == ""
    await jo.say("/settings")
    await jo.press("Quiet hours")
    await jo.press("The usual")
    assert (await _person(channel_colbot, jo)).quiet_hours is None


async def test_the_weekly_digest_is_off_until_switched_on(
    channel_colbot: Colbot, talk: Talk
) -> None:
    kim = await _signed_up(talk, "digest")
    assert (await _person(channel_colbot, kim)).digest is False
    await kim.say("/settings")
    await kim.press("Weekly digest")
    assert "weekly message with new things" in kim.last_text()
    await kim.press("Yes please")
    assert (await _person(channel_colbot, kim)).digest is True
    await kim.say("/settings")
    await kim.press("Weekly digest")
    await kim.say("no thanks")
    assert (await _person(channel_colbot, kim)).digest is False
