"""Opportunities from an iCalendar (.ics) file, one per VEVENT, read with the icalendar library.

UID is the id (with RECURRENCE-ID added for a changed occurrence of a repeating event); only an
event's first occurrence is imported, since RRULE repeats are not expanded. Cancelled events
are skipped. The partner is the ORGANIZER's CN, else the calendar's X-WR-CALNAME. LOCATION gives
the venue (its first part), the address (the rest) and the postcode found in it. Passions come
from CATEGORIES (passion ids or any word for one), else from words in the SUMMARY. colbot's own
properties fill in the rest, with defaults: X-COLBOT-MIN-AGE (13), X-COLBOT-MAX-AGE (19),
X-COLBOT-COST (0, free), X-COLBOT-HOURS (the event's length), X-COLBOT-CAPACITY and
X-COLBOT-BADGE (none).
"""

from __future__ import annotations

import warnings
from collections.abc import Collection, Sequence
from datetime import datetime, tzinfo
from typing import Any

from icalendar import Calendar, Event

from colbot.catalogue.importers.checks import Batch
from colbot.catalogue.importers.drafts import Draft, ImportContext, ImportedOpportunity
from colbot.catalogue.importers.problems import ImportRefused, Problem
from colbot.catalogue.importers.values import one_line, postcode_in, shown, without_postcode
from colbot.content.city import City
from colbot.content.passions import Passion

DEFAULT_MIN_AGE = 13
DEFAULT_MAX_AGE = 19
OPTIONAL = frozenset(
    {"description", "address", "postcode", "latitude", "longitude", "hours", "capacity", "url",
     "badge", "ends_at"}
)  # fmt: skip
LABELS = {
    "id": "UID",
    "partner": "ORGANIZER",
    "title": "SUMMARY",
    "description": "DESCRIPTION",
    "passions": "CATEGORIES",
    "starts_at": "DTSTART",
    "ends_at": "DTEND",
    "duration": "DURATION",
    "venue": "LOCATION",
    "address": "LOCATION",
    "postcode": "LOCATION",
    "latitude": "GEO",
    "longitude": "GEO",
    "min_age": "X-COLBOT-MIN-AGE",
    "max_age": "X-COLBOT-MAX-AGE",
    "cost": "X-COLBOT-COST",
    "hours": "X-COLBOT-HOURS",
    "capacity": "X-COLBOT-CAPACITY",
    "url": "URL",
    "badge": "X-COLBOT-BADGE",
}
_LABEL_COLUMNS = {label: column for column, label in reversed(LABELS.items())}


def parse_ics(
    data: str | bytes,
    city: City,
    passions: Sequence[Passion],
    timezone: tzinfo,
    *,
    badge_ids: Collection[str] | None = None,
) -> list[ImportedOpportunity]:
    """Every VEVENT as an opportunity, or ImportRefused listing every problem by event."""
    context = ImportContext.of(city, passions, timezone, badge_ids)
    with warnings.catch_warnings():
        # The library warns about calendars it can still read (guessed time zone ids and the
        # like); what matters here is whether each event's values make sense.
        warnings.simplefilter("ignore")
        try:
            calendars = Calendar.from_ical(data, multiple=True)
        except ValueError as exc:
            raise ImportRefused([Problem("file", "", f"is not an iCalendar file: {exc}")]) from None
        batch = Batch(context)
        position = 0
        for calendar in calendars:
            calendar_name = _text(calendar.get("X-WR-CALNAME"))
            events = calendar.events if isinstance(calendar, Calendar) else []
            for event in [calendar] if isinstance(calendar, Event) else events:
                position += 1
                _read_event(batch, event, position, calendar_name)
    if not position and not batch.problems:
        batch.problem("file", "", "has no VEVENT in it")
    return batch.result()


