"""What every importer shares: one opportunity's raw values, checked one by one.

Each format reads its file into `Draft`s (raw values under the CSV contract's column names) and a
`Batch` checks them all, collecting every problem instead of stopping at the first, so that a
file is either accepted whole or refused with everything wrong in it listed.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta, tzinfo
from decimal import Decimal, InvalidOperation
from functools import cached_property
from urllib.parse import urlsplit

from colbot.catalogue.importers.problems import ImportRefused, Problem
from colbot.catalogue.store import OpportunityFields
from colbot.content.city import MAX_KM_FROM_CENTRE, City, Point
from colbot.content.passions import Passion
from colbot.domain.text import folded

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

COLUMNS = (
    "id", "partner", "title", "description", "passions", "starts_at", "ends_at", "venue",
    "address", "postcode", "latitude", "longitude", "min_age", "max_age", "cost", "hours",
    "capacity", "url", "badge",
)  # fmt: skip

_SLUG = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
_WHOLE = re.compile(r"[+-]?\d+")
_HAS_TIME_OF_DAY = re.compile(r"\d[Tt ]\d")
_POSTCODE = re.compile(r"([A-Z]{1,2}\d[A-Z\d]?) ?(\d[A-Z]{2})")
_POSTCODE_IN_TEXT = re.compile(
    r"(?<![A-Za-z0-9])([A-Za-z]{1,2}\d[A-Za-z\d]? ?\d[A-Za-z]{2})(?![A-Za-z0-9])"
)
_DURATION = re.compile(
    r"P(?:(?P<weeks>\d+(?:[.,]\d+)?)W)?(?:(?P<days>\d+(?:[.,]\d+)?)D)?"
    r"(?:T(?:(?P<hours>\d+(?:[.,]\d+)?)H)?(?:(?P<minutes>\d+(?:[.,]\d+)?)M)?"
    r"(?:(?P<seconds>\d+(?:[.,]\d+)?)S)?)?"
)

# Common OpenActive activity-list labels (and a few calendar words) that the passion synonyms
# in conversations/<language>/passions.yaml do not already cover. A passion's own words win.
ACTIVITY_PASSIONS: Mapping[str, str] = {
    "Football": "sport", "Yoga": "wellbeing", "Dance": "dance", "Gymnastics": "sport",
    "Trampolining": "sport", "Archery": "sport", "Fencing": "sport", "Golf": "sport",
    "Rowing": "sport", "Canoeing": "sport", "Kayaking": "sport", "Paddleboarding": "sport",
    "Stand Up Paddleboarding": "sport", "Sailing": "sport", "Surfing": "sport",
    "Squash": "sport", "Lacrosse": "sport", "Handball": "sport", "Dodgeball": "sport",
    "Ultimate Frisbee": "sport", "Parkour": "sport", "Aerobics": "sport",
    "Aqua Aerobics": "sport", "Circuit Training": "sport", "Bootcamp": "sport", "HIIT": "sport",
    "Boxercise": "sport", "Indoor Cycling": "sport", "Mountain Biking": "sport",
    "Bikeability": "sport", "Water Polo": "sport", "Diving": "sport", "Lifesaving": "sport",
    "Multi Sport": "sport", "Multisport": "sport", "Multi-sport": "sport",
    "Walking Football": "sport", "Walking Netball": "sport", "Wheelchair Basketball": "sport",
    "Boccia": "sport", "Goalball": "sport", "Bowls": "sport", "Ice Skating": "sport",
    "Roller Skating": "sport", "Horse Riding": "sport", "Skiing": "sport",
    "Snowboarding": "sport", "Triathlon": "sport", "Weightlifting": "sport",
    "Strength and Conditioning": "sport", "Rock Climbing": "sport", "Baseball": "sport",
    "Softball": "sport", "Rounders": "sport", "American Football": "sport", "Futsal": "sport",
    "Tag Rugby": "sport", "Touch Rugby": "sport", "Jiu Jitsu": "sport", "Muay Thai": "sport",
    "Aikido": "sport", "Kung Fu": "sport", "Self Defence": "sport", "Jogging": "sport",
    "Couch to 5k": "sport", "Cross Country": "sport", "Swimming Lessons": "sport",
    "Wild Swimming": "sport", "Capoeira": "sport", "Line Dancing": "dance",
    "Belly Dancing": "dance", "Contemporary Dance": "dance", "Stretching": "wellbeing",
    "Nordic Walking": "nature", "Rambling": "nature", "Forest School": "nature",
}  # fmt: skip

# Passion words too ordinary to mean a passion when they turn up in a title or summary
# ("Run by volunteers", "Make it yours"); they still count in activity labels and categories.
_TOO_COMMON_IN_TITLES = frozenset(
    folded(word)
    for word in (
        "it", "act", "run", "read", "make", "build", "help out", "words", "outside", "green",
        "stage", "data", "style", "training", "moves", "program", "sell", "shop", "money",
        "job", "jobs", "calm", "chill", "relax", "mood", "ball", "fits", "drip", "tap",
        "contemporary", "keys", "beat", "park", "parks", "news", "coach", "coaching",
        "help", "play", "saving", "culture", "community", "walks", "walking", "lighting",
    )
)  # fmt: skip


@dataclass(frozen=True)
class ImportedOpportunity:
    """One opportunity read from a file: the partner's name, its fields, and where it was."""

    partner: str
    fields: OpportunityFields
    where: str = ""


