"""Checking drafts one value at a time, collecting every problem instead of stopping at the first,
so that a file is either accepted whole or refused with everything wrong in it listed.
"""

from __future__ import annotations

import difflib
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from urllib.parse import urlsplit

from colbot.catalogue.importers.drafts import Draft, ImportContext, ImportedOpportunity, Row
from colbot.catalogue.importers.problems import ImportRefused, Problem
from colbot.catalogue.importers.values import (
    HAS_TIME_OF_DAY,
    MAX_AGE,
    MAX_CAPACITY,
    MAX_HOURS,
    MAX_LENGTHS,
    MAX_POUNDS,
    MIN_AGE,
    SLUG,
    decimal_of,
    hours_of,
    is_empty,
    normal_postcode,
    one_line,
    parse_duration,
    shown,
    tz_name,
    whole_of,
)
from colbot.catalogue.store import OpportunityFields, withdrawal
from colbot.content.city import MAX_KM_FROM_CENTRE, Point
from colbot.domain.text import folded


class Checker:
    """Turns one draft's raw values into catalogue fields, noting every problem on its row."""

    def __init__(self, context: ImportContext, row: Row, optional: Collection[str]) -> None:
        self.context = context
        self.row = row
        self.optional = optional

    def _missing(self, column: str, raw: object) -> bool:
        """Whether a value is missing; a missing required value is a problem."""
        if not is_empty(raw):
            return False
        if column not in self.optional:
            self.row.fail(column, "is empty, but every opportunity needs one")
        return True

    def text(self, column: str, raw: object, single_line: bool = True) -> str:
        """Text, tidied, within the column's length limit."""
        if self._missing(column, raw):
            return ""
        value = one_line(raw) if single_line else str(raw).strip()
        limit = MAX_LENGTHS.get(column)
        if limit is not None and len(value) > limit:
            self.row.fail(column, f"is {len(value)} characters long; the most is {limit}")
        return value

    def whole(self, column: str, raw: object, low: int, high: int) -> int | None:
        """A whole number from low to high."""
        if self._missing(column, raw):
            return None
        number = whole_of(raw)
        if number is None:
            self.row.fail(column, f"{shown(raw)} is not a whole number")
            return None
        if not low <= number <= high:
            self.row.fail(column, f"{shown(raw)} should be from {low} to {high}")
            return None
        return int(number)

    def passions(self, column: str, raw: object) -> tuple[str, ...]:
        """Passion ids: a ';'-separated list of ids, or ids matched already by the importer."""
        if isinstance(raw, tuple):
            return tuple(str(p) for p in raw)
        if self._missing(column, raw):
            return ()
        vocabulary = self.context.vocabulary
        found: list[str] = []
        before = len(self.row.problems)
        for token in str(raw).split(";"):
            word = token.strip()
            if not word:
                continue
            if word.lower() in vocabulary.ids:
                found.append(word.lower())
                continue
            guess = vocabulary.suggest(word)
            hint = f"; did you mean '{guess}'?" if guess else ""
            self.row.fail(column, f"{shown(word)} is not a passion id{hint}")
        if not found and len(self.row.problems) == before:
            self.row.fail(column, "names no passion; give passion ids separated by ';'")
        return tuple(dict.fromkeys(found))

    def time(self, column: str, raw: object) -> datetime | None:
        """An instant: ISO 8601 text or a datetime; without an offset it is in the city's zone."""
        if self._missing(column, raw):
            return None
        if isinstance(raw, datetime):
            value = raw
        elif isinstance(raw, date):
            self.row.fail(column, f"{shown(raw.isoformat())} is a whole day, not a start time")
            return None
        else:
            text = str(raw).strip()
            try:
                value = datetime.fromisoformat(text)
            except ValueError:
                self.row.fail(column, f"{shown(text)} is not an ISO 8601 time")
                return None
            if not HAS_TIME_OF_DAY.search(text):
                self.row.fail(
                    column, f"{shown(text)} has no time of day; write it like {text}T14:00"
                )
                return None
        if value.tzinfo is not None:
            return value
        zone = self.context.timezone
        local = value.replace(tzinfo=zone)
        if local.astimezone(UTC).astimezone(zone).replace(tzinfo=None) != value:
            self.row.fail(
                column,
                f"{shown(raw)} does not exist in {tz_name(zone)} (the clocks go forward then)",
            )
            return None
        return local

    def duration(self, column: str, raw: object) -> timedelta | None:
        """An ISO 8601 duration that is more than nothing; optional."""
        if is_empty(raw):
            return None
        span = parse_duration(raw)
        if span is None:
            self.row.fail(column, f"{shown(raw)} is not an ISO 8601 duration like PT1H30M")
            return None
        if span <= timedelta(0):
            self.row.fail(column, f"{shown(raw)} should be longer than nothing")
            return None
        return span

    def place(self, raw_lat: object, raw_lon: object) -> tuple[float | None, float | None]:
        """Latitude and longitude, both or neither, near enough to the city to be right."""
        lat = self._degrees("latitude", raw_lat, 90)
        lon = self._degrees("longitude", raw_lon, 180)
        if is_empty(raw_lat) != is_empty(raw_lon):
            empty, given = (
                ("latitude", "longitude") if is_empty(raw_lat) else ("longitude", "latitude")
            )
            self.row.fail(empty, f"is empty, but {self.row.label(given)} is given")
            return None, None
        if lat is None or lon is None:
            return None, None
        centre = self.context.city.centre
        distance = Point(lat, lon).km_to(centre)
        if distance > MAX_KM_FROM_CENTRE:
            # Whichever one is right on its own is near the city's centre with the other's.
            lat_fits = Point(lat, centre.lon).km_to(centre) <= MAX_KM_FROM_CENTRE
            wrong = "longitude" if lat_fits else "latitude"
            self.row.fail(
                wrong,
                f"({lat}, {lon}) is {distance:.0f} km from {self.context.city.name}; "
                f"check the {wrong} and its minus sign",
            )
            return None, None
        return lat, lon

    def _degrees(self, column: str, raw: object, limit: int) -> float | None:
        if is_empty(raw):
            return None
        number = decimal_of(raw)
        if number is None or not -limit <= number <= limit:
            self.row.fail(column, f"{shown(raw)} is not a {column} from -{limit} to {limit}")
            return None
        return float(number)

    def pence(self, column: str, raw: object) -> int | None:
        """Pounds (0 = free), kept as whole pence."""
        if self._missing(column, raw):
            return None
        if isinstance(raw, str) and raw.strip().lower() == "free":
            return 0
        number = decimal_of(raw)
        if number is None:
            self.row.fail(column, f"{shown(raw)} is not an amount in pounds, like 2.50 or 0")
        elif number < 0:
            self.row.fail(column, f"{shown(raw)} is negative; use 0 for free")
        elif number > MAX_POUNDS:
            self.row.fail(column, f"{shown(raw)} is more than £{MAX_POUNDS:,}")
        elif number * 100 != (number * 100).to_integral_value():
            self.row.fail(column, f"{shown(raw)} should be pounds and pence, like 2.50")
        else:
            return int(number * 100)
        return None

    def learning_hours(self, column: str, raw: object) -> float | None:
        """Learning hours credited on completion: more than 0."""
        if self._missing(column, raw):
            return None
        number = decimal_of(raw)
        if number is None:
            self.row.fail(column, f"{shown(raw)} is not a number of hours")
        elif number <= 0:
            self.row.fail(column, f"{shown(raw)} should be more than 0 hours")
        elif number > MAX_HOURS:
            self.row.fail(column, f"{shown(raw)} is more than {MAX_HOURS} hours")
        else:
            return float(number)
        return None

    def capacity(self, column: str, raw: object) -> int | None:
        """How many places, or None for no limit."""
        if is_empty(raw):
            return None
        number = whole_of(raw)
        if number is None or not 1 <= number <= MAX_CAPACITY:
            self.row.fail(column, f"{shown(raw)} is not a positive whole number of places")
            return None
        return int(number)

    def postcode(self, column: str, raw: object) -> str:
        """A full UK postcode, tidied to capitals with one space."""
        if self._missing(column, raw):
            return ""
        value = normal_postcode(str(raw))
        if value is None:
            self.row.fail(column, f"{shown(raw)} is not a full UK postcode like KF3 2AB")
            return ""
        return value

    def url(self, column: str, raw: object) -> str | None:
        """A web address starting http:// or https://."""
        if self._missing(column, raw):
            return None
        value = str(raw).strip()
        parts = urlsplit(value)
        if parts.scheme.lower() not in {"http", "https"} or not parts.netloc or " " in value:
            self.row.fail(column, f"{shown(raw)} is not a web address starting http:// or https://")
            return None
        if len(value) > MAX_LENGTHS["url"]:
            self.row.fail(column, f"is {len(value)} characters long; the most is 500")
            return None
        return value

    def badge(self, column: str, raw: object) -> str | None:
        """A badge class id from badges/."""
        if self._missing(column, raw):
            return None
        value = str(raw).strip()
        known = self.context.badge_ids
        if not SLUG.fullmatch(value) or len(value) > MAX_LENGTHS["badge"]:
            self.row.fail(column, f"{shown(raw)} is not a badge class id like 'young-curator'")
            return None
        if known is not None and value not in known:
            close = difflib.get_close_matches(value, sorted(known), n=1)
            hint = f"did you mean '{close[0]}'? " if close else ""
            self.row.fail(
                column,
                f"there is no badge class {shown(value)} in badges/; {hint}"
                f"the badge classes are {', '.join(sorted(known))}",
            )
            return None
        return value


