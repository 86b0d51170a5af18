"""The code window as pure time rules: around a session, or from when it is made without one."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from colbot.codes.window import (
    DEFAULT_CODE_EARLY,
    Choice,
    CodeWindow,
    Refusal,
    Refused,
    Times,
    code_window,
)
from colbot.domain.timing import Timing

LONDON = ZoneInfo("Europe/London")
# 16:30 to 18:00 in London's summer time, so a UTC slip shows as an hour out.
SUMMER_SESSION = Times(
    datetime(2027, 6, 9, 15, 30, tzinfo=UTC), datetime(2027, 6, 9, 17, 0, tzinfo=UTC)
)
LONG_BEFORE = datetime(2027, 5, 29, 9, 30, tzinfo=UTC)


def window(
    choice: Choice, times: Times = SUMMER_SESSION, now: datetime = LONG_BEFORE
) -> CodeWindow | Refused:
    return code_window(choice, times, now, DEFAULT_CODE_EARLY, LONDON)


def local(made: CodeWindow | Refused) -> tuple[str | None, str]:
    """The window as the city's clock shows it."""
    if isinstance(made, Refused):
        return None, f"{made.closes_at.astimezone(LONDON):%a %d %b %H:%M}"
    opens = made.opens_at.astimezone(LONDON) if made.opens_at else None
    return (
        f"{opens:%a %d %b %H:%M}" if opens else None,
        f"{made.closes_at.astimezone(LONDON):%a %d %b %H:%M}",
    )


@pytest.mark.parametrize(
    ("choice", "closes"),
    [
        (Choice.DAY_AFTER, "Thu 10 Jun 23:59"),
        (Choice.SAME_DAY, "Wed 09 Jun 23:59"),
        (Choice.WEEK, "Wed 16 Jun 16:30"),
    ],
)
def test_a_session_code_opens_30_minutes_before_and_closes_by_the_choice_from_the_session(
    choice: Choice, closes: str
) -> None:
    assert local(window(choice)) == ("Wed 09 Jun 16:00", closes)


def test_7_days_made_long_before_the_session_still_works_after_it() -> None:
    made = window(Choice.WEEK, now=LONG_BEFORE)
    assert isinstance(made, CodeWindow)
    assert made.closes_at > SUMMER_SESSION.ends_at
    assert not made.too_early(SUMMER_SESSION.ends_at) and not made.is_over(SUMMER_SESSION.ends_at)


def test_the_window_opens_and_closes_on_the_second() -> None:
    made = window(Choice.DAY_AFTER)
    assert isinstance(made, CodeWindow) and made.opens_at is not None
    assert made.too_early(made.opens_at - timedelta(seconds=1))
    assert not made.too_early(made.opens_at)
    assert not made.is_over(made.closes_at - timedelta(seconds=1))
    assert made.is_over(made.closes_at)


@pytest.mark.parametrize(("minutes", "opens"), [(0, "16:30"), (90, "15:00")])
def test_how_early_it_opens_is_a_setting(minutes: int, opens: str) -> None:
    made = code_window(
        Choice.DAY_AFTER, SUMMER_SESSION, LONG_BEFORE, timedelta(minutes=minutes), LONDON
    )
    assert isinstance(made, CodeWindow) and made.opens_at is not None
    assert f"{made.opens_at.astimezone(LONDON):%H:%M}" == opens


def test_the_sessions_day_is_its_local_day() -> None:
    # 00:30 on Thursday in London is still Wednesday in UTC.
    just_after_midnight = Times(
        datetime(2027, 6, 9, 23, 30, tzinfo=UTC), datetime(2027, 6, 10, 0, 30, tzinfo=UTC)
    )
    assert local(window(Choice.SAME_DAY, just_after_midnight)) == (
        "Thu 10 Jun 00:00",
        "Thu 10 Jun 23:59",
    )


def test_a_choice_that_ends_before_the_session_ends_is_refused() -> None:
    late_night = Times(
        datetime(2027, 6, 9, 21, 0, tzinfo=UTC), datetime(2027, 6, 10, 0, 0, tzinfo=UTC)
    )
    refused = window(Choice.SAME_DAY, late_night)
    assert refused == Refused(
        Refusal.ENDS_BEFORE_THE_SESSION, datetime(2027, 6, 9, 23, 59, 59, tzinfo=LONDON)
    )
    ten_days = Times(SUMMER_SESSION.starts_at, SUMMER_SESSION.starts_at + timedelta(days=10))
    refused = window(Choice.WEEK, ten_days)
    assert isinstance(refused, Refused) and refused.reason is Refusal.ENDS_BEFORE_THE_SESSION
    assert isinstance(window(Choice.DAY_AFTER, late_night), CodeWindow)
    assert isinstance(window(Choice.DAY_AFTER, ten_days), CodeWindow)


def test_a_choice_that_has_already_passed_is_refused() -> None:
    two_days_later = SUMMER_SESSION.ends_at + timedelta(days=2)
    for choice in (Choice.SAME_DAY, Choice.DAY_AFTER):
        refused = window(choice, now=two_days_later)
        assert isinstance(refused, Refused) and refused.reason is Refusal.ALREADY_OVER
    made = window(Choice.WEEK, now=two_days_later)
    assert isinstance(made, CodeWindow) and made.opens_at == SUMMER_SESSION.starts_at - (
        DEFAULT_CODE_EARLY
    )


@pytest.mark.parametrize("timing", [Timing.DROP_IN, Timing.ONLINE, Timing.ONGOING])
def test_without_a_set_time_a_code_works_from_when_it_is_made(timing: Timing) -> None:
    # Open all summer: "today" and "7 days" end long before the listed end, and that is fine.
    summer = Times(
        datetime(2027, 6, 1, 9, 0, tzinfo=UTC), datetime(2027, 8, 31, 17, 0, tzinfo=UTC), timing
    )
    now = datetime(2027, 6, 9, 15, 30, tzinfo=UTC)
    assert local(window(Choice.SAME_DAY, summer, now)) == (None, "Wed 09 Jun 23:59")
    assert window(Choice.WEEK, summer, now) == CodeWindow(None, now + timedelta(days=7))
    assert local(window(Choice.DAY_AFTER, summer, now)) == (None, "Wed 01 Sep 23:59")
    # Made after it ended, the default still gives until the end of tomorrow.
    after = datetime(2027, 9, 3, 10, 0, tzinfo=UTC)
    assert local(window(Choice.DAY_AFTER, summer, after)) == (None, "Sat 04 Sep 23:59")
