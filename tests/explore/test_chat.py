"""Recommendations respect passions, age, dates, distance and dismissals."""

from __future__ import annotations

import json
from datetime import timedelta

from sqlalchemy import func, select

from colbot.app import Colbot
from colbot.chat.buttons import ButtonData
from colbot.chat.messages import Outbound
from colbot.clock import FrozenClock
from colbot.people import store as people
from colbot.storage.models import (
    CardShown,
    ChannelIdentity,
    Dismissal,
    Opportunity,
    OpportunityPassion,
    Redemption,
    Reminder,
    SavedItem,
    YoungPerson,
)
from tests.support.talk import AnyTalker, Talk


async def onboard(
    talk: Talk,
    chat_id: str,
    age: str = "16",
    area: str = "Northgate",
    travel: str = "Up to 3 km",
    passions: tuple[str, ...] = ("Music",),
    messages_first: bool = False,
) -> AnyTalker:
    talker = talk(chat_id)
    await talker.say("/start")
    await talker.press("Yes")
    await talker.press(age)
    await talker.press("Call me")
    await talker.press(area)
    await talker.press(travel)
    for passion in passions:
        await talker.press(passion)
    await talker.press("Done")
    await talker.press("Skip")
    await talker.press("Yes, message me" if messages_first else "No, only when I ask")
    return talker


def cards(replies: list[Outbound]) -> list[Outbound]:
    return [r for r in replies if any("⭐ Save" in b.label for row in r.buttons for b in row)]


def card_id(card: Outbound) -> int:
    data = ButtonData.decode(card.buttons[0][0].data)
    assert data is not None
    return int(data.target)


async def opportunities(channel_colbot: Colbot, ids: list[int]) -> list[Opportunity]:
    async with channel_colbot.database.transaction() as session:
        rows = await session.scalars(select(Opportunity).where(Opportunity.id.in_(ids)))
        return list(rows)


async def test_recommendations_follow_onboarding_and_fit_the_person(
    channel_colbot: Colbot, talk: Talk
) -> None:
    talker = await onboard(talk, "fits", age="16", passions=("Music", "Coding"))
    shown = cards(talker.history)
    assert len(shown) == 5
    assert "Because you like" in shown[0].text
    now = channel_colbot.clock.now()
    for opportunity in await opportunities(channel_colbot, [card_id(c) for c in shown]):
        assert opportunity.starts_at > now
        assert opportunity.min_age <= 16 <= opportunity.max_age
    async with channel_colbot.database.transaction() as session:
        assert await session.scalar(select(func.count()).select_from(CardShown)) == 5


async def test_passion_matches_come_first(channel_colbot: Colbot, talk: Talk) -> None:
    talker = await onboard(talk, "coder", travel="Anywhere", passions=("Coding",))
    first_page = await opportunities(channel_colbot, [card_id(c) for c in cards(talker.history)])
    async with channel_colbot.database.transaction() as session:
        coding = set(
            await session.scalars(
                select(OpportunityPassion.opportunity_id).where(
                    OpportunityPassion.passion_id == "coding"
                )
            )
        )
    assert sum(o.id in coding for o in first_page) >= 3


async def test_the_same_inputs_give_the_same_order(channel_colbot: Colbot, talk: Talk) -> None:
    talker = await onboard(talk, "stable")
    first = [card_id(c) for c in cards(await talker.say("/explore"))]
    second = [card_id(c) for c in cards(await talker.say("/explore"))]
    assert first == second


async def test_distance_against_how_far_they_travel(channel_colbot: Colbot, talk: Talk) -> None:
    talker = await onboard(talk, "near", travel="Up to 1 km", passions=("Music", "Art", "Sport"))
    shown = cards(talker.history)
    distances = [
        float(c.text.split(" km away")[0].rsplit("· ", 1)[-1]) for c in shown if "km away" in c.text
    ]
    assert distances and distances[0] <= 1.0


async def test_not_for_me_is_never_shown_again(channel_colbot: Colbot, talk: Talk) -> None:
    talker = await onboard(talk, "dismisser")
    first = cards(talker.history)[0]
    dismissed = card_id(first)
    await talker.press("Not for me", on=first)
    assert "won't show you that one again" in talker.last_text()
    await talker.press("Too far")
    assert "Thanks" in talker.last_text()
    for _ in range(3):
        replies = await talker.say("/explore")
        assert dismissed not in [card_id(c) for c in cards(replies)]
    async with channel_colbot.database.transaction() as session:
        reason = await session.scalar(select(Dismissal.reason))
    assert reason == "far"


