"""Reading opportunity catalogues from files: CSV, OpenActive RPDE pages and iCalendar.

Parsing is pure (bytes in, opportunities out, no database): a file is either read whole into
`ImportedOpportunity`s or refused with `ImportRefused` listing every problem, so nothing is
written until everything has been checked.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import datetime, tzinfo
from pathlib import PurePath
from typing import Literal

from colbot.catalogue.importers.csvfile import parse_csv
from colbot.catalogue.importers.drafts import ImportedOpportunity
from colbot.catalogue.importers.ical import parse_ics
from colbot.catalogue.importers.openactive import parse_openactive
from colbot.catalogue.importers.problems import ImportRefused, Problem
from colbot.catalogue.importers.vocabulary import PassionVocabulary
from colbot.content.city import City
from colbot.content.passions import Passion

Format = Literal["csv", "openactive", "ics"]

_BY_SUFFIX: dict[str, Format] = {
    ".csv": "csv",
    ".json": "openactive",
    ".jsonld": "openactive",
    ".ics": "ics",
    ".ical": "ics",
    ".icalendar": "ics",
}

__all__ = [
    "Format",
    "ImportRefused",
    "ImportedOpportunity",
    "PassionVocabulary",
    "Problem",
    "detect_format",
    "parse_csv",
    "parse_file",
    "parse_ics",
    "parse_openactive",
]


def detect_format(filename: str, data: bytes) -> Format:
    """The format, by the file's extension, or else by what the file starts with."""
    by_suffix = _BY_SUFFIX.get(PurePath(filename).suffix.lower())
    if by_suffix is not None:
        return by_suffix
    start = data.removeprefix(b"\xef\xbb\xbf").lstrip()[:32]
    if start.upper().startswith(b"BEGIN:VCALENDAR"):
        return "ics"
    if start.startswith((b"{", b"[")):
        return "openactive"
    return "csv"


def parse_file(
    data: bytes,
    filename: str,
    city: City,
    passions: Sequence[Passion],
    timezone: tzinfo,
    *,
    badge_ids: Collection[str] | None = None,
    now: datetime | None = None,
) -> list[ImportedOpportunity]:
    """Every opportunity in a file of any supported format, or ImportRefused.

    `now` starts the horizon over which a calendar's repeating events are expanded.
    """
    kind = detect_format(filename, data)
    if kind == "ics":
        return parse_ics(data, city, passions, timezone, badge_ids=badge_ids, now=now)
    parser = {"csv": parse_csv, "openactive": parse_openactive}[kind]
    return parser(data, city, passions, timezone, badge_ids=badge_ids)
