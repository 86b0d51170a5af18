"""Times as people say them, in the city's time zone."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo


def local_when(moment: datetime, tz: ZoneInfo) -> str:
    """A start time as people say it: "Saturday 6 December, 10:00"."""
    local = moment.astimezone(tz)
    return f"{local:%A} {local.day} {local:%B}, {local:%H:%M}"


def short_when(moment: datetime, tz: ZoneInfo) -> str:
    """A start time for the one-line reason: "Saturday 10:00"."""
    local = moment.astimezone(tz)
    return f"{local:%A %H:%M}"


def short_day(moment: datetime, tz: ZoneInfo) -> str:
    """A date in a list of dates: "Tue 9 Dec"."""
    local = moment.astimezone(tz)
    return f"{local:%a} {local.day} {local:%b}"
