"""Onboarding on every channel: buttons, typing, skipping, refusals, resuming."""

from __future__ import annotations

from sqlalchemy import select

from colbot.app import Colbot, build_app
from colbot.chat.engine import conversation_state
from colbot.clock import FrozenClock
from colbot.people import store as people
from colbot.settings import Settings
from colbot.storage.models import ConversationState, YoungPerson, YoungPersonPassion
from tests.support.staff import staff_talker
from tests.support.talk import AnyTalker, Talk, Talker


async def _person(channel_colbot: Colbot, talker: AnyTalker) -> YoungPerson | None:
    async with channel_colbot.database.transaction() as session:
        found = await people.find_by_identity(session, talker.channel, talker.chat_id)
        if found is not None:
            await session.refresh(found)
        return found


async def test_onboarding_by_buttons_only(channel_colbot: Colbot, talk: Talk) -> None:
    sam = talk("buttons")
    replies = await sam.say("/start")
    assert "I'm colbot" in replies[0].text
    assert "/delete" in replies[1].text
    await sam.press("Yes, that's OK")
    await sam.press("16")
    await sam.press("Call me Sam")
    await sam.press("Riverside")
    await sam.press("Up to 3 km")
    await sam.press("Music")
    await sam.press("Coding")
    await sam.press("Done")
    await sam.press("Weekends")
    await sam.press("Done")
    assert "Can I message you first sometimes?" in sam.last_text()
    # Two equal buttons, one a row as for consent, and no third: neither answer is pushed.
    assert [len(row) for row in sam.last.buttons] == [1, 1]
    assert sam.last.button_labels() == ["Yes, message me", "No, only when I ask"]
    await sam.press("Yes, message me")
    assert "All done, Sam" in sam.recent()
    person = await _person(channel_colbot, sam)
    assert person is not None
    assert (person.nudges, person.digest) == ("normal", True)
    assert person.messages_asked_at is not None
    assert (person.age, person.nickname, person.area_id, person.travel_km) == (
        16,
        "Sam",
        "kf3",
        3.0,
    )
    assert person.availability == ["weekends"]
    assert person.onboarded_at is not None
    async with channel_colbot.database.transaction() as session:
        passions = set(await session.scalars(select(YoungPersonPassion.passion_id)))
    assert passions == {"music", "coding"}


async def test_onboarding_by_typing_only(channel_colbot: Colbot, talk: Talk) -> None:
    jo = talk("typing", first_name="")
    await jo.say("/start")
    await jo.say("yeah")
    # One reply to each typed answer: what colbot understood, then the next question.
    (age,) = await jo.say("16")
    assert age.text.startswith("Got it: 16\n\n") and "What should I call you?" in age.text
    assert age.buttons
    await jo.say("Jo ✨")
    # The area's note takes the location keyboard away; the next question has its buttons.
    area, distance = await jo.say("kf1 4")
    assert area.text == "Got it: Town Centre" and not area.buttons
    assert "How far" in distance.text and distance.buttons
    await jo.say("anywhere")
    await jo.say("footy, drawing and beats")
    assert "Sport" in sam_text(jo) and "Art" in sam_text(jo) and "Music" in sam_text(jo)
    await jo.say("done")
    await jo.say("weekends and after school")
    assert "Can I message you first sometimes?" in jo.last_text()
    await jo.say("nah")
    assert "All done, Jo ✨" in jo.recent()
    person = await _person(channel_colbot, jo)
    assert person is not None
    assert (person.nudges, person.digest) == ("off", False)
    assert person.messages_asked_at is not None
    assert person.area_id == "kf1" and person.travel_km is None
    assert sorted(person.availability) == ["weekday_after_school", "weekends"]


def sam_text(talker: AnyTalker) -> str:
    return "\n".join(m.text for m in talker.history[-2:])


async def test_every_question_can_be_skipped(channel_colbot: Colbot, talk: Talk) -> None:
    kim = talk("skipper")
    await kim.say("/start")
    await kim.press("Yes")
    for _ in range(6):
        await kim.press("Skip")
    # The last question has no Skip: it is a plain yes or no, and "skip" typed is asked again.
    await kim.say("skip")
    assert "type yes or no" in kim.last_text()
    await kim.press("No, only when I ask")
    assert "All done, friend" in kim.recent()
    person = await _person(channel_colbot, kim)
    assert person is not None and person.onboarded_at is not None
    assert (person.nudges, person.digest) == ("off", False)
    assert person.age is None and person.nickname is None and person.area_id is None


async def test_nonsense_answers_get_a_kind_reask(channel_colbot: Colbot, talk: Talk) -> None:
    ali = talk("nonsense")
    await ali.say("/start")
    await ali.say("maybe?")
    assert "Is it OK" in ali.last_text()
    await ali.press("Yes")
    for bad in ("abc", "200", "-3", "1 5"):
        await ali.say(bad)
        assert "like 15" in ali.last_text(), bad
    await ali.send_other("sticker")
    assert "stickers" in ali.last_text() and "How old" in ali.last_text()
    await ali.say("16")
    await ali.say("   ")
    assert "1 to 32" in ali.last_text()
    await ali.say("Ali")
    await ali.say("Atlantis")
    assert "don't know that area" in ali.recent(2)
    await ali.share_location(40.7, -74.0)
    assert "long way" in ali.recent(2)


