"""When a completion code works: around its session, or from when it is made if there is none.

A code for a session (an opportunity at a set time) works from `early` before the session starts
(COLBOT_CODE_EARLY, 30 minutes unless set) until the staff member's choice, counted from the
session: by default the end of the day after it ends; "the session's day" is the end of the day
it starts; "7 days" is a week from its start. A choice that would stop working before the session
ends, or that has already passed, is refused with the reason, so no code dies before its session
and none works days before it.

An opportunity without a set time (drop-in, online, ongoing) keeps the older rules: its code works
from when it is made until the end of the day after the opportunity ends (or after today, if
that is later), the end of today, or 7 days from now.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from colbot.domain.timing import Timing

DEFAULT_CODE_EARLY = timedelta(minutes=30)
WEEK = timedelta(days=7)
LAST_SECOND = time(23, 59, 59)


class Choice(enum.StrEnum):
    """How long a code works, as the staff member picks it (the values ride in its buttons)."""

    DAY_AFTER = "default"
    SAME_DAY = "today"
    WEEK = "week"


class Refusal(enum.StrEnum):
    """Why a choice would make a code nobody could use after the session."""

    ENDS_BEFORE_THE_SESSION = "ends_before_the_session"
    ALREADY_OVER = "already_over"


@dataclass(frozen=True)
class Times:
    """An opportunity's listed start and end, and whether it really happens at them."""

    starts_at: datetime
    ends_at: datetime
    timing: Timing = Timing.SESSION


@dataclass(frozen=True)
class CodeWindow:
    """From when until when a code works; `opens_at` None means from the moment it is made."""

    opens_at: datetime | None
    closes_at: datetime

    def too_early(self, now: datetime) -> bool:
        """Whether the code does not work yet."""
        return self.opens_at is not None and now < self.opens_at

    def is_over(self, now: datetime) -> bool:
        """Whether the code has stopped working."""
        return self.closes_at <= now


@dataclass(frozen=True)
class Refused:
    """A refused choice, with when the code would have stopped working, to say so."""

    reason: Refusal
    closes_at: datetime


def end_of_day(day: date, tz: ZoneInfo) -> datetime:
    """The last second of a day in the city's time."""
    return datetime.combine(day, LAST_SECOND, tzinfo=tz)


def code_window(
    choice: Choice, times: Times, now: datetime, early: timedelta, tz: ZoneInfo
) -> CodeWindow | Refused:
    """When a code made now works, by the staff member's choice, or why that choice is refused."""
    if not times.timing.is_fixed:
        return CodeWindow(None, _open_ended_close(choice, times.ends_at, now, tz))
    closes_at = _session_close(choice, times, tz)
    if closes_at <= times.ends_at:
        return Refused(Refusal.ENDS_BEFORE_THE_SESSION, closes_at)
    if closes_at <= now:
        return Refused(Refusal.ALREADY_OVER, closes_at)
    return CodeWindow(times.starts_at - early, closes_at)


def _session_close(choice: Choice, times: Times, tz: ZoneInfo) -> datetime:
    """When a session's code stops working: counted from the session, not from now."""
    if choice is Choice.SAME_DAY:
        return end_of_day(times.starts_at.astimezone(tz).date(), tz)
    if choice is Choice.WEEK:
        return times.starts_at + WEEK
    return end_of_day(times.ends_at.astimezone(tz).date() + timedelta(days=1), tz)


def _open_ended_close(choice: Choice, ends_at: datetime, now: datetime, tz: ZoneInfo) -> datetime:
    """When an open-ended opportunity's code stops working: counted from now, as it always was."""
    if choice is Choice.SAME_DAY:
        return end_of_day(now.astimezone(tz).date(), tz)
    if choice is Choice.WEEK:
        return now + WEEK
    return end_of_day(max(ends_at, now).astimezone(tz).date() + timedelta(days=1), tz)
