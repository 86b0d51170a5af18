"""Reading content YAML with every complaint pointing at the file and line of the key at fault."""

from __future__ import annotations

import math
import re
from collections.abc import Collection, Iterator
from datetime import time
from decimal import Decimal
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from colbot.content.source import ContentError, fail, load_yaml, origin_of

WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
_SLUG = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
_CLOCK_TIME = re.compile(r"([01]\d|2[0-3]):([0-5]\d)")
_POSTCODE = re.compile(r"[A-Z]{1,2}\d[A-Z\d]? \d[A-Z]{2}")
_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s.]+")
_PHONE = re.compile(r"\+?\d[\d ]{6,18}\d")


def read_document(
    path: Path, list_key: str | None, keys: Collection[str] = (), optional: Collection[str] = ()
) -> Block:
    try:
        data = load_yaml(path)
    except OSError as exc:
        raise ContentError(f"{path}: cannot read the file ({exc.strerror})") from None
    if not isinstance(data, dict):
        expected = f"'{list_key}:' and a list" if list_key else "'key: value' lines"
        raise ContentError(f"{path}:1: the file should contain {expected}")
    return Block(data, (list_key,) if list_key else keys, optional, "the file")


def blocks(
    items: Any, what: str, required: Collection[str], optional: Collection[str] = ()
) -> Iterator[Block]:
    for index, item in enumerate(items):
        yield Block(item, required, optional, f"this {what}", items, index)


def line_of(container: Any, key: str | int | None) -> int:
    origin = origin_of(container, key)
    return origin.line if origin else 0


class Register:
    """Remembers where each id was first written, so a repeat can point at both places."""

    def __init__(self, what: str) -> None:
        self.what = what
        self.lines: dict[str, int] = {}

    def claim(self, value: str, block: Block, key: str) -> None:
        """Records an id, or fails at its key if the id was already used."""
        if value in self.lines:
            raise block.error(
                key, f"{self.what} '{value}' is already used at line {self.lines[value]}"
            )
        self.lines[value] = line_of(block.data, key)