async def test_under_13_is_refused_and_only_counted(channel_colbot: Colbot, talk: Talk) -> None:
    kid = talk("young")
    await kid.say("/start")
    await kid.press("Yes")
    await kid.press("12 or under")
    assert "13 and over" in kid.last_text() and "trusted adult" in kid.last_text()
    assert await _person(channel_colbot, kid) is None
    assert await conversation_state(channel_colbot.database, kid.channel, kid.chat_id) is None
    async with channel_colbot.database.transaction() as session:
        assert await people.counter(session, f"onboarding_ended:under_13:{kid.channel}") == 1


async def test_after_under_13_or_no_consent_anything_says_how_to_start_again(
    channel_colbot: Colbot, talk: Talk
) -> None:
    """Told plainly how to start again, never looped; the Start button starts afresh."""
    kid = talk("too-young")
    await kid.say("/start")
    await kid.say("yeah")
    await kid.say("im 12")
    assert "/start to begin again" in kid.last_text()
    no = talk("said-no")
    await no.say("/start")
    await no.say("nah")
    assert "/start" in no.last_text()
    for person in (kid, no):
        for attempt in ("/explore", "hello??", "football", "/saved"):
            await person.say(attempt)
            assert "Tap Start" in person.last_text(), attempt
            assert person.last.button_labels() == ["▶️ Start"]
        await person.press("Start")
        assert "Is it OK for me to keep these details" in person.last_text()
        assert await _person(channel_colbot, person) is None


async def test_staff_and_young_people_get_their_own_fallbacks(
    channel_colbot: Colbot, talk: Talk
) -> None:
    """Nonsense from staff points to their commands; a staff step never says a young person's
    words, and a young person's step never a staff member's."""
    staff = await staff_talker(channel_colbot, talk, "fallback-staff")
    await staff.say("asdf qwerty")
    assert "commands you can use" in staff.last_text() and "Tap Start" not in staff.last_text()
    await staff.say("/addopportunity")
    await staff.say("Beat lab")
    await staff.say("lorem ipsum")
    assert "passion on the list" in staff.last_text()
    assert "couldn't match that to anything" not in staff.last_text()
    young = talk("fallback-young")
    await young.say("/start")
    await young.say("yes")
    await young.say("17")
    await young.say("Jo")
    await young.say("riverside")
    await young.say("2km")
    await young.say("lorem ipsum")
    assert "couldn't match that to anything" in young.last_text()
    assert "passion on the list" not in young.last_text()


async def test_under_the_channels_minimum_age_points_to_web_chat(
    channel_colbot: Colbot, talk: Talk, channel: str
) -> None:
    teen = talk("teen")
    await teen.say("/start")
    await teen.press("Yes")
    await teen.press("14")
    if channel == "telegram":
        assert "/chat" in teen.last_text() and "16" in teen.last_text()
        assert await _person(channel_colbot, teen) is None
        assert await conversation_state(channel_colbot.database, teen.channel, teen.chat_id) is None
    else:
        assert "What should I call you" in teen.last_text()


async def test_declining_consent_keeps_nothing(channel_colbot: Colbot, talk: Talk) -> None:
    no = talk("declines")
    await no.say("/start")
    await no.press("No thanks")
    assert "haven't kept anything" in no.last_text()
    assert await conversation_state(channel_colbot.database, no.channel, no.chat_id) is None


async def test_a_restart_resumes_at_the_same_question(
    channel_colbot: Colbot, settings: Settings, clock: FrozenClock
) -> None:
    """On the engine itself; tests/telegram restarts the whole service in the middle."""
    sam = Talker(channel_colbot.engine, "resumer")
    await sam.say("/start")
    await sam.press("Yes")
    await sam.press("17")
    restarted = build_app(settings, clock=clock)
    await restarted.prepare()
    try:
        again = Talker(restarted.engine, "resumer")
        replies = await again.say("/start")
        assert "Welcome back" in replies[0].text
        assert "What should I call you" in replies[-1].text
        await again.say("Sam")
        assert "Whereabouts" in again.recent(2)
    finally:
        await restarted.database.dispose()


async def test_a_stale_button_is_answered_and_the_question_reasked(
    channel_colbot: Colbot, talk: Talk
) -> None:
    sam = talk("stale")
    first = await sam.say("/start")
    consent_question = first[-1]
    await sam.press("Yes")
    await sam.press("No thanks", on=consent_question)
    assert "earlier message" in sam.last_text() and "How old" in sam.last_text()
    await sam.press_data("zz|!!|{not ours}")
    assert "didn't understand that button" in sam.last_text()
    await sam.press_data("")
    assert "How old" in sam.last_text()


async def test_settings_and_passions_change_one_answer(channel_colbot: Colbot, talk: Talk) -> None:
    sam = talk("changer")
    await sam.say("/start")
    await sam.press("Yes")
    for _ in range(6):
        await sam.press("Skip")
    await sam.press("Yes, message me")
    await sam.say("/passions")
    await sam.say("coding")
    await sam.press("Done")
    assert "Saved" in sam.last_text()
    await sam.say("/settings")
    await sam.press("Nickname")
    await sam.say("Sparky")
    person = await _person(channel_colbot, sam)
    assert person is not None and person.nickname == "Sparky"
    async with channel_colbot.database.transaction() as session:
        rows = await session.scalars(select(ConversationState))
        assert all(r.flow is None for r in rows)


async def test_unknown_commands_and_long_text(channel_colbot: Colbot, talk: Talk) -> None:
    sam = talk("odd")
    await sam.say("/dance")
    assert "/dance" in sam.last_text()
    await sam.say("x" * 4096)
    assert "shorter" in sam.last_text()
    await sam.say("\u200b\u200f مرحبا 👋🏽")
    assert "/start" in sam.last_text() and "Start" in sam.last.button_labels()[0]
