"""COLBOT_EXPLORE_LAYOUT=paged: one message, turned with ◀ ▶, on every channel; every card button
still works from it, and old or made-up presses get a kind answer."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select

from colbot.app import Colbot
from colbot.chat.buttons import ButtonData
from colbot.chat.messages import Outbound
from colbot.clock import FrozenClock
from colbot.explore.paged import Turning
from colbot.settings import Settings, load_settings
from colbot.storage.models import CardShown, Dismissal, OpportunityPassion, Reminder, SavedItem
from tests.explore.test_chat import card_id, onboard
from tests.support.demo import free_port
from tests.support.talk import AnyTalker, Talk

NEXT = "Next ▶"
BACK = "◀ Back"


@pytest.fixture
def settings(data_dir: Path) -> Settings:
    port = free_port()
    return load_settings(
        {},
        data_dir=data_dir,
        port=port,
        public_url=f"http://127.0.0.1:{port}",
        explore_layout="paged",
    )


def ideas(replies: list[Outbound]) -> list[Outbound]:
    return [r for r in replies if any("⭐ Save" in b.label for row in r.buttons for b in row)]


def labels(message: Outbound) -> list[str]:
    return message.button_labels()


async def turned(talker: AnyTalker, label: str, on: Outbound, channel: str) -> Outbound:
    """Presses ◀ or ▶ and returns the one message that answers: the same one, edited."""
    replies = await talker.press(label, on=on)
    assert len(replies) == 1, [r.text for r in replies]
    if channel != "webchat":  # the web chat has no edits: the page shows the turned idea anew
        assert replies[0].edit
    return replies[0]


async def shown_count(channel_colbot: Colbot) -> int:
    async with channel_colbot.database.transaction() as session:
        return await session.scalar(select(func.count()).select_from(CardShown)) or 0


async def test_explore_is_one_message_that_turns_forward_and_back(
    channel_colbot: Colbot, talk: Talk, channel: str
) -> None:
    talker = await onboard(talk, "pager", travel="Anywhere")
    first = ideas(talker.history)
    assert len(first) == 1  # after onboarding: one idea, not five cards
    replies = await talker.say("/explore")
    assert len(replies) == 1
    message = replies[0]
    assert message.text.startswith("Here are some things I think you'll like")
    assert "✨" in message.text and BACK not in labels(message) and NEXT in labels(message)
    assert {"⭐ Save", "⏰ Remind me", "🙅 Not for me", "🔎 Pick a passion"} <= set(labels(message))
    one = card_id(message)
    message = await turned(talker, NEXT, message, channel)
    assert message.text.startswith("💡 Idea 2") and BACK in labels(message)
    two = card_id(message)
    assert two != one
    message = await turned(talker, BACK, message, channel)
    assert card_id(message) == one
    assert message.text.startswith("Here are some things")
    # The ranking is the cards layout's: the same ideas in the same order.
    assert await shown_count(channel_colbot) == 4  # onboarding's, /explore's, ▶'s and ◀'s idea


async def test_the_last_idea_has_no_next_and_each_is_shown_once(
    channel_colbot: Colbot, talk: Talk, channel: str
) -> None:
    talker = await onboard(talk, "to-the-end", passions=("Cooking",))
    message = (await talker.say("/explore"))[0]
    before = await shown_count(channel_colbot)
    seen = [card_id(message)]
    while NEXT in labels(message):
        message = await turned(talker, NEXT, message, channel)
        seen.append(card_id(message))
        assert message.text.startswith(f"💡 Idea {len(seen)}")
        assert len(seen) < 200, "the pages never end"
    assert len(seen) > 5  # past the cards layout's first page, with no "Show me more" to find
    assert len(set(seen)) == len(seen)
    assert BACK in labels(message)
    assert await shown_count(channel_colbot) - before == len(seen) - 1
    async with channel_colbot.database.transaction() as session:
        places = list(
            await session.scalars(
                select(CardShown.position)
                .where(CardShown.context == "paged")
                .order_by(CardShown.id.desc())
                .limit(len(seen))
            )
        )
    assert sorted(places) == list(range(len(seen)))


async def test_every_card_button_works_from_the_paged_message(
    channel_colbot: Colbot, talk: Talk, channel: str
) -> None:
    talker = await onboard(talk, "actor", travel="Anywhere")
    message = (await talker.say("/explore"))[0]
    message = await turned(talker, NEXT, message, channel)
    saved = card_id(message)
    await talker.press("Save", on=message)
    assert "Saved" in talker.last_text()
    await talker.press("Remind me", on=message)
    assert "remind you" in talker.last_text()
    message = await turned(talker, NEXT, message, channel)
    dismissed = card_id(message)
    await talker.press("Not for me", on=message)
    assert "won't show you that one again" in talker.last_text()
    await talker.press("Too far")
    assert "Thanks" in talker.last_text()
    replies = await talker.press("More like this", on=message)
    assert "More like that one" in replies[0].text
    async with channel_colbot.database.transaction() as session:
        assert list(await session.scalars(select(SavedItem.opportunity_id))) == [saved]
        assert set(await session.scalars(select(Reminder.opportunity_id))) == {saved}
        dismissal = await session.scalar(select(Dismissal))
        assert dismissal is not None
        assert (dismissal.opportunity_id, dismissal.reason) == (dismissed, "far")
    again = (await talker.say("/explore"))[0]
    seen = [card_id(again)]
    while NEXT in labels(again) and len(seen) < 8:
        again = await turned(talker, NEXT, again, channel)
        seen.append(card_id(again))
    assert dismissed not in seen


async def test_a_stale_next_turns_from_where_its_idea_was(
    channel_colbot: Colbot, talk: Talk, channel: str
) -> None:
    talker = await onboard(talk, "stale", travel="Anywhere")
    message = (await talker.say("/explore"))[0]
    one = card_id(message)
    second = await turned(talker, NEXT, message, channel)
    two, three_message = card_id(second), await turned(talker, NEXT, second, channel)
    three = card_id(three_message)
    # Back on idea 2, say no to it: ▶ on that message must land on idea 3, not skip it.
    message = await turned(talker, BACK, three_message, channel)
    assert card_id(message) == two
    await talker.press("Not for me", on=message)
    message = await turned(talker, NEXT, message, channel)
    assert card_id(message) == three
    message = await turned(talker, BACK, message, channel)
    assert card_id(message) == one  # idea 2 is gone, so idea 1 is just before idea 3


async def test_made_up_and_outdated_turns_get_a_kind_answer(
    channel_colbot: Colbot, talk: Talk
) -> None:
    talker = await onboard(talk, "forger", travel="Anywhere")
    await talker.press_data("pg||abc")
    assert "didn't understand" in talker.last_text()
    await talker.press_data("pg|nonsense|0+99999999")  # no such passion, no such idea
    assert ideas([talker.last]) and talker.last.text.startswith("Here are some things")
    await talker.press_data("pg||9000+99999999")  # far past the last idea
    assert "That's every idea that fits you" in talker.last_text()
    await talker.press(BACK)
    assert talker.last.text.startswith("💡 Idea") and NEXT not in labels(talker.last)
    stranger = talk("stranger", first_name="Nobody")
    await stranger.say("hi")  # something to press on: an old message, from before /delete
    await stranger.press_data("pg||0+1")
    assert "Start" in "".join(stranger.last.button_labels())


async def test_when_nothing_is_left_both_explore_and_an_old_next_say_so_kindly(
    channel_colbot: Colbot, clock: FrozenClock, talk: Talk
) -> None:
    talker = await onboard(talk, "latecomer", travel="Anywhere")
    old = (await talker.say("/explore"))[0]
    clock.advance(timedelta(days=3 * 366))  # every session in the demo city is over by then
    replies = await talker.say("/explore")
    assert len(replies) == 1 and "couldn't find anything" in replies[0].text
    assert "🎲 Surprise me" in labels(replies[0]) and NEXT not in labels(replies[0])
    replies = await talker.press(NEXT, on=old)
    assert len(replies) == 1 and "couldn't find anything" in replies[0].text
    # A Save kept from before (on Telegram the old message has just turned into that answer).
    save = next(b.data for row in old.buttons for b in row if b.label == "⭐ Save")
    await talker.press_data(save)
    assert "already started or finished" in talker.last_text()


async def test_pick_a_passion_pages_inside_that_passion(channel_colbot: Colbot, talk: Talk) -> None:
    talker = await onboard(talk, "picker", travel="Anywhere")
    await talker.press("Pick a passion")
    message = (await talker.press("Cooking"))[0]
    assert "Cooking" in message.text.splitlines()[0]
    async with channel_colbot.database.transaction() as session:
        cooking = set(
            await session.scalars(
                select(OpportunityPassion.opportunity_id).where(
                    OpportunityPassion.passion_id == "cooking"
                )
            )
        )
    next_data = next(
        b.data for row in message.buttons for b in row if b.label == NEXT
    )  # the passion rides on the button
    assert ButtonData.decode(next_data) == ButtonData("pg", "cooking", f"0+{card_id(message)}")
    for _ in range(3):
        assert card_id(message) in cooking
        if NEXT not in labels(message):
            break
        message = (await talker.press(NEXT, on=message))[0]


@pytest.mark.parametrize(
    ("turning", "ranked", "lands"),
    [
        (Turning(0, True, 11), [11, 12, 13], 1),  # ▶ from the first idea
        (Turning(1, False, 12), [11, 12, 13], 0),  # ◀ from the second
        (Turning(0, True, 11), [12, 13], 0),  # the idea it was pressed on is gone: its place
        (Turning(1, False, 12), [11, 13], 0),  # ◀ with that idea gone: the one before its place
        (Turning(2, True, 13), [10, 11, 12, 13], 4),  # ideas came in front: ▶ from where it is
        (Turning(2, True, 13), [11, 12, 13], 3),  # ▶ past the last: the end, said kindly
        (Turning(9, True, 99), [11, 12], 2),  # a stale place far past the end
        (Turning(0, False, 11), [11, 12], 0),  # ◀ before the first stays on the first
        (Turning(3, False, 0), [11, 12], 1),  # ◀ from the end note: the last idea
        (Turning(0, True, 11), [], 0),  # nothing left at all
    ],
)
def test_a_turn_lands_from_where_its_idea_is_now(
    turning: Turning, ranked: list[int], lands: int
) -> None:
    assert turning.lands_on(ranked) == lands


@pytest.mark.parametrize(
    "data",
    ["pg", "pg||", "pg||3", "pg||3*4", "pg||-1+4", "pg||3+", "pg||99999+1", "sv|1|0+1", "x|y|z|w"],
)
def test_only_turns_colbot_made_are_read(data: str) -> None:
    assert Turning.read(ButtonData.decode(data)) is None


def test_a_turn_reads_back_what_its_button_carries() -> None:
    turning = Turning(12, False, 987654321, "performing-arts")
    data = turning.button("◀").data
    assert len(data.encode()) <= 64
    assert Turning.read(ButtonData.decode(data)) == turning
