"""Recommendations lift what meets the next step of a pathway someone follows, and say so."""

from __future__ import annotations

from colbot.app import Colbot
from tests.explore.test_chat import cards, onboard
from tests.pathways.test_chat import code_for
from tests.support.talk import AnyTalker, Talk


async def coder(talk: Talk, chat_id: str, colbot: Colbot) -> AnyTalker:
    """A young coder (not a gamer) who has been to code club: Game Maker's step 1 is done."""
    talker = await onboard(talk, chat_id, passions=("Coding",))
    await talker.say(await code_for(colbot, "library-code-club-1"))
    return talker


async def test_a_follower_sees_the_next_step_lifted_and_named(
    channel_colbot: Colbot, talk: Talk
) -> None:
    sam = await coder(talk, "sam", channel_colbot)
    await sam.say("/pathways")
    await sam.press("Game Maker")
    await sam.press("Follow this pathway")
    shown = cards(await sam.say("/explore"))
    stepping = [c.text for c in shown if "Step 2 of Game Maker" in c.text]
    assert stepping, [c.text for c in shown]
    # Gaming is not one of their passions: the step alone brought these onto the first page.
    assert all("Because you like" not in text for text in stepping)


async def test_a_non_follower_sees_no_pathway_in_the_why_line(
    channel_colbot: Colbot, talk: Talk
) -> None:
    alex = await coder(talk, "alex", channel_colbot)
    shown = cards(await alex.say("/explore"))
    assert shown
    assert all("Step " not in c.text for c in shown), [c.text for c in shown]