@dataclass
class Batch:
    """Checks drafts one by one, keeping every problem and refusing the lot if there is any."""

    context: ImportContext
    problems: list[Problem] = field(default_factory=list)
    items: list[ImportedOpportunity] = field(default_factory=list)
    _seen: dict[tuple[str, str], str] = field(default_factory=dict)

    def problem(self, where: str, column: str, message: str) -> None:
        """Notes a problem found by the importer itself."""
        self.problems.append(Problem(where, column, message))

    def add(
        self,
        draft: Draft,
        where: str,
        optional: Collection[str],
        labels: Mapping[str, str] | None = None,
        absent: Collection[str] = (),
        notes: Iterable[tuple[str, str]] = (),
    ) -> ImportedOpportunity | None:
        """Checks one draft; keeps it if all is well.

        `notes` are (column, message) problems the importer already found with this row, such as
        "no passion matches"; they count against the row like any other.
        """
        row = Row(where, self.problems, labels, absent)
        key = (folded(one_line(draft.partner or "")), one_line(draft.id or ""))
        first = self._seen.get(key) if all(key) else None
        if first is not None:
            row.fail("id", f"{shown(draft.id)} is already used for {draft.partner} at {first}")
        elif all(key):
            self._seen[key] = where
        noted = set()
        for column, message in notes:
            row.fail(column, message)
            noted.add(column)
        # A column the importer has already said is wrong needs no second, vaguer complaint.
        row.absent = {*absent, *noted}
        item = _check(draft, Checker(self.context, row, optional))
        if item is None or row.failed:
            return None
        imported = ImportedOpportunity(item.partner, item.fields, where)
        self.items.append(imported)
        return imported

    def withdraw(self, partner: object, source_id: object, status: str, where: str) -> None:
        """Keeps a session the file calls off (cancelled, postponed), known by partner and id."""
        row = Row(where, self.problems, {})
        name = Checker(self.context, row, ()).text("partner", partner)
        key = Checker(self.context, row, ()).text("id", source_id)
        if not row.failed:
            self.items.append(ImportedOpportunity(name, withdrawal(key, status), where))

    def result(self) -> list[ImportedOpportunity]:
        """Everything read, or ImportRefused with every problem."""
        if self.problems:
            raise ImportRefused(self.problems)
        return list(self.items)


