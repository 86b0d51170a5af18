"""The period a dashboard or report covers: whole local days, counted in the city's time zone."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, tzinfo

DEFAULT_DAYS = 84  # twelve weeks: a term, give or take
# Young people counted in a period go to things after it too: supply looks this far past its end.
ATTENDANCE_AHEAD_DAYS = DEFAULT_DAYS
MAX_DAYS = 366 * 5
WEEK = timedelta(days=7)


class PeriodError(ValueError):
    """A period that cannot be shown; the message says why in plain words."""


@dataclass(frozen=True)
class Period:
    """From the first day to the last, both included."""

    first: date
    last: date

    @property
    def days(self) -> int:
        return (self.last - self.first).days + 1

    def start(self, tz: tzinfo) -> datetime:
        """The instant the first day begins."""
        return datetime.combine(self.first, time(0), tzinfo=tz)

    def end(self, tz: tzinfo) -> datetime:
        """The instant after the last day ends."""
        return datetime.combine(self.last + timedelta(days=1), time(0), tzinfo=tz)

    def attendance(self) -> Period:
        """The period and the twelve weeks after it: when the people counted in it will attend."""
        return Period(self.first, self.last + timedelta(days=ATTENDANCE_AHEAD_DAYS))

    def weeks(self) -> list[date]:
        """The first day of each seven-day stretch from the first day; the last may be short."""
        return [self.first + i * WEEK for i in range((self.days + 6) // 7)]

    def label(self) -> str:
        """28 August 2026 to 27 November 2026."""
        return f"{_day(self.first)} to {_day(self.last)}"


def _day(value: date) -> str:
    return f"{value.day} {value:%B %Y}"


def default_period(today: date) -> Period:
    """The twelve weeks up to and including today."""
    return Period(today - timedelta(days=DEFAULT_DAYS - 1), today)


def parse_period(first: str | None, last: str | None, today: date) -> Period:
    """A period from two ISO dates, either left out for the default; refuses nonsense."""
    default = default_period(today)
    try:
        start = date.fromisoformat(first) if first else default.first
        end = date.fromisoformat(last) if last else max(default.last, start)
    except ValueError:
        raise PeriodError("dates must look like 2026-11-28") from None
    if end < start:
        raise PeriodError("the period must end on or after the day it starts")
    if (end - start).days + 1 > MAX_DAYS:
        raise PeriodError("the period can be at most five years long")
    return Period(start, end)
