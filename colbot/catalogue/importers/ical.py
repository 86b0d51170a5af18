"""Opportunities from an iCalendar (.ics) file as calendars export it, read with icalendar.

Each VEVENT is an opportunity, UID its id. A repeating event (RRULE, RDATE) is expanded by
recurring-ical-events over a rolling horizon (8 weeks from now, or from its first date if that is
later): each date is its own opportunity, its id the UID and the date (RECURRENCE-ID), so each
date can be saved, reminded of and given codes; its series key, the UID, makes them one
opportunity with its dates for a young person. EXDATEs, STATUS:CANCELLED events and cancelled
RECURRENCE-ID instances withdraw those dates; a RECURRENCE-ID override moves or changes its date.
An all-day event is taken as that day, from midnight, unless it is shown as free time
(TRANSP:TRANSPARENT: bank holidays, birthdays), which is no session. Times are read with their
TZID (the calendar's VTIMEZONE or a known name), as UTC, or, floating, in the city's time zone.
Folded lines are joined before the text is decoded, so a fold inside a letter does no harm.

The partner is the ORGANIZER's CN, else the calendar's X-WR-CALNAME. LOCATION gives the venue
(its first part), the address (the rest) and the postcode found in it. Passions come from
CATEGORIES (passion ids or any word for one), else from words in the SUMMARY. colbot's own
properties fill in the rest, with defaults: X-COLBOT-MIN-AGE (13), X-COLBOT-MAX-AGE (19),
X-COLBOT-COST (0, free), X-COLBOT-HOURS (the event's length, or 6 for a whole day),
X-COLBOT-CAPACITY and X-COLBOT-BADGE (none).
"""

from __future__ import annotations

import hashlib
import re
import warnings
from collections.abc import Collection, Sequence
from datetime import date, datetime, time, timedelta, tzinfo
from typing import Any

import recurring_ical_events
from icalendar import Calendar, Event
from icalendar.error import BrokenCalendarProperty

from colbot.catalogue.importers.checks import Batch
from colbot.catalogue.importers.drafts import Draft, ImportContext, ImportedOpportunity
from colbot.catalogue.importers.problems import ImportRefused, Problem
from colbot.catalogue.importers.values import one_line, postcode_in, shown, without_postcode
from colbot.catalogue.store import CANCELLED
from colbot.content.city import City
from colbot.content.passions import Passion

HORIZON = timedelta(weeks=8)
ALL_DAY_HOURS = 6
LONGEST_UID_IN_ID = 96
FOLD = re.compile(rb"\r?\n[ \t]")
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
    now: datetime | None = None,
    horizon: timedelta = HORIZON,
) -> list[ImportedOpportunity]:
    """Every event and every date of a repeating one, or ImportRefused listing every problem."""
    context = ImportContext.of(city, passions, timezone, badge_ids)
    with warnings.catch_warnings():
        # The library warns about calendars it can still read (guessed time zone ids and the
        # like); what matters here is whether each event's values make sense.
        warnings.simplefilter("ignore")
        try:
            calendars = Calendar.from_ical(_unfolded(data), multiple=True)
        except ValueError as exc:
            raise ImportRefused([Problem("file", "", f"is not an iCalendar file: {exc}")]) from None
        batch = Batch(context)
        position = 0
        for calendar in calendars:
            calendar_name = _text(calendar.get("X-WR-CALNAME"))
            if isinstance(calendar, Event):
                occurrences: list[_Occurrence] = [(calendar, None, False)]
            elif isinstance(calendar, Calendar):
                occurrences = _occurrences(batch, calendar, now, horizon, timezone)
            else:
                occurrences = []
            for event, source_id, excluded in occurrences:
                position += 1
                _read_event(batch, event, position, calendar_name, source_id, excluded)
    if not position and not batch.problems:
        batch.problem("file", "", "has no VEVENT in it")
    return batch.result()


# An event, the id of its date if it is one date of a repeating event, and whether EXDATE drops it.
_Occurrence = tuple[Event, str | None, bool]


def _unfolded(data: str | bytes) -> bytes:
    """The file with folded lines joined as bytes, so a fold inside a UTF-8 letter is undone."""
    raw = data.encode() if isinstance(data, str) else data
    return FOLD.sub(b"", raw.removeprefix(b"\xef\xbb\xbf"))


def _occurrences(
    batch: Batch, calendar: Calendar, now: datetime | None, horizon: timedelta, zone: tzinfo
) -> list[_Occurrence]:
    """Every event of the calendar, with the dates of repeating ones within the horizon."""
    by_uid: dict[str, list[Event]] = {}
    for event in calendar.events:
        by_uid.setdefault(str(event.get("UID", "")), []).append(event)
    found: list[_Occurrence] = []
    for uid, events in by_uid.items():
        master = next((e for e in events if e.get("RECURRENCE-ID") is None), None)
        if not uid or master is None or not (master.get("RRULE") or master.get("RDATE")):
            found += [(event, None, False) for event in events]
            continue
        start = _instant(_value(master.get("DTSTART")), zone)
        if start is None:
            found.append((master, None, False))  # the checks say what is wrong with it
            continue
        begin = max(start, now) if now is not None else start
        series = Calendar()
        for part in (*calendar.walk("VTIMEZONE"), *events):
            series.add_component(part)
        try:
            dates = recurring_ical_events.of(series).between(begin, begin + horizon)
        except (ValueError, TypeError) as exc:
            batch.problem(f"event {uid}", "RRULE", f"cannot be read: {exc}")
            continue
        for occurrence in dates:
            found.append((occurrence, _date_id(uid, occurrence.get("RECURRENCE-ID")), False))
        for excluded in _exdates(master):
            moment = _instant(excluded, zone)
            if moment is not None and begin <= moment < begin + horizon:
                found.append((master, _date_id(uid, excluded), True))
    return found