def _check(draft: Draft, check: Checker) -> ImportedOpportunity | None:
    """Every column in contract order, then the checks that compare columns."""
    row = check.row
    source_id = check.text("id", draft.id)
    partner = check.text("partner", draft.partner)
    title = check.text("title", draft.title)
    description = check.text("description", draft.description, single_line=False)
    passions = check.passions("passions", draft.passions)
    starts_at = check.time("starts_at", draft.starts_at)
    span = check.duration("duration", draft.duration)
    ends_at: datetime | None = None
    if not is_empty(draft.ends_at):
        ends_at = check.time("ends_at", draft.ends_at)
    elif span is not None:
        if starts_at is not None:
            ends_at = (starts_at.astimezone(UTC) + span).astimezone(starts_at.tzinfo)
    elif "duration" in row.labels:
        row.fail("ends_at", f"is empty, and there is no {row.label('duration')} either")
    else:
        check.time("ends_at", draft.ends_at)
    if starts_at is not None and ends_at is not None and ends_at <= starts_at:
        end = draft.ends_at if not is_empty(draft.ends_at) else ends_at
        row.fail("ends_at", f"{shown(end)} is not after the start, {shown(draft.starts_at)}")
        ends_at = None
    venue = check.text("venue", draft.venue)
    address = check.text("address", draft.address)
    postcode = check.postcode("postcode", draft.postcode)
    latitude, longitude = check.place(draft.latitude, draft.longitude)
    min_age = check.whole("min_age", draft.min_age, MIN_AGE, MAX_AGE)
    max_age = check.whole("max_age", draft.max_age, MIN_AGE, MAX_AGE)
    if min_age is not None and max_age is not None and min_age > max_age:
        row.fail("max_age", f"{shown(max_age)} is below the minimum age, {shown(min_age)}")
    cost_pence = check.pence("cost", draft.cost)
    hours: float | None
    if not is_empty(draft.hours) or "hours" not in check.optional:
        hours = check.learning_hours("hours", draft.hours)
    elif span is not None:
        hours = hours_of(span)
    elif starts_at is not None and ends_at is not None:
        hours = hours_of(ends_at.astimezone(UTC) - starts_at.astimezone(UTC))
    else:
        hours = None
    capacity = check.capacity("capacity", draft.capacity)
    url = check.url("url", draft.url)
    badge = check.badge("badge", draft.badge)
    if (
        row.failed
        or starts_at is None
        or ends_at is None
        or min_age is None
        or max_age is None
        or cost_pence is None
        or hours is None
    ):
        return None
    area = check.context.city.area_by_postcode(postcode) if postcode else None
    fields = OpportunityFields(
        source_id=source_id,
        title=title,
        description=description,
        passions=passions,
        starts_at=starts_at,
        ends_at=ends_at,
        venue=venue,
        address=address,
        postcode=postcode,
        area_id=area.id if area else None,
        latitude=latitude,
        longitude=longitude,
        min_age=min_age,
        max_age=max_age,
        cost_pence=cost_pence,
        learning_hours=hours,
        capacity=capacity,
        url=url,
        badge_class_id=badge,
        status=draft.status,
        is_full=draft.is_full,
        offers=draft.offers,
        series_key=draft.series_key,
    )
    return ImportedOpportunity(partner, fields)
