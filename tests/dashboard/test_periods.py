"""Periods: whole local days, the default twelve weeks, and dates that make no sense refused."""

from __future__ import annotations

from datetime import date
from zoneinfo import ZoneInfo

import pytest

from colbot.dashboard.periods import Period, PeriodError, default_period, parse_period

TODAY = date(2026, 11, 28)


def test_the_default_is_the_twelve_weeks_up_to_today() -> None:
    period = default_period(TODAY)
    assert period == Period(date(2026, 9, 6), TODAY)
    assert period.days == 84 and len(period.weeks()) == 12
    assert parse_period(None, None, TODAY) == period


def test_a_period_runs_from_local_midnight_to_local_midnight() -> None:
    london = ZoneInfo("Europe/London")
    period = parse_period("2026-07-01", "2026-07-31", TODAY)
    assert period.start(london).isoformat() == "2026-07-01T00:00:00+01:00"
    assert period.end(london).isoformat() == "2026-08-01T00:00:00+01:00"
    assert period.label() == "1 July 2026 to 31 July 2026"
    assert period.weeks()[-1] == date(2026, 7, 29)


@pytest.mark.parametrize(
    ("first", "last", "problem"),
    [
        ("28/11/2026", None, "look like"),
        ("2026-11-28", "2026-11-01", "on or after"),
        ("2019-01-01", "2026-01-01", "five years"),
    ],
)
def test_nonsense_is_refused(first: str, last: str | None, problem: str) -> None:
    with pytest.raises(PeriodError, match=problem):
        parse_period(first, last, TODAY)