async def test_a_reason_typed_after_not_for_me_counts_as_a_tap(
    channel_colbot: Colbot, talk: Talk
) -> None:
    talker = await onboard(talk, "typed-reason")
    shown = cards(talker.history)
    await talker.press("Not for me", on=shown[0])
    await talker.say("its way too expensive tbh")
    assert "Got it: Costs too much" in talker.recent(2) and "Thanks" in talker.last_text()
    await talker.press("Not for me", on=shown[1])
    await talker.say("my mum said no")  # not a reason on the list: thanked, the words not kept
    assert "Thanks for telling me" in talker.last_text()
    await talker.say("football")  # only the very next message is read as a reason
    assert "Thanks" not in talker.last_text()
    async with channel_colbot.database.transaction() as session:
        reasons = sorted(str(r) for r in await session.scalars(select(Dismissal.reason)))
    assert reasons == ["None", "cost"]


async def test_past_and_full_and_age_are_never_shown(
    channel_colbot: Colbot, clock: FrozenClock, talk: Talk
) -> None:
    talker = await onboard(talk, "rules", age="17", passions=("Music", "Coding", "Art"))
    full_id = card_id(cards(talker.history)[0])
    async with channel_colbot.database.transaction() as session:
        full = await session.get(Opportunity, full_id)
        assert full is not None
        full.capacity = 1
        someone = await people.create(session, "console", "someone-else", "en", clock.now())
        session.add(
            SavedItem(young_person_id=someone.id, opportunity_id=full_id, saved_at=clock.now())
        )
    clock.advance(timedelta(days=3))
    now = clock.now()
    seen: list[int] = []
    replies = await talker.say("/explore")
    for _ in range(6):
        seen += [card_id(c) for c in cards(replies)]
        more = [b for r in replies for row in r.buttons for b in row if "Show me more" in b.label]
        if not more:
            break
        replies = await talker.press_data(more[0].data)
    assert len(seen) > 10
    assert full_id not in seen
    for opportunity in await opportunities(channel_colbot, seen):
        assert opportunity.starts_at > now
        assert opportunity.min_age <= 17 <= opportunity.max_age


async def test_save_remind_saved_and_remove(channel_colbot: Colbot, talk: Talk) -> None:
    talker = await onboard(talk, "saver")
    card = cards(talker.history)[1]
    await talker.press("Save", on=card)
    assert "Saved" in talker.last_text()
    await talker.press("Save", on=card)
    assert "already" in talker.last_text()
    await talker.press("Remind me", on=card)
    assert "remind you" in talker.last_text()
    await talker.press("Remind me", on=card)
    assert "already asked" in talker.last_text()
    replies = await talker.say("/saved")
    assert replies[0].text.startswith("Things you saved")
    assert len(replies) == 2
    await talker.press("Remove")
    assert "Removed" in talker.last_text()
    async with channel_colbot.database.transaction() as session:
        assert await session.scalar(select(func.count()).select_from(SavedItem)) == 0
        reminders = list(await session.scalars(select(Reminder)))
        assert reminders and all(r.cancelled_at is not None for r in reminders)


async def test_filter_surprise_and_more_like_this(channel_colbot: Colbot, talk: Talk) -> None:
    talker = await onboard(talk, "curious", travel="Anywhere")
    await talker.press("Pick a passion")
    replies = await talker.press("Cooking")
    assert "Cooking" in replies[0].text
    async with channel_colbot.database.transaction() as session:
        cooking = set(
            await session.scalars(
                select(OpportunityPassion.opportunity_id).where(
                    OpportunityPassion.passion_id == "cooking"
                )
            )
        )
    assert cards(replies) and all(card_id(c) in cooking for c in cards(replies))
    replies = await talker.press("Surprise me")
    surprise = cards(replies)
    assert len(surprise) == 1 and "Something new to try" in surprise[0].text
    replies = await talker.press("More like this", on=surprise[0])
    assert "More like that one" in replies[0].text


async def test_stale_and_forged_card_buttons_are_answered_kindly(
    channel_colbot: Colbot, talk: Talk
) -> None:
    talker = await onboard(talk, "forger")
    await talker.press_data("sv|999999")
    assert "didn't understand" in talker.last_text()
    await talker.press_data("sv|abc|def")
    assert "didn't understand" in talker.last_text()
    await talker.press_data("why|1|nonsense")
    assert "didn't understand" in talker.last_text()


