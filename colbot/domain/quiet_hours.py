"""Quiet hours: when colbot may not start a conversation, as pure time rules without I/O."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

DEFAULT_QUIET_HOURS = "21:00-08:00"
ONE_DAY = timedelta(days=1)


@dataclass(frozen=True)
class QuietHours:
    """A nightly window in local time, such as 21:00-08:00, that may wrap past midnight."""

    start: time
    end: time

    def __str__(self) -> str:
        return f"{self.start:%H:%M}-{self.end:%H:%M}"

    def contains(self, moment: datetime, tz: ZoneInfo) -> bool:
        """True if the moment falls inside quiet hours where the young person lives."""
        local = moment.astimezone(tz).time().replace(tzinfo=None)
        if self.start == self.end:
            return False
        if self.start < self.end:
            return self.start <= local < self.end
        return local >= self.start or local < self.end

    def release(self, moment: datetime, tz: ZoneInfo) -> datetime:
        """The first instant at or after the moment that is outside quiet hours."""
        if not self.contains(moment, tz):
            return moment
        local = moment.astimezone(tz)
        ends = datetime.combine(local.date(), self.end, tzinfo=tz)
        if ends <= local:
            ends = datetime.combine(local.date() + ONE_DAY, self.end, tzinfo=tz)
        return ends.astimezone(moment.tzinfo)


def parse_clock(text: str) -> time:
    """A 24-hour HH:MM time of day; ValueError if it is not one."""
    hours, sep, minutes = text.strip().partition(":")
    if not sep or not hours.isdigit() or not minutes.isdigit() or len(minutes) != 2:
        raise ValueError(f"{text!r} is not a time like 21:00")
    return time(int(hours), int(minutes))


def parse_quiet_hours(text: str) -> QuietHours | None:
    """Parses `21:00-08:00`; an empty string means no quiet hours."""
    value = text.strip()
    if not value or value.lower() in {"none", "off"}:
        return None
    start, sep, end = value.partition("-")
    if not sep:
        raise ValueError(f"{text!r} is not quiet hours like 21:00-08:00")
    return QuietHours(parse_clock(start), parse_clock(end))


def release_time(moment: datetime, quiet: QuietHours | None, tz: ZoneInfo) -> datetime:
    """When a message due at `moment` may go out, given the recipient's quiet hours."""
    return moment if quiet is None else quiet.release(moment, tz)
