"""High privacy by default: nothing unasked-for until a young person says yes, asked once."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from colbot.app import Colbot
from colbot.outreach import broadcasts
from colbot.storage.models import YoungPerson
from tests.support.talk import AnyTalker, Talk


async def _profile(colbot: Colbot, nickname: str) -> YoungPerson:
    async with colbot.database.reading() as session:
        person = await session.scalar(select(YoungPerson).where(YoungPerson.nickname == nickname))
        assert person is not None
        session.expunge(person)
        return person


async def _signed_up(talk: Talk, name: str) -> AnyTalker:
    talker = talk(name)
    await talker.say("/start")
    await talker.press("Yes")
    await talker.press("Skip")  # age
    await talker.say(name)  # nickname
    for _ in range(4):
        await talker.press("Skip")
    return talker


@pytest.mark.parametrize("answer", ["Yes, message me", "No, only reminders"])
async def test_nudges_and_news_are_off_until_they_say_yes_asked_once_with_equal_buttons(
    channel_colbot: Colbot, talk: Talk, answer: str
) -> None:
    sam = await _signed_up(talk, "Sammy")
    question = next(m for m in reversed(sam.history) if "message you first" in m.text)
    assert len(question.buttons) == 1, "both answers sit side by side in one row"
    assert question.button_labels() == ["Yes, message me", "No, only reminders"]
    before = await _profile(channel_colbot, "Sammy")
    assert (before.nudges, before.digest) == ("off", False)
    async with channel_colbot.database.reading() as session:
        assert await broadcasts.count_recipients(session, broadcasts.Audience()) == 0
        assert await broadcasts.count_recipients(session, broadcasts.Audience(safety=True)) == 1

    await sam.press(answer, on=question)
    said_yes = answer.startswith("Yes")
    after = await _profile(channel_colbot, "Sammy")
    assert (after.nudges, after.digest) == (("normal", True) if said_yes else ("off", False))
    async with channel_colbot.database.reading() as session:
        reached = await broadcasts.count_recipients(session, broadcasts.Audience())
    assert reached == (1 if said_yes else 0)
    await sam.say("/settings")
    assert not any("message you first" in m.text for m in sam.history[-2:]), "asked only once"