async def test_mydata_is_everything_and_delete_erases_it(
    channel_colbot: Colbot, talk: Talk
) -> None:
    talker = await onboard(talk, "private")
    await talker.press("Save", on=cards(talker.history)[0])
    replies = await talker.say("/mydata")
    attachment = replies[0].file
    assert attachment is not None and attachment.filename.endswith(".json")
    data = json.loads(attachment.content)
    assert data["profile"]["age"] == 16
    assert data["profile"]["passions"] == ["music"]
    assert [(a["channel"], a["id"]) for a in data["chat_accounts"]] == [
        (talker.channel, talker.chat_id)
    ]
    assert len(data["saved"]) == 1 and len(data["suggestions_shown"]) >= 5
    await talker.say("/delete")
    await talker.press("No, keep it")
    assert "kept everything" in talker.last_text()
    await talker.say("/delete")
    await talker.press("Yes, delete everything")
    assert "All deleted" in talker.last_text()
    async with channel_colbot.database.transaction() as session:
        for model in (YoungPerson, ChannelIdentity, SavedItem, CardShown):
            assert await session.scalar(select(func.count()).select_from(model)) == 0, model
        assert await session.scalar(select(func.count()).select_from(Redemption)) == 0
    replies = await talker.say("/start")
    assert "I'm colbot" in replies[0].text


async def test_report_and_safety_words_answer_at_once(channel_colbot: Colbot, talk: Talk) -> None:
    talker = await onboard(talk, "worried")
    replies = await talker.say("/report")
    assert "0800 1111" in replies[0].text and "01632" in replies[0].text
    mid = talk("mid-onboarding")
    await mid.say("/start")
    await mid.press("Yes")
    replies = await mid.say("please help me, I feel unsafe")
    assert "0800 1111" in replies[0].text
    assert "How old" in replies[-1].text
    async with channel_colbot.database.transaction() as session:
        assert await people.find_by_identity(session, mid.channel, mid.chat_id) is None


async def test_a_passion_typed_after_pick_a_passion_counts_as_a_tap(
    channel_colbot: Colbot, talk: Talk
) -> None:
    talker = await onboard(talk, "typer", travel="Anywhere")
    await talker.press("Pick a passion")
    replies = await talker.say("cookin")  # a typo, as typed on a phone
    got = channel_colbot.content.render("common.got_it", what="🍳 Cooking")
    assert got in replies[0].text
    assert cards(replies)
    await talker.press("Pick a passion")
    replies = await talker.say("/help")
    assert "Here's what I can do" in replies[0].text  # anything else passes on as before


async def test_a_music_only_learner_sees_music_on_the_first_page(
    channel_colbot: Colbot, talk: Talk
) -> None:
    talker = await onboard(talk, "music-only", travel="Anywhere", passions=("Music",))
    first_page = cards(talker.history)
    assert len(first_page) == 5
    assert all("Because you like music" in c.text for c in first_page), [
        c.text.splitlines()[-1] for c in first_page
    ]
    assert not any("Something new" in c.text for c in first_page)


async def test_pick_a_passion_names_that_passion_and_no_other(
    channel_colbot: Colbot, talk: Talk
) -> None:
    talker = await onboard(talk, "art-lover", travel="Anywhere", passions=("Art",))
    await talker.press("Pick a passion")
    shown = cards(await talker.press("Coding"))
    assert shown
    for card in shown:
        why = card.text.splitlines()[-1]
        assert "In coding, as you asked" in why and "art" not in why.lower(), why


async def test_more_like_this_names_only_passions_they_chose(
    channel_colbot: Colbot, talk: Talk
) -> None:
    talker = await onboard(talk, "liker", travel="Anywhere", passions=("Music",))
    surprise = cards(await talker.press("Surprise me"))
    assert "Something new to try" in surprise[0].text
    opportunity = (await opportunities(channel_colbot, [card_id(surprise[0])]))[0]
    async with channel_colbot.database.transaction() as session:
        theirs = set(
            await session.scalars(
                select(OpportunityPassion.passion_id).where(
                    OpportunityPassion.opportunity_id == opportunity.id
                )
            )
        )
    similar = cards(await talker.press("More like this", on=surprise[0]))
    assert similar
    named = [p for p in theirs if p != "music"]
    for card in similar:
        why = card.text.splitlines()[-1]
        assert not any(f"like {p}" in why.lower() for p in named), why
        assert "Because you like music" in why or "Like the one you tapped" in why, why
