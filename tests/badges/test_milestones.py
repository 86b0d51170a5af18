"""The city's milestones: first badge, 3 passions, 10 and 50 learning hours, each awarded once."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

import pytest
from sqlalchemy import delete, select

from colbot.app import Colbot
from colbot.badges import store as badges
from colbot.badges.urls import CITY_ISSUER
from colbot.storage.models import IssuedBadge, Opportunity, OpportunityPassion
from tests.support.badge_flow import badges_of, make_code
from tests.support.demo import TEST_NOW
from tests.support.talk import Talker


async def opportunities_covering_passions(colbot: Colbot, wanted: int) -> list[int]:
    """Opportunities that between them feed `wanted` different passions, one new passion each."""
    async with colbot.database.transaction() as session:
        found = list(await session.scalars(select(Opportunity).order_by(Opportunity.id)))
    chosen: list[int] = []
    seen: set[str] = set()
    for opportunity in found:
        passions = {p.passion_id for p in opportunity.passions}
        if passions and not passions & seen and len(passions) == 1:
            chosen.append(opportunity.id)
            seen |= passions
        if len(chosen) == wanted:
            return chosen
    raise AssertionError("the demo city has too few single-passion opportunities")


async def tag(colbot: Colbot, opportunity_id: int, passions: Sequence[str]) -> None:
    """Makes an opportunity about exactly these passions."""
    async with colbot.database.transaction() as session:
        await session.execute(
            delete(OpportunityPassion).where(OpportunityPassion.opportunity_id == opportunity_id)
        )
        session.add_all(
            OpportunityPassion(opportunity_id=opportunity_id, passion_id=p) for p in passions
        )


async def milestones_held(colbot: Colbot) -> Counter[str]:
    async with colbot.database.transaction() as session:
        rows = await session.scalars(
            select(IssuedBadge.badge_class_id).where(IssuedBadge.issuer_id == CITY_ISSUER)
        )
        return Counter(rows)


def milestone_texts(replies: list[object]) -> list[str]:
    return [m.text for m in replies if "Milestone unlocked" in getattr(m, "text", "")]


async def test_each_milestone_is_awarded_once_when_first_reached(serving_colbot: Colbot) -> None:
    first, second, third, fourth = await opportunities_covering_passions(serving_colbot, 4)
    sam = Talker(serving_colbot.engine, "sam")

    code, _ = await make_code(serving_colbot, opportunity_id=first, learning_hours=4)
    replies = await sam.say(code)
    assert [t.split("!")[0] for t in milestone_texts(replies)] == [
        "🌟 Milestone unlocked: First Badge"
    ]
    assert await milestones_held(serving_colbot) == Counter({"first-badge": 1})

    code, _ = await make_code(serving_colbot, opportunity_id=second, learning_hours=4)
    assert milestone_texts(await sam.say(code)) == []

    code, _ = await make_code(serving_colbot, opportunity_id=third, learning_hours=4)
    replies = await sam.say(code)
    unlocked = " ".join(milestone_texts(replies))
    assert "Three Passions Explored" in unlocked and "10 Learning Hours" in unlocked
    pictures = [m for m in replies if m.image is not None and "Milestone" in m.text]
    assert [m.image.filename for m in pictures if m.image] == [
        "three-passions-explored.png",
        "10-learning-hours.png",
    ]
    assert all(m.buttons and m.file is None for m in pictures)

    code, _ = await make_code(serving_colbot, opportunity_id=fourth, learning_hours=40)
    replies = await sam.say(code)
    assert [t.split("!")[0] for t in milestone_texts(replies)] == [
        "🌟 Milestone unlocked: 50 Learning Hours"
    ]
    assert await milestones_held(serving_colbot) == Counter(
        {"first-badge": 1, "three-passions": 1, "ten-hours": 1, "fifty-hours": 1}
    )


async def test_a_big_session_can_reach_several_hour_milestones_at_once(
    serving_colbot: Colbot,
) -> None:
    code, _ = await make_code(serving_colbot, learning_hours=60)
    replies = await Talker(serving_colbot.engine, "marathon").say(code)
    unlocked = " ".join(milestone_texts(replies))
    for name in ("First Badge", "10 Learning Hours", "50 Learning Hours"):
        assert name in unlocked
    assert "Three Passions" not in unlocked
    held = await milestones_held(serving_colbot)
    assert held == Counter({"first-badge": 1, "ten-hours": 1, "fifty-hours": 1})


async def test_a_second_young_person_earns_their_own_first_badge(serving_colbot: Colbot) -> None:
    code, _ = await make_code(serving_colbot, uses=2)
    for who in ("one", "two"):
        replies = await Talker(serving_colbot.engine, who).say(code)
        assert len(milestone_texts(replies)) == 1
    assert await milestones_held(serving_colbot) == Counter({"first-badge": 2})


@pytest.mark.parametrize(
    ("first_passions", "second_passions"),
    [
        (("music", "art", "dance"), ("music",)),
        (("music", "art"), ("dance",)),
    ],
)
async def test_three_passions_needs_two_different_sessions(
    serving_colbot: Colbot, first_passions: tuple[str, ...], second_passions: tuple[str, ...]
) -> None:
    first, second = await opportunities_covering_passions(serving_colbot, 2)
    await tag(serving_colbot, first, first_passions)
    await tag(serving_colbot, second, second_passions)
    sam = Talker(serving_colbot.engine, "sam")

    code, _ = await make_code(serving_colbot, opportunity_id=first, learning_hours=1)
    assert "Three Passions" not in " ".join(milestone_texts(await sam.say(code)))
    assert "three-passions" not in await milestones_held(serving_colbot)

    code, _ = await make_code(serving_colbot, opportunity_id=second, learning_hours=1)
    assert "Three Passions Explored" in " ".join(milestone_texts(await sam.say(code)))
    assert (await milestones_held(serving_colbot))["three-passions"] == 1


async def test_a_revoked_badges_session_counts_for_no_milestone(serving_colbot: Colbot) -> None:
    first, second = await opportunities_covering_passions(serving_colbot, 2)
    sam = Talker(serving_colbot.engine, "sam")
    code, _ = await make_code(serving_colbot, opportunity_id=first, learning_hours=8)
    await sam.say(code)
    (earned,) = [b for b in await badges_of(serving_colbot) if b.redemption_id is not None]
    async with serving_colbot.database.transaction() as session:
        await badges.revoke(session, earned.public_id, "issued in error", TEST_NOW)

    code, _ = await make_code(serving_colbot, opportunity_id=second, learning_hours=4)
    replies = await sam.say(code)
    assert "10 Learning Hours" not in " ".join(milestone_texts(replies))
    assert "That's 4 so far" in " ".join(m.text for m in replies)