class Block:
    """One YAML mapping being read; every complaint points at the line of the key at fault."""

    def __init__(
        self,
        data: Any,
        required: Collection[str],
        optional: Collection[str],
        what: str,
        parent: Any = None,
        key: str | int | None = None,
    ) -> None:
        if not isinstance(data, dict):
            raise fail(parent, key, f"{what} should be a block of 'key: value' lines")
        self.data = data
        for name in data:
            if name not in required and name not in optional:
                allowed = ", ".join([*required, *optional])
                raise self.error(name, f"unknown key '{name}' (expected: {allowed})")
        missing = [name for name in required if name not in data]
        if missing:
            raise fail(data, None, f"{what} is missing {', '.join(repr(m) for m in missing)}")

    def error(self, key: str, message: str) -> ContentError:
        """An error located at one of this block's keys."""
        return fail(self.data, key, message)

    def value(self, key: str) -> Any:
        """The raw value of a key, or None when an optional key is left out."""
        return self.data.get(key)

    def block(self, key: str, required: Collection[str], optional: Collection[str] = ()) -> Block:
        """A nested mapping."""
        return Block(self.value(key), required, optional, f"'{key}'", self.data, key)

    def sequence(self, key: str, non_empty: bool = False) -> Any:
        """A nested list, keeping its line numbers."""
        value = self.value(key)
        if not isinstance(value, list):
            raise self.error(key, f"'{key}' should be a list")
        if non_empty and not value:
            raise self.error(key, f"'{key}' should list at least one item")
        return value

    def text(self, key: str) -> str:
        """Non-empty text, trimmed."""
        value = self.value(key)
        if not isinstance(value, str) or not value.strip():
            raise self.error(key, f"'{key}' should be some text, not {value!r}")
        return value.strip()

    def texts(self, key: str) -> tuple[str, ...]:
        """A list of non-empty texts."""
        items = self.sequence(key)
        for position, item in enumerate(items):
            if not isinstance(item, str) or not item.strip():
                raise fail(items, position, f"each item of '{key}' should be some text")
        return tuple(item.strip() for item in items)

    def slug(self, key: str) -> str:
        """An id of lower-case letters, digits and single hyphens."""
        value = self.text(key)
        if not _SLUG.fullmatch(value):
            raise self.error(
                key, f"'{value}' should use only a-z, 0-9 and single hyphens, like 'coding-club'"
            )
        return value

    def optional_slug(self, key: str) -> str | None:
        """An id that may be left out."""
        return None if self.value(key) is None else self.slug(key)

    def integer(self, key: str, low: int, high: int) -> int:
        """A whole number within bounds."""
        value = self.value(key)
        if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
            raise self.error(
                key, f"'{key}' should be a whole number from {low} to {high}, not {value!r}"
            )
        return value

    def optional_integer(self, key: str, low: int, high: int) -> int | None:
        """A whole number that may be null."""
        return None if self.value(key) is None else self.integer(key, low, high)

    def number(self, key: str, low: float, high: float, above_low: bool = False) -> float:
        """A number within bounds; `above_low` excludes the lower bound itself."""
        value = self.value(key)
        is_number = isinstance(value, int | float) and not isinstance(value, bool)
        too_low = is_number and (value <= low if above_low else value < low)
        if not is_number or not math.isfinite(value) or too_low or value > high:
            bound = f"more than {low:g}" if above_low else f"at least {low:g}"
            raise self.error(
                key, f"'{key}' should be a number {bound} and at most {high:g}, not {value!r}"
            )
        return float(value)

    def latitude(self, key: str) -> float:
        """Degrees north."""
        return self.number(key, -90, 90)

    def longitude(self, key: str) -> float:
        """Degrees east; west is negative."""
        return self.number(key, -180, 180)

    def pence(self, key: str) -> int:
        """Pounds written as a number, kept as whole pence so money is never rounded."""
        self.number(key, 0, 10_000)
        pence = Decimal(str(self.value(key))) * 100
        if pence != pence.to_integral_value():
            raise self.error(key, f"'{key}' should be pounds and pence, like 2.50")
        return int(pence)

    def clock_time(self, key: str) -> time:
        """A local time written "HH:MM"."""
        value = self.value(key)
        if isinstance(value, int) and not isinstance(value, bool):
            raise self.error(
                key, f"write '{key}' in quotes, like \"16:30\" (without them YAML reads a number)"
            )
        match = _CLOCK_TIME.fullmatch(value) if isinstance(value, str) else None
        if match is None:
            raise self.error(key, f"'{key}' should be a 24-hour time like \"16:30\", not {value!r}")
        return time(int(match[1]), int(match[2]))

    def weekday(self, key: str) -> int | None:
        """A day of the week by name, as Monday=0 like `date.weekday()`; optional."""
        value = self.value(key)
        if value is None:
            return None
        if not isinstance(value, str) or value.strip().lower() not in WEEKDAYS:
            raise self.error(key, f"'{key}' should be a day like saturday, not {value!r}")
        return WEEKDAYS.index(value.strip().lower())

    def postcode(self, key: str) -> str:
        """A full UK-style postcode in capitals with one space."""
        value = self.text(key)
        if not _POSTCODE.fullmatch(value):
            raise self.error(key, f"'{value}' should be a full postcode like \"KF3 2AB\"")
        return value

    def email(self, key: str) -> str:
        """An email address."""
        value = self.text(key)
        if not _EMAIL.fullmatch(value):
            raise self.error(key, f"'{value}' is not an email address")
        return value

    def phone(self, key: str) -> str:
        """A phone number written as digits and spaces; quote it so YAML keeps the leading 0."""
        value = self.value(key)
        if not isinstance(value, str) or not _PHONE.fullmatch(value.strip()):
            raise self.error(
                key, f"'{key}' should be a phone number in quotes, like \"01632 960412\""
            )
        return value.strip()

    def https_url(self, key: str) -> str:
        """A web address; https only, since the bot sends young people there."""
        value = self.text(key)
        parts = urlsplit(value)
        if parts.scheme != "https" or not parts.netloc or " " in value:
            raise self.error(key, f"'{value}' should be a web address starting with https://")
        return value

    def optional_https_url(self, key: str) -> str | None:
        """A web address that may be left out."""
        return None if self.value(key) is None else self.https_url(key)

    def reference(self, key: str, known: Collection[str], what: str, where: str) -> str:
        """An id that must exist elsewhere in the content."""
        value = self.text(key)
        if value not in known:
            raise self.error(key, f"there is no {what} '{value}' in {where}")
        return value

    def references(
        self, key: str, known: Collection[str], what: str, where: str
    ) -> tuple[str, ...]:
        """A non-empty list of ids that must exist elsewhere, with no repeats."""
        items = self.sequence(key, non_empty=True)
        values: list[str] = []
        for position, item in enumerate(items):
            if not isinstance(item, str) or item not in known:
                raise fail(items, position, f"there is no {what} {item!r} in {where}")
            if item in values:
                raise fail(items, position, f"{what} '{item}' is listed twice")
            values.append(item)
        return tuple(values)
