"""Typed answers on every channel: commands typed as words at any question, and said back."""

from __future__ import annotations

from colbot.app import Colbot
from tests.support.talk import Talk


async def test_help_typed_as_a_word_mid_question_helps_and_asks_again(
    channel_colbot: Colbot, talk: Talk
) -> None:
    sam = talk("helpless")
    await sam.say("/start")
    await sam.press("Yes, that's OK")
    replies = await sam.say("help")
    texts = "\n".join(r.text for r in replies)
    assert "Here's what I can do" in texts
    assert "How old are you" in replies[-1].text  # the question again: nobody is stuck
    replies = await sam.say("im sixteen")
    assert "call you" in replies[-1].text


async def test_cancel_typed_as_a_word_leaves_the_question(
    channel_colbot: Colbot, talk: Talk
) -> None:
    sam = talk("leaving")
    await sam.say("/start")
    await sam.press("Yes, that's OK")
    replies = await sam.say("cancel")
    assert channel_colbot.content.render("common.cancelled") in replies[-1].text


async def test_a_typed_choice_is_said_back(channel_colbot: Colbot, talk: Talk) -> None:
    sam = talk("typist")
    await sam.say("/start")
    await sam.say("yeah sure")
    await sam.say("16")
    await sam.say("Sam")
    replies = await sam.say("i live in northgte")
    got = channel_colbot.content.render("common.got_it", what="Northgate")
    assert any(got in r.text for r in replies)
    replies = await sam.say("2 miles")
    got = channel_colbot.content.render(
        "common.got_it",
        what=channel_colbot.content.render("onboarding.travel.5"),
    )
    assert any(got in r.text for r in replies)