def _read_event(batch: Batch, event: Event, position: int, calendar_name: str | None) -> None:
    uid = _text(event.get("UID"))
    where = f"event {uid}" if uid else f"event #{position}"
    status = _text(event.get("STATUS"))
    if status and status.upper() == "CANCELLED":
        return
    notes: list[tuple[str, str]] = []
    broken: set[str] = set()
    for name, message in event.errors:
        prop = (name or "").upper()
        if prop not in _LABEL_COLUMNS and prop != "RECURRENCE-ID":
            continue  # a property colbot does not use, such as DTSTAMP, may be broken
        broken.add(prop)
        notes.append((_LABEL_COLUMNS.get(prop, prop), f"cannot be read: {message}"))
    source_id = uid
    if uid and "RECURRENCE-ID" not in broken and event.get("RECURRENCE-ID") is not None:
        source_id = f"{uid}#{_value(event.get('RECURRENCE-ID')).isoformat()}"
        where = f"event {source_id}"
    for name in ("DTSTART", "DTEND"):
        if name not in broken and _unknown_zone(event.get(name)):
            broken.add(name)
            tzid = event[name].params["TZID"]
            notes.append(
                (
                    _LABEL_COLUMNS[name],
                    f"the time zone {shown(tzid)} is unknown; use a name like Europe/London "
                    "or include the calendar's VTIMEZONE",
                )
            )
    organizer = event.get("ORGANIZER")
    if isinstance(organizer, list):
        organizer = organizer[0] if organizer else None
    partner = _text(organizer.params.get("CN")) if organizer is not None else None
    partner = partner or calendar_name
    if not partner:
        notes.append(("partner", "has no CN name and the calendar has no X-WR-CALNAME"))
    summary = _text(event.get("SUMMARY"))
    passions = _passions(batch.context, event, summary)
    if not passions:
        categories = ", ".join(shown(c) for c in _categories(event)) or "none"
        notes.append(
            (
                "passions",
                f"no passion matches the CATEGORIES ({categories}) or SUMMARY "
                f"{shown(summary or '')}; add a CATEGORIES line with a passion id",
            )
        )
    location = _text(event.get("LOCATION")) or ""
    venue, _, rest = location.partition(",")
    geo = event.get("GEO") if "GEO" not in broken else None
    min_age, max_age = _ages(event)
    draft = Draft(
        id=source_id,
        partner=partner,
        title=summary,
        description=_text(event.get("DESCRIPTION"), single_line=False),
        passions=passions,
        starts_at=None if "DTSTART" in broken else _value(event.get("DTSTART")),
        ends_at=None if "DTEND" in broken else _value(event.get("DTEND")),
        duration=None if "DURATION" in broken else _value(event.get("DURATION")),
        venue=without_postcode(venue) or one_line(venue),
        address=without_postcode(rest),
        postcode=postcode_in(location),
        latitude=getattr(geo, "latitude", None),
        longitude=getattr(geo, "longitude", None),
        min_age=min_age,
        max_age=max_age,
        cost=_custom(event, "X-COLBOT-COST", 0),
        hours=_custom(event, "X-COLBOT-HOURS", None),
        capacity=_custom(event, "X-COLBOT-CAPACITY", None),
        url=_text(event.get("URL")),
        badge=_custom(event, "X-COLBOT-BADGE", None),
    )
    batch.add(draft, where, OPTIONAL, LABELS, notes=notes)


def _passions(context: ImportContext, event: Event, summary: str | None) -> tuple[str, ...]:
    vocabulary = context.vocabulary
    found: list[str] = []
    for category in _categories(event):
        found += vocabulary.find(category)
    if not found and summary:
        found = vocabulary.find(summary, in_titles=True)
    return tuple(dict.fromkeys(found))


def _categories(event: Event) -> list[str]:
    try:
        return [one_line(c) for c in event.categories if one_line(c)]
    except ValueError:
        return []


def _unknown_zone(prop: Any) -> bool:
    """Whether a time names a TZID the library could not find, leaving it without a zone."""
    value = getattr(prop, "dt", None)
    params = getattr(prop, "params", {})
    return isinstance(value, datetime) and value.tzinfo is None and bool(params.get("TZID"))


def _value(prop: Any) -> Any:
    """The Python value of a date, time or duration property (`.dt`), or None."""
    if prop is None:
        return None
    return getattr(prop, "dt", prop)


def _text(prop: Any, single_line: bool = True) -> str | None:
    if prop is None:
        return None
    text = str(prop)
    text = one_line(text) if single_line else text.strip()
    return text or None


def _ages(event: Event) -> tuple[object, object]:
    """X-COLBOT-MIN-AGE and X-COLBOT-MAX-AGE; a missing one defaults to 13-19, widened to fit."""
    low = _custom(event, "X-COLBOT-MIN-AGE", None)
    high = _custom(event, "X-COLBOT-MAX-AGE", None)
    if low is None:
        low = min(DEFAULT_MIN_AGE, _int(high, DEFAULT_MIN_AGE))
    if high is None:
        high = max(DEFAULT_MAX_AGE, _int(low, DEFAULT_MAX_AGE))
    return low, high


def _int(value: object, default: int) -> int:
    try:
        return int(str(value).strip())
    except ValueError:
        return default


def _custom(event: Event, name: str, default: object) -> object:
    value = _text(event.get(name))
    return default if value is None else value