class PassionVocabulary:
    """Finds passion ids in labels and text by the passions' names, synonyms and activity labels."""

    def __init__(
        self, passions: Iterable[Passion], extra: Mapping[str, str] = ACTIVITY_PASSIONS
    ) -> None:
        passions = tuple(passions)
        self.ids: tuple[str, ...] = tuple(p.id for p in passions)
        self._by_phrase: dict[str, str] = {}
        for passion in passions:
            for word in passion.words:
                if folded(word):
                    self._by_phrase.setdefault(folded(word), passion.id)
        for label, passion_id in extra.items():
            if passion_id in self.ids and folded(label):
                self._by_phrase.setdefault(folded(label), passion_id)
        self._longest = max((len(p.split()) for p in self._by_phrase), default=1)

    def owner(self, word: str) -> str | None:
        """The passion a single word or phrase means, if it means one exactly."""
        phrase = folded(word)
        return self._by_phrase.get(phrase) or (
            self._by_phrase.get(phrase[:-1]) if phrase.endswith("s") else None
        )

    def find(self, text: str, in_titles: bool = False) -> list[str]:
        """The passion ids a label or text names, in the order they appear, without repeats.

        Longer phrases win ("rock climbing" is sport, not music); `in_titles` leaves out words
        that are too ordinary to mean a passion in a sentence.
        """
        words = folded(text).split()
        taken = [False] * len(words)
        found: list[tuple[int, str]] = []
        for size in range(min(self._longest, len(words)), 0, -1):
            for start in range(len(words) - size + 1):
                if any(taken[start : start + size]):
                    continue
                phrase = " ".join(words[start : start + size])
                if in_titles and phrase in _TOO_COMMON_IN_TITLES:
                    continue
                passion_id = self._by_phrase.get(phrase)
                if passion_id is None and size == 1 and phrase.endswith("s") and len(phrase) > 3:
                    singular = phrase[:-1]
                    if not (in_titles and singular in _TOO_COMMON_IN_TITLES):
                        passion_id = self._by_phrase.get(singular)
                if passion_id is not None:
                    found.append((start, passion_id))
                    taken[start : start + size] = [True] * size
        return list(dict.fromkeys(passion_id for _, passion_id in sorted(found)))

    def suggest(self, word: str) -> str | None:
        """The passion id someone most likely meant by an unknown id."""
        meant = self.owner(word)
        if meant is not None:
            return meant
        close = difflib.get_close_matches(folded(word), [*self.ids, *self._by_phrase], n=1)
        if not close:
            return None
        return close[0] if close[0] in self.ids else self._by_phrase[close[0]]


@dataclass(frozen=True)
class ImportContext:
    """What parsing needs besides the file: the city, its passions, its clock and its badges."""

    city: City
    passions: tuple[Passion, ...]
    timezone: tzinfo
    badge_ids: frozenset[str] | None = None

    @classmethod
    def of(
        cls,
        city: City,
        passions: Sequence[Passion],
        timezone: tzinfo,
        badge_ids: Collection[str] | None = None,
    ) -> ImportContext:
        """A context from the arguments every parser takes."""
        badges = None if badge_ids is None else frozenset(badge_ids)
        return cls(city, tuple(passions), timezone, badges)

    @cached_property
    def vocabulary(self) -> PassionVocabulary:
        """Words that mean each passion."""
        return PassionVocabulary(self.passions)


