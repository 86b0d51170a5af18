"""Raw values as feeds and files write them: text, postcodes, durations, numbers, limits."""

from __future__ import annotations

import re
from datetime import datetime, timedelta, tzinfo
from decimal import Decimal, InvalidOperation

MIN_AGE = 5
MAX_AGE = 99
MAX_POUNDS = Decimal(10_000)
MAX_HOURS = Decimal(1_000)
MAX_CAPACITY = 100_000
MAX_LENGTHS = {
    "id": 128,
    "partner": 200,
    "title": 200,
    "venue": 200,
    "address": 300,
    "postcode": 16,
    "url": 500,
    "badge": 64,
}
SLUG = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
_WHOLE = re.compile(r"[+-]?\d+")
HAS_TIME_OF_DAY = re.compile(r"\d[Tt ]\d")
_POSTCODE = re.compile(r"([A-Z]{1,2}\d[A-Z\d]?) ?(\d[A-Z]{2})")
_POSTCODE_IN_TEXT = re.compile(
    r"(?<![A-Za-z0-9])([A-Za-z]{1,2}\d[A-Za-z\d]? ?\d[A-Za-z]{2})(?![A-Za-z0-9])"
)
_DURATION = re.compile(
    r"P(?:(?P<weeks>\d+(?:[.,]\d+)?)W)?(?:(?P<days>\d+(?:[.,]\d+)?)D)?"
    r"(?:T(?:(?P<hours>\d+(?:[.,]\d+)?)H)?(?:(?P<minutes>\d+(?:[.,]\d+)?)M)?"
    r"(?:(?P<seconds>\d+(?:[.,]\d+)?)S)?)?"
)


def shown(value: object) -> str:
    """A value as written, quoted, for a problem message."""
    if isinstance(value, str):
        return '"' + value.strip().replace('"', '\\"') + '"'
    if isinstance(value, datetime):
        return f'"{value.isoformat()}"'
    return '"' + str(value) + '"'


def is_empty(value: object) -> bool:
    """Whether a raw value is missing or blank."""
    return value is None or (isinstance(value, str) and not value.strip())


def one_line(value: object) -> str:
    """Text on one line with single spaces."""
    return " ".join(str(value).split())


def normal_postcode(text: str) -> str | None:
    """A UK postcode in capitals with one space, or None if the text is not one."""
    match = _POSTCODE.fullmatch(one_line(text).upper())
    return f"{match[1]} {match[2]}" if match else None


def postcode_in(text: str) -> str | None:
    """The first full UK postcode written somewhere in a text, tidied."""
    match = _POSTCODE_IN_TEXT.search(text)
    return normal_postcode(match[1]) if match else None


def without_postcode(text: str) -> str:
    """A text with any full postcode taken out, and the commas left dangling tidied away."""
    text = _POSTCODE_IN_TEXT.sub("", text)
    parts = [one_line(part) for part in text.split(",")]
    return ", ".join(part for part in parts if part)


def parse_duration(value: object) -> timedelta | None:
    """An ISO 8601 duration such as PT1H30M (weeks, days, hours, minutes, seconds), or None."""
    if isinstance(value, timedelta):
        return value
    text = str(value).strip().upper()
    match = _DURATION.fullmatch(text)
    if match is None or not any(match.groupdict().values()) or text.endswith("T"):
        return None
    amounts = {k: float(v.replace(",", ".")) for k, v in match.groupdict().items() if v}
    return timedelta(**amounts)


def decimal_of(value: object) -> Decimal | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float | Decimal):
        number = Decimal(str(value))
    else:
        text = str(value).strip()
        try:
            number = Decimal(text.removeprefix("£").strip())
        except InvalidOperation:
            return None
    return number if number.is_finite() else None


def whole_of(value: object) -> int | None:
    """A whole number written as one ("12", 12, 12.0 from JSON), or None ("12.5", "12.0", "x")."""
    if isinstance(value, str) and not _WHOLE.fullmatch(value.strip()):
        return None
    number = decimal_of(value)
    if number is None or number != number.to_integral_value():
        return None
    return int(number)


def tz_name(tz: tzinfo) -> str:
    return getattr(tz, "key", None) or str(tz)


def hours_of(span: timedelta) -> float:
    return round(span.total_seconds() / 3600, 2)
