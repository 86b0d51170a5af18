"""Reminder lead times such as `1d@17:00,2h`, and the reminder times they give, without I/O."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from colbot.domain.quiet_hours import parse_clock

DEFAULT_REMINDER_LEADS = "1d@17:00,2h"
UNIT_SECONDS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


@dataclass(frozen=True)
class Lead:
    """How long before a session to remind, optionally moved to a time of day that day."""

    before: timedelta
    at: time | None = None

    def due(self, starts_at: datetime, tz: ZoneInfo) -> datetime:
        """When this reminder falls due for a session starting at `starts_at`."""
        due = starts_at - self.before
        if self.at is None:
            return due
        local = due.astimezone(tz)
        moved = datetime.combine(local.date(), self.at, tzinfo=tz)
        return moved.astimezone(starts_at.tzinfo)


def parse_lead(text: str) -> Lead:
    """One lead such as `2h` or `1d@17:00`; ValueError if malformed."""
    amount, _, at = text.strip().partition("@")
    amount = amount.strip()
    unit = amount[-1:].lower()
    number = amount[:-1]
    if unit not in UNIT_SECONDS or not number.isdigit() or int(number) <= 0:
        raise ValueError(f"{text!r} is not a lead time like 2h or 1d@17:00")
    before = timedelta(seconds=int(number) * UNIT_SECONDS[unit])
    return Lead(before, parse_clock(at) if at else None)


def parse_leads(text: str) -> tuple[Lead, ...]:
    """A comma-separated list of leads; empty means no reminders before sessions."""
    return tuple(parse_lead(part) for part in text.split(",") if part.strip())


def reminder_times(
    starts_at: datetime, now: datetime, leads: tuple[Lead, ...], tz: ZoneInfo
) -> list[datetime]:
    """The reminder times still ahead and before the start, earliest first, without repeats."""
    times = {lead.due(starts_at, tz) for lead in leads}
    return sorted(due for due in times if now < due < starts_at)
