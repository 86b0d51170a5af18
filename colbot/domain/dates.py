"""Reading a start date and time typed any common way ("next saturday 2pm", "5/12 10:30").

The time is read here, with the language's own words (Words), because a general date parser
guesses too boldly at bare hours ("at 10" becomes the year 2010); the day is then read by
dateparser, a well-kept parser that knows weekdays, "tomorrow" and month names in many
languages. What comes back is always said back to the person before it is used.
"""

from __future__ import annotations

import enum
import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import dateparser

from colbot.domain.reading import Words, plain

EXACT_FORMATS = ("%Y-%m-%d %H:%M", "%d/%m/%Y %H:%M", "%d/%m/%y %H:%M", "%Y-%m-%dT%H:%M")
FURTHEST_AHEAD = timedelta(days=2 * 366)
# A bare hour with no am or pm ("at 4"): activities start in the day, so 1 to 7 is the afternoon.
AFTERNOON_UNTIL = 7


class DateOutcome(enum.Enum):
    """What a typed start time came to."""

    FOUND = "found"
    NEEDS_TIME = "needs_time"
    PAST = "past"
    UNCLEAR = "unclear"


@dataclass(frozen=True)
class DateReading:
    """A start time read from text, or why there is none."""

    outcome: DateOutcome
    moment: datetime | None = None


def read_start(text: str, words: Words, tz: ZoneInfo, now: datetime, language: str) -> DateReading:
    """The start time a person typed, in the city's time zone, if it is clear and to come."""
    local_now = now.astimezone(tz)
    exact = _exact(text, tz)
    if exact is not None:
        return _checked(exact, local_now)
    said = _expanded(text, words)
    found = _time_in(said, words)
    if found is None:
        day = _day_in(said, local_now, words, language)
        return DateReading(DateOutcome.NEEDS_TIME if day else DateOutcome.UNCLEAR)
    clock, rest = found
    if plain(rest):
        day = _day_in(rest, local_now, words, language)
        if day is None:
            return DateReading(DateOutcome.UNCLEAR)
    else:
        day = local_now.date()
        if datetime.combine(day, clock, tz) <= local_now:
            day += timedelta(days=1)
    return _checked(datetime.combine(day, clock, tz), local_now)


def _checked(moment: datetime, now: datetime) -> DateReading:
    if moment <= now:
        return DateReading(DateOutcome.PAST, moment)
    if moment - now > FURTHEST_AHEAD:
        return DateReading(DateOutcome.UNCLEAR)
    return DateReading(DateOutcome.FOUND, moment)


def _exact(text: str, tz: ZoneInfo) -> datetime | None:
    cleaned = " ".join(text.split()).upper().replace(".", ":")
    for pattern in EXACT_FORMATS:
        try:
            return datetime.strptime(cleaned, pattern).replace(tzinfo=tz)
        except ValueError:
            continue
    return None


def _expanded(text: str, words: Words) -> str:
    """Short forms made whole ("tmrw" is "tomorrow"), so the date parser knows them."""
    out = []
    for word in text.lower().split():
        bare = plain(word)
        out.append(words.date_words.get(bare, word) if bare else word)
    return " ".join(out)


def _time_in(said: str, words: Words) -> tuple[time, str] | None:
    """The one clock time in the text, and the text without it; None when there is none."""
    found: list[tuple[int, int, time | None]] = []
    for phrase, written in words.clock_words.items():
        for match in re.finditer(rf"(?<!\w){re.escape(phrase)}(?!\w)", said):
            hour, minute = (int(part) for part in written.split(":"))
            found.append((match.start(), match.end(), time(hour, minute)))
    for pattern, minute_of in _patterns(words):
        for match in pattern.finditer(said):
            if any(start < match.end() and match.start() < end for start, end, _ in found):
                continue
            hour = int(match.group("hour"))
            minute = (
                minute_of if minute_of is not None else int(match.groupdict().get("minute") or 0)
            )
            suffix = (match.groupdict().get("suffix") or "").replace(".", "")
            found.append((match.start(), match.end(), _clock(hour, minute, suffix)))
    if len(found) != 1:
        return None
    start, end, clock = found[0]
    if clock is None:
        return None
    rest = f" {said[:start]} {said[end:]} "
    for word in sorted(words.at, key=len, reverse=True):
        rest = re.sub(rf"(?<=\s){re.escape(word)}(?=\s)", " ", rest)
    return clock, " ".join(rest.split())


def _patterns(words: Words) -> list[tuple[re.Pattern[str], int | None]]:
    """Ways a clock time is written, most certain first; a bare number is a day, not a time."""
    half = "|".join(re.escape(w) for w in words.half)
    at = "|".join(re.escape(w) for w in words.at)
    suffix = r"\s*(?P<suffix>am|pm|a\.m\.|p\.m\.)?"
    patterns: list[tuple[re.Pattern[str], int | None]] = []
    if half:
        patterns.append(
            (re.compile(rf"(?<!\S)(?:{half})\s+(?P<hour>\d{{1,2}}){suffix}(?![\w:/])"), 30)
        )
    patterns.append(
        (
            re.compile(rf"(?<![\d/:.])(?P<hour>\d{{1,2}})[:.](?P<minute>\d{{2}}){suffix}(?![\d/])"),
            None,
        )
    )
    patterns.append(
        (re.compile(r"(?<![\d/:.])(?P<hour>\d{1,2})\s*(?P<suffix>am|pm|a\.m\.|p\.m\.)(?!\w)"), None)
    )
    if at:
        patterns.append((re.compile(rf"(?<!\S)(?:{at})\s+(?P<hour>\d{{1,2}})(?![\w:/.])"), None))
    return patterns


def _clock(hour: int, minute: int, suffix: str) -> time | None:
    if minute > 59 or hour > 23 or (suffix and not 1 <= hour <= 12):
        return None
    if suffix == "pm" and hour != 12:
        hour += 12
    elif suffix == "am" and hour == 12:
        hour = 0
    elif not suffix and 1 <= hour <= AFTERNOON_UNTIL:
        hour += 12
    return time(hour, minute)


def _day_in(text: str, now: datetime, words: Words, language: str) -> date | None:
    """The day a text names ("saturday", "5 dec", "tomorrow"), the next one to come."""
    if not plain(text):
        return None
    parsed = dateparser.parse(
        text,
        languages=[language],
        settings={
            "PREFER_DATES_FROM": "future",
            "RELATIVE_BASE": now.replace(tzinfo=None),
            "DATE_ORDER": words.date_order,
            "PREFER_DAY_OF_MONTH": "first",
        },
    )
    if parsed is None:
        return None
    day = parsed.date()
    if day < now.date() and re.search(r"\d", text) and not re.search(r"\b\d{4}\b", text):
        day = _next_to_come(day, now, text, words, language)
    return day


def _next_to_come(day: date, now: datetime, text: str, words: Words, language: str) -> date:
    """A day already gone ("the 12th", "1st nov") means the next one: next month, or next year
    when the month was named (a month named stays put when the parser is told another today)."""
    elsewhere = dateparser.parse(
        text,
        languages=[language],
        settings={
            "RELATIVE_BASE": (now + timedelta(days=45)).replace(tzinfo=None),
            "DATE_ORDER": words.date_order,
        },
    )
    month_named = elsewhere is not None and elsewhere.month == day.month
    try:
        if month_named:
            return day.replace(year=now.year + 1)
        month, year = now.month % 12 + 1, now.year + (now.month == 12)
        return day.replace(year=year, month=month)
    except ValueError:
        return day