def _date_id(uid: str, recurrence_id: Any) -> str:
    """One date's id: the UID and the date, the UID shortened to a hash if it is too long to fit
    (Outlook's UIDs are over 100 characters)."""
    moment = _value(recurrence_id) if not isinstance(recurrence_id, date) else recurrence_id
    return f"{_short_uid(uid)}#{moment.isoformat()}"


def _short_uid(uid: str) -> str:
    """The UID, or a hash of it if it is too long to keep (Outlook's are over 100 characters)."""
    if len(uid) > LONGEST_UID_IN_ID:
        return "uid-" + hashlib.sha256(uid.encode()).hexdigest()[:40]
    return uid


def _exdates(event: Event) -> list[Any]:
    """The dates an EXDATE (one or several lines) drops from a repeating event."""
    prop = event.get("EXDATE")
    lines = prop if isinstance(prop, list) else [prop] if prop is not None else []
    return [d.dt for line in lines for d in getattr(line, "dts", [])]


def _instant(value: Any, zone: tzinfo) -> datetime | None:
    """A date or time as an aware instant: a date from midnight, a floating time in the city."""
    if isinstance(value, datetime):
        return value if value.tzinfo is not None else value.replace(tzinfo=zone)
    if isinstance(value, date):
        return datetime.combine(value, time(), zone)
    return None


def _read_event(
    batch: Batch,
    event: Event,
    position: int,
    calendar_name: str | None,
    date_id: str | None = None,
    excluded: bool = False,
) -> None:
    uid = _text(event.get("UID"))
    where = f"event {uid}" if uid else f"event #{position}"
    start = _value(event.get("DTSTART"))
    all_day = isinstance(start, date) and not isinstance(start, datetime)
    if all_day and str(event.get("TRANSP", "")).upper() == "TRANSPARENT":
        return  # a day marked free, such as a bank holiday: no session
    notes: list[tuple[str, str]] = []
    broken: set[str] = set()
    for name, message in event.errors:
        prop = (name or "").upper()
        if prop not in _LABEL_COLUMNS and prop != "RECURRENCE-ID":
            continue  # a property colbot does not use, such as DTSTAMP, may be broken
        broken.add(prop)
        notes.append((_LABEL_COLUMNS.get(prop, prop), f"cannot be read: {message}"))
    source_id = date_id or uid
    if uid and not date_id and "RECURRENCE-ID" not in broken and event.get("RECURRENCE-ID"):
        source_id = _date_id(uid, event.get("RECURRENCE-ID"))
    series_key = None
    if source_id != uid:
        where = f"event {source_id}"
        # One date of a repeating event: its dates are shown as one opportunity.
        series_key = _short_uid(uid) if uid else None
    organizer = event.get("ORGANIZER")
    if isinstance(organizer, list):
        organizer = organizer[0] if organizer else None
    partner = _text(organizer.params.get("CN")) if organizer is not None else None
    partner = partner or calendar_name
    status = (_text(event.get("STATUS")) or "").upper()
    if excluded or status == "CANCELLED":
        batch.withdraw(partner, source_id, CANCELLED, where)
        return
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
    zone = batch.context.timezone
    starts_at, ends_at = _value(event.get("DTSTART")), _value(event.get("DTEND"))
    duration = _value(event.get("DURATION"))
    hours = _custom(event, "X-COLBOT-HOURS", None)
    if all_day:
        # A whole day runs from midnight to the next midnight (DTEND is the day after).
        starts_at = _instant(starts_at, zone)
        ends_at = _instant(ends_at, zone) if ends_at is not None else None
        duration = duration if ends_at is not None or duration else timedelta(days=1)
        hours = hours if hours is not None else ALL_DAY_HOURS
    draft = Draft(
        id=source_id,
        partner=partner,
        title=summary,
        description=_text(event.get("DESCRIPTION"), single_line=False),
        passions=passions,
        starts_at=None if "DTSTART" in broken else starts_at,
        ends_at=None if "DTEND" in broken else ends_at,
        duration=None if "DURATION" in broken else duration,
        venue=without_postcode(venue) or one_line(venue),
        address=without_postcode(rest),
        postcode=postcode_in(location),
        latitude=getattr(geo, "latitude", None),
        longitude=getattr(geo, "longitude", None),
        min_age=min_age,
        max_age=max_age,
        cost=_custom(event, "X-COLBOT-COST", 0),
        hours=hours,
        capacity=_custom(event, "X-COLBOT-CAPACITY", None),
        url=_text(event.get("URL")),
        badge=_custom(event, "X-COLBOT-BADGE", None),
        series_key=series_key,
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
    try:
        return getattr(prop, "dt", prop)
    except BrokenCalendarProperty:
        return None  # said by the event's errors


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
