"""A pathway in the chat on every channel: found, followed, met over weeks and finished."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from colbot.app import Colbot
from colbot.badges.urls import CITY_ISSUER
from colbot.chat.buttons import ButtonData
from colbot.clock import FrozenClock
from colbot.codes import store as codes
from colbot.codes.window import CodeWindow
from colbot.pathways.chat import FOLLOW, OPEN
from colbot.storage.models import IssuedBadge, Opportunity, OutboxMessage, StaffMember
from tests.explore.test_chat import onboard
from tests.support.outreach import outbox_rows
from tests.support.talk import AnyTalker, Talk, Talker


async def code_for(colbot: Colbot, source_id: str) -> str:
    """A code for one demo opportunity, working from now: the session is the test's to skip."""
    now = colbot.clock.now()
    async with colbot.database.transaction() as session:
        opportunity = await session.scalar(
            select(Opportunity).where(Opportunity.source_id == source_id)
        )
        assert opportunity is not None, source_id
        staff = StaffMember(
            partner_id=opportunity.partner_id,
            channel="telegram",
            external_id=f"staff-{source_id}",
            is_admin=True,
            joined_at=now,
        )
        session.add(staff)
        await session.flush()
        window = CodeWindow(None, now + timedelta(days=1))
        return (await codes.make_code(session, staff, opportunity, 1, window, now)).code


def weeks_later(colbot: Colbot, weeks: int) -> None:
    assert isinstance(colbot.clock, FrozenClock)
    colbot.clock.advance(timedelta(weeks=weeks))


async def city_badges(colbot: Colbot) -> list[IssuedBadge]:
    async with colbot.database.transaction() as session:
        return list(
            await session.scalars(
                select(IssuedBadge)
                .where(IssuedBadge.issuer_id == CITY_ISSUER)
                .order_by(IssuedBadge.id)
            )
        )


def one_to_go(rows: list[OutboxMessage]) -> list[OutboxMessage]:
    return [r for r in rows if "One step to go" in r.payload.get("text", "")]


async def gamer(talk: Talk) -> AnyTalker:
    """A young gamer who said yes to messages first (the one-step-to-go message is one)."""
    return await onboard(talk, "sam", passions=("Coding", "Gaming"), messages_first=True)


async def test_pathways_that_fit_are_listed_and_others_are_not(
    channel_colbot: Colbot, talk: Talk
) -> None:
    sam = await gamer(talk)
    replies = await sam.say("/pathways")
    text = replies[-1].text
    assert "Game Maker: 0 of 3 steps done" in text
    assert "Into Film" not in text and "Outdoors and Active" not in text
    assert "Milestones: 0 of 4 earned" in text
    assert replies[-1].button_labels() == ["Game Maker"]


async def test_a_pathway_followed_and_finished_over_several_weeks(
    channel_colbot: Colbot, talk: Talk
) -> None:
    sam = await gamer(talk)
    await sam.say("/pathways")
    replies = await sam.press("Game Maker")
    card = replies[-1].text
    assert "➡️ 1. Go to a coding session" in card and "⬜ 3." in card
    assert "Coming up that counts:" in card
    assert "(a step into work)" in card
    await sam.press("Follow this pathway")
    assert "Following Game Maker" in sam.recent(2)
    assert sam.find_button("Stop following", None)

    await sam.say(await code_for(channel_colbot, "library-code-club-1"))
    weeks_later(channel_colbot, 2)
    await sam.say(await code_for(channel_colbot, "pixel-forge-studio-tour"))
    assert len(one_to_go(await outbox_rows(channel_colbot))) == 1
    # Delivered now, so it cannot land in the middle of the replies read below.
    await channel_colbot.outbox.drain()
    assert [b.badge_class_id for b in await city_badges(channel_colbot)] == [
        "first-badge",
        "three-passions",
    ]

    await sam.say("/pathways")
    replies = await sam.press("Game Maker")
    assert "✅ 1. Go to a coding session" in replies[-1].text
    assert "Next: Go to a session with an employer" in replies[-1].text

    weeks_later(channel_colbot, 3)
    replies = await sam.say(await code_for(channel_colbot, "pixel-forge-pixel-art"))
    said = " ".join(r.text for r in replies)
    assert "You finished the Game Maker pathway! Here's your Game Maker city badge" in said
    pictures = [r.image or r.file for r in replies if "Game Maker pathway" in r.text]
    assert [p.filename for p in pictures if p is not None] == ["game-maker.png"]
    game_maker = [b for b in await city_badges(channel_colbot) if b.badge_class_id == "game-maker"]
    assert len(game_maker) == 1
    credential = game_maker[0].ob3_credential
    assert credential is not None
    parts = [item["id"] for item in credential["evidence"]]
    assert len(parts) == 3 and all("/credentials/" in part for part in parts)
    assert len(one_to_go(await outbox_rows(channel_colbot))) == 1

    await sam.say("/pathways")
    assert "Game Maker: finished ✅" in sam.last_text()


async def test_one_step_to_go_waits_for_a_follower_and_goes_once(
    channel_colbot: Colbot, talk: Talk
) -> None:
    sam = await gamer(talk)
    await sam.say(await code_for(channel_colbot, "library-code-club-1"))
    await sam.say(await code_for(channel_colbot, "pixel-forge-studio-tour"))
    assert one_to_go(await outbox_rows(channel_colbot)) == []  # not following: nothing sent

    await sam.say("/pathways")
    await sam.press("Game Maker")
    await sam.press("Follow this pathway")
    await sam.press("Stop following")
    assert "not following Game Maker" in sam.recent(2)
    await sam.press("Follow this pathway")
    await sam.say(await code_for(channel_colbot, "library-write-club"))
    await sam.say(await code_for(channel_colbot, "northgate-library-book-club"))
    rows = one_to_go(await outbox_rows(channel_colbot))
    assert len(rows) == 1
    assert (
        "One step to go on Game Maker! Next: Go to a session with an employer"
        in rows[0].payload["text"]
    )
    assert rows[0].quiet_hours  # held through the city's quiet hours, as nudges are


async def test_a_button_for_a_pathway_that_is_gone_gets_a_kind_answer(colbot: Colbot) -> None:
    sam = Talker(colbot.engine, "sam")
    for data in (ButtonData(OPEN, "no-such"), ButtonData(FOLLOW, "first-badge"), ButtonData(OPEN)):
        await sam.press_data(data.encode())
        assert "can't find that pathway" in sam.last_text()


async def test_pathways_before_any_profile_offers_a_start(colbot: Colbot) -> None:
    newcomer = Talker(colbot.engine, "newcomer")
    replies = await newcomer.say("/pathways")
    assert "We haven't got started yet" in replies[-1].text
    assert replies[-1].button_labels() == ["▶️ Start"]


async def test_what_is_coming_up_meets_the_next_step_and_fits_their_age(
    channel_colbot: Colbot, talk: Talk
) -> None:
    sam = await gamer(talk)
    await sam.say("/pathways")
    card = (await sam.press("Game Maker"))[-1].text
    coming = card.split("Coming up that counts:")[1].strip().splitlines()
    assert 1 <= len(coming) <= 3
    async with channel_colbot.database.transaction() as session:
        coding = {
            o.title
            for o in await session.scalars(select(Opportunity))
            if "coding" in {p.passion_id for p in o.passions} and o.min_age <= 16 <= o.max_age
        }
    for line in coming:
        title = line.removeprefix("• ").rsplit(", ", 2)[0]
        assert title in coding, (title, coding)
