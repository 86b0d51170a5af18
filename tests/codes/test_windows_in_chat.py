"""Codes follow the session, through the engine on every channel: too early, in time, too late."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import func, select

from colbot.app import Colbot
from colbot.clock import FrozenClock
from colbot.codes import format as code_format
from colbot.domain.timing import Timing
from colbot.storage.models import AuditEntry, CompletionCode, Opportunity, Redemption
from tests.support.staff import make_code, staff_talker
from tests.support.talk import Talk

STUDIO_TOUR = "pixel-forge-studio-tour"
PIXEL_ART = "pixel-forge-pixel-art"
# 16:30 to 18:00 in Kensalfield's summer time, so a time shown in UTC would be an hour out.
SUMMER_START = datetime(2027, 6, 9, 15, 30, tzinfo=UTC)


async def change(colbot: Colbot, source_id: str, **values: Any) -> None:
    """Changes one of Pixel Forge's opportunities, as its catalogue would."""
    async with colbot.database.transaction() as session:
        opportunity = await session.scalar(
            select(Opportunity).where(Opportunity.source_id == source_id)
        )
        assert opportunity is not None
        for name, value in values.items():
            setattr(opportunity, name, value)


async def redemptions(colbot: Colbot) -> int:
    async with colbot.database.reading() as session:
        return await session.scalar(select(func.count()).select_from(Redemption)) or 0


async def test_a_session_code_works_from_just_before_it_until_the_end_of_the_next_day(
    channel_colbot: Colbot, clock: FrozenClock, talk: Talk
) -> None:
    await change(
        channel_colbot,
        STUDIO_TOUR,
        starts_at=SUMMER_START,
        ends_at=SUMMER_START + timedelta(minutes=90),
    )
    staff = await staff_talker(channel_colbot, talk, "window-staff")
    code = await make_code(staff, uses="Whole session", opportunity="Studio tour")
    made = staff.recent(5)
    assert "start working on Wednesday 9 June, 16:00, 30 min before the session starts" in made
    assert "from Wednesday 9 June, 16:00 until Thursday 10 June, 23:59" in made

    early = talk("early")
    await early.say(code)
    assert "doesn't work yet" in early.last_text()
    assert "It starts working on Wednesday 9 June, 16:00." in early.last_text()
    opens = SUMMER_START - timedelta(minutes=30)
    clock.set(opens - timedelta(seconds=1))
    await early.say(code)
    assert "doesn't work yet" in early.last_text()
    assert await redemptions(channel_colbot) == 0

    clock.set(opens)
    await early.say(code)
    assert "Brilliant work" in early.recent(10)
    closes = datetime(2027, 6, 10, 22, 59, 59, tzinfo=UTC)  # 23:59:59 in summer time
    clock.set(closes - timedelta(seconds=1))
    in_time = talk("in-time")
    await in_time.say(code)
    assert "Brilliant work" in in_time.recent(10)

    clock.set(closes)
    late = talk("late")
    await late.say(code)
    assert "That code has expired" in late.last_text()
    assert await redemptions(channel_colbot) == 2
    async with channel_colbot.database.reading() as session:
        refusals = await session.scalars(
            select(AuditEntry.detail).where(AuditEntry.action == "code.refused")
        )
        reasons = [detail["reason"] for detail in refusals]
    assert sorted(reasons) == ["expired", "not_yet", "not_yet"]


async def test_an_opportunity_without_a_set_time_keeps_todays_rules(
    channel_colbot: Colbot, clock: FrozenClock, talk: Talk
) -> None:
    await change(channel_colbot, STUDIO_TOUR, timing=Timing.DROP_IN)
    staff = await staff_talker(channel_colbot, talk, "drop-in-staff")
    code = await make_code(staff, opportunity="Studio tour")
    assert "start working" not in staff.recent(5)
    assert "from Saturday 28 November, 09:30 until Thursday 10 December, 23:59" in staff.recent(5)
    # Its listed start is 11 days away, but a drop-in's code works as soon as it is made.
    young = talk("drop-in")
    await young.say(code)
    assert "Brilliant work" in young.recent(10)

    today = await make_code(staff, expiry="Until the end of today", opportunity="Studio tour")
    assert "until Saturday 28 November, 23:59" in staff.recent(5)
    clock.advance(timedelta(days=1))
    other = talk("tomorrow")
    await other.say(today)
    assert "That code has expired" in other.last_text()


async def test_a_choice_that_would_end_before_the_session_ends_is_refused_with_the_reason(
    channel_colbot: Colbot, clock: FrozenClock, talk: Talk
) -> None:
    late_night = datetime(2026, 12, 9, 22, 0, tzinfo=UTC)  # Kensalfield is on UTC in winter
    await change(
        channel_colbot, STUDIO_TOUR, starts_at=late_night, ends_at=late_night + timedelta(hours=3)
    )
    staff = await staff_talker(channel_colbot, talk, "refused-staff")
    await staff.say("/newcode")
    await staff.press("Studio tour")
    await staff.press("Just 1")
    replies = await staff.press("Until the end of the session's day")
    assert (
        "That code would stop working on Wednesday 9 December, 23:59, before the session ends "
        "on Thursday 10 December, 01:00." in replies[0].text
    )
    assert "How long should it work?" in replies[-1].text
    assert len(replies[-1].buttons) == 3
    async with channel_colbot.database.reading() as session:
        assert await session.scalar(select(func.count()).select_from(CompletionCode)) == 0

    # "For 7 days" counts from the session, so a code made 11 days before still works after it.
    replies = await staff.press("For 7 days")
    assert "from Wednesday 9 December, 21:30 until Wednesday 16 December, 22:00" in (
        replies[0].text
    )
    code = next(line for line in replies[0].text.splitlines() if code_format.looks_like_code(line))
    clock.set(late_night + timedelta(hours=3))
    young = talk("night-owl")
    await young.say(code)
    assert "Brilliant work" in young.recent(10)


async def test_codes_lists_each_codes_window(channel_colbot: Colbot, talk: Talk) -> None:
    await change(channel_colbot, PIXEL_ART, timing=Timing.ONGOING)
    staff = await staff_talker(channel_colbot, talk, "list-staff")
    session_code = await make_code(staff, opportunity="Studio tour")
    ongoing_code = await make_code(staff, expiry="For 7 days", opportunity="Pixel art")
    listing = (await staff.say("/codes"))[0].text.splitlines()
    windows = {line.split(" · ")[0]: line.split(" · ")[-1] for line in listing if " · " in line}
    assert windows[session_code] == (
        "works from Wednesday 9 December, 16:00 until Thursday 10 December, 23:59"
    )
    assert windows[ongoing_code] == (
        "works from Saturday 28 November, 09:30 until Saturday 5 December, 09:30"
    )