@dataclass
class Draft:
    """One opportunity's raw values, named as the CSV contract's columns.

    Values are text as read, or already-typed values from a structured format (numbers,
    datetimes, a tuple of matched passion ids). `duration` (ISO 8601 text or a timedelta) stands
    in for a missing `ends_at`, and for a missing `hours`.
    """

    id: object = None
    partner: object = None
    title: object = None
    description: object = None
    passions: object = None
    starts_at: object = None
    ends_at: object = None
    venue: object = None
    address: object = None
    postcode: object = None
    latitude: object = None
    longitude: object = None
    min_age: object = None
    max_age: object = None
    cost: object = None
    hours: object = None
    capacity: object = None
    url: object = None
    badge: object = None
    duration: object = None


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


def _decimal(value: object) -> Decimal | None:
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


def _whole(value: object) -> int | None:
    """A whole number written as one ("12", 12, 12.0 from JSON), or None ("12.5", "12.0", "x")."""
    if isinstance(value, str) and not _WHOLE.fullmatch(value.strip()):
        return None
    number = _decimal(value)
    if number is None or number != number.to_integral_value():
        return None
    return int(number)


def _tz_name(tz: tzinfo) -> str:
    return getattr(tz, "key", None) or str(tz)


def _hours(span: timedelta) -> float:
    return round(span.total_seconds() / 3600, 2)


class Row:
    """One row being checked: every problem is noted against its place and the column's label."""

    def __init__(
        self,
        where: str,
        problems: list[Problem],
        labels: Mapping[str, str] | None = None,
        absent: Collection[str] = (),
    ) -> None:
        self.where = where
        self.problems = problems
        self.labels = labels or {}
        self.absent = absent
        self._first = len(problems)

    def label(self, column: str) -> str:
        """The name of a column as the file calls it."""
        return self.labels.get(column, column)

    def fail(self, column: str, message: str) -> None:
        """Notes a problem, unless the column is absent (its absence is reported once)."""
        if column not in self.absent:
            self.problems.append(Problem(self.where, self.label(column) if column else "", message))

    @property
    def failed(self) -> bool:
        """Whether this row has any problem so far."""
        return len(self.problems) > self._first


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
        number = _whole(raw)
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
            if not _HAS_TIME_OF_DAY.search(text):
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
                f"{shown(raw)} does not exist in {_tz_name(zone)} (the clocks go forward then)",
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
            needed, given = ("latitude", "longitude") if lat is None else ("longitude", "latitude")
            self.row.fail(needed, f"is empty, but {self.row.label(given)} is given")
            return None, None
        if lat is None or lon is None:
            return None, None
        distance = Point(lat, lon).km_to(self.context.city.centre)
        if distance > MAX_KM_FROM_CENTRE:
            self.row.fail(
                "latitude",
                f"({lat}, {lon}) is {distance:.0f} km from {self.context.city.name}; "
                "check the latitude, the longitude and the minus sign",
            )
            return None, None
        return lat, lon

    def _degrees(self, column: str, raw: object, limit: int) -> float | None:
        if is_empty(raw):
            return None
        number = _decimal(raw)
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
        number = _decimal(raw)
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
        number = _decimal(raw)
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
        number = _whole(raw)
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
        if not _SLUG.fullmatch(value) or len(value) > MAX_LENGTHS["badge"]:
            self.row.fail(column, f"{shown(raw)} is not a badge class id like 'young-curator'")
            return None
        if known is not None and value not in known:
            close = difflib.get_close_matches(value, sorted(known), n=1)
            hint = f"; did you mean '{close[0]}'?" if close else ""
            self.row.fail(column, f"there is no badge class {shown(value)} in badges/{hint}")
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
        hours = _hours(span)
    elif starts_at is not None and ends_at is not None:
        hours = _hours(ends_at.astimezone(UTC) - starts_at.astimezone(UTC))
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
    )
    return ImportedOpportunity(partner, fields)
