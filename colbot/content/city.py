"""A city's passions, areas, partners and opportunities, read from YAML and checked up front.

Everything here is pure: it reads the content files and nothing else, so a mistake in the data
is found when the bot starts, with the file and line to fix, rather than in a conversation.
"""

from __future__ import annotations

import math
import re
from collections.abc import Collection, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from decimal import Decimal
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from colbot.content.source import ContentError, fail, load_yaml, origin_of

WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
MAX_KM_FROM_CENTRE = 50.0
MAX_DAY = 366
MAX_AGE = 120

_SLUG = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
_CLOCK_TIME = re.compile(r"([01]\d|2[0-3]):([0-5]\d)")
_POSTCODE_DISTRICT = re.compile(r"[A-Z]{1,2}\d[A-Z\d]?")
_POSTCODE = re.compile(r"[A-Z]{1,2}\d[A-Z\d]? \d[A-Z]{2}")
_FULL_POSTCODE_IN_TEXT = re.compile(r"(?<![A-Z0-9])([A-Z]{1,2}\d[A-Z\d]?) ?\d[A-Z]{2}(?![A-Z0-9])")
_DISTRICT_IN_TEXT = re.compile(r"(?<![A-Z0-9])([A-Z]{1,2}\d[A-Z\d]?)(?: \d[A-Z]?)?(?![A-Z0-9])")
_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s.]+")
_PHONE = re.compile(r"\+?\d[\d ]{6,18}\d")


@dataclass(frozen=True)
class Point:
    """A place on the map, so distances can be worked out without a map service."""

    lat: float
    lon: float

    def km_to(self, other: Point) -> float:
        """The great-circle distance, good enough for 'how far is it' at town scale."""
        lat1, lon1, lat2, lon2 = map(math.radians, (self.lat, self.lon, other.lat, other.lon))
        hav = (
            math.sin((lat2 - lat1) / 2) ** 2
            + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
        )
        return 2 * 6371.0 * math.asin(math.sqrt(hav))


@dataclass(frozen=True)
class Passion:
    """Something a young person is into, with the words they might type for it."""

    id: str
    name: str
    emoji: str
    synonyms: tuple[str, ...]

    @property
    def words(self) -> tuple[str, ...]:
        """Every lower-case word or phrase that means this passion, its id and name first."""
        return tuple(dict.fromkeys((self.id, self.name.lower(), *self.synonyms)))


@dataclass(frozen=True)
class Area:
    """A neighbourhood people say they live in; only this rough area is ever stored."""

    id: str
    name: str
    postcode_district: str
    lat: float
    lon: float
    imd_decile: int
    aliases: tuple[str, ...]

    @property
    def point(self) -> Point:
        """The area's centre."""
        return Point(self.lat, self.lon)


@dataclass(frozen=True)
class Safeguarding:
    """Who young people and partners contact when they are worried about someone's safety."""

    name: str
    phone: str
    email: str


@dataclass(frozen=True)
class PartnerSeed:
    """An organisation as written in the content, before the database gives it a row."""

    id: str
    name: str
    kind: str
    description: str
    website: str
    email: str
    area: str


@dataclass(frozen=True)
class OpportunitySeed:
    """An opportunity as written in the content, with dates relative to the day it is seeded."""

    id: str
    partner: str
    title: str
    description: str
    passions: tuple[str, ...]
    day: int
    weekday: int | None
    start: time
    minutes: int
    venue: str
    address: str
    postcode: str
    lat: float
    lon: float
    min_age: int
    max_age: int
    cost_pence: int
    hours: float
    capacity: int | None
    url: str | None = None
    badge: str | None = None

    @property
    def point(self) -> Point:
        """Where it happens."""
        return Point(self.lat, self.lon)

    @property
    def is_free(self) -> bool:
        """Free things are worth saying so, since cost stops many young people."""
        return self.cost_pence == 0

    def suits_age(self, age: int) -> bool:
        """Whether someone of this age may come."""
        return self.min_age <= age <= self.max_age

    def first_date(self, today: date) -> date:
        """`day` days after today, moved on to the first of its weekday if it has one."""
        earliest = today + timedelta(days=self.day)
        if self.weekday is None:
            return earliest
        return earliest + timedelta(days=(self.weekday - earliest.weekday()) % 7)

    def starts_at(self, today: date, tz: tzinfo) -> datetime:
        """When it first starts, in the city's local time, so the demo is always upcoming."""
        return datetime.combine(self.first_date(today), self.start, tzinfo=tz)

    def ends_at(self, today: date, tz: tzinfo) -> datetime:
        """When it first ends; counted in UTC so a clock change cannot stretch or shrink it."""
        start = self.starts_at(today, tz).astimezone(UTC)
        return (start + timedelta(minutes=self.minutes)).astimezone(tz)


@dataclass(frozen=True)
class City:
    """One City of Learning: where it is, its neighbourhoods, partners and what's on."""

    id: str
    name: str
    timezone: ZoneInfo
    centre: Point
    safeguarding: Safeguarding
    areas: tuple[Area, ...]
    partners: tuple[PartnerSeed, ...]
    opportunities: tuple[OpportunitySeed, ...]

    def area(self, area_id: str) -> Area:
        """The area with this id; the content was checked, so a miss is a programming error."""
        for area in self.areas:
            if area.id == area_id:
                return area
        raise KeyError(area_id)

    def partner(self, partner_id: str) -> PartnerSeed:
        """The partner with this id; the content was checked, so a miss is a programming error."""
        for partner in self.partners:
            if partner.id == partner_id:
                return partner
        raise KeyError(partner_id)

    def area_by_postcode(self, text: str) -> Area | None:
        """The area of a postcode typed loosely: 'KF3', 'kf3 2', 'KF3 2AB', 'kf32ab', 'KF104AB'.

        A full postcode always ends in digit-letter-letter, so 'KF14AB' is KF1 4AB and 'KF104AB'
        is KF10 4AB: the longest district that leaves a full postcode. Without that ending only a
        whole district (optionally with a spaced sector, 'KF1 4') counts, so 'KF14' is not KF1.
        A full postcode outside the city gives None rather than a near miss.
        """
        cleaned = " ".join(re.sub(r"[^A-Z0-9]+", " ", text.upper()).split())
        by_district = {area.postcode_district: area for area in self.areas}
        full = _FULL_POSTCODE_IN_TEXT.search(cleaned)
        if full:
            return by_district.get(full[1])
        for partial in _DISTRICT_IN_TEXT.finditer(cleaned):
            if partial[1] in by_district:
                return by_district[partial[1]]
        return None

    def area_by_name(self, text: str) -> Area | None:
        """The area someone names, by name or local alias, alone or inside a sentence.

        An exact match wins; otherwise the longest name found in the text, unless two areas tie.
        """
        wanted = _plain_words(text)
        if not wanted:
            return None
        found: list[tuple[int, Area]] = []
        for area in self.areas:
            for phrase in _area_phrases(area):
                if phrase == wanted:
                    return area
                if f" {phrase} " in f" {wanted} ":
                    found.append((len(phrase), area))
        if not found:
            return None
        longest = max(length for length, _ in found)
        best = {area.id: area for length, area in found if length == longest}
        return next(iter(best.values())) if len(best) == 1 else None


def load_passions(path: Path) -> tuple[Passion, ...]:
    """Reads the passion list, making sure every word a young person types means one passion."""
    document = _read_document(path, "passions")
    items = document.sequence("passions", non_empty=True)
    passions: list[Passion] = []
    ids = _Register("passion id")
    word_owner: dict[str, tuple[str, int]] = {}

    def claim_word(word: str, passion_id: str, container: Any, key: str | int) -> None:
        owner = word_owner.get(word)
        if owner is not None and owner[0] != passion_id:
            raise fail(container, key, f"'{word}' already means '{owner[0]}' (line {owner[1]})")
        word_owner.setdefault(word, (passion_id, _line(container, key)))

    for block in _blocks(items, "passion", ("id", "name", "emoji", "synonyms")):
        passion_id = block.slug("id")
        ids.claim(passion_id, block, "id")
        name = block.text("name")
        emoji = block.text("emoji")
        synonyms_list = block.sequence("synonyms")
        claim_word(passion_id, passion_id, block.data, "id")
        claim_word(name.lower(), passion_id, block.data, "name")
        synonyms: list[str] = []
        for position, word in enumerate(synonyms_list):
            if not isinstance(word, str) or not word.strip():
                raise fail(synonyms_list, position, "each synonym must be a word or phrase")
            tidy = " ".join(word.split()).lower()
            if word != tidy:
                raise fail(synonyms_list, position, f"write synonym '{word}' as '{tidy}'")
            if word in synonyms:
                raise fail(synonyms_list, position, f"synonym '{word}' is listed twice")
            claim_word(word, passion_id, synonyms_list, position)
            synonyms.append(word)
        passions.append(Passion(passion_id, name, emoji, tuple(synonyms)))
    return tuple(passions)


def load_city(folder: Path, passion_ids: Collection[str]) -> City:
    """Reads city.yaml, partners.yaml and opportunities.yaml from a folder and cross-checks them."""
    city_doc = _read_document(
        folder / "city.yaml", None, ("id", "name", "timezone", "centre", "safeguarding", "areas")
    )
    city_id = city_doc.slug("id")
    name = city_doc.text("name")
    timezone = _timezone(city_doc)
    centre_block = city_doc.block("centre", ("lat", "lon"))
    centre = Point(centre_block.latitude("lat"), centre_block.longitude("lon"))
    safeguarding_block = city_doc.block("safeguarding", ("name", "phone", "email"))
    safeguarding = Safeguarding(
        name=safeguarding_block.text("name"),
        phone=safeguarding_block.phone("phone"),
        email=safeguarding_block.email("email"),
    )
    areas = _read_areas(city_doc, centre)
    partners = _read_partners(folder / "partners.yaml", {area.id for area in areas})
    opportunities = _read_opportunities(
        folder / "opportunities.yaml", {partner.id for partner in partners}, passion_ids, centre
    )
    return City(
        id=city_id,
        name=name,
        timezone=timezone,
        centre=centre,
        safeguarding=safeguarding,
        areas=areas,
        partners=partners,
        opportunities=opportunities,
    )


_AREA_KEYS = ("id", "name", "postcode_district", "lat", "lon", "imd_decile", "aliases")
_PARTNER_KEYS = ("id", "name", "kind", "description", "website", "email", "area")
_OPPORTUNITY_KEYS = (
    "id", "partner", "title", "description", "passions", "day", "start", "minutes", "venue",
    "address", "postcode", "lat", "lon", "min_age", "max_age", "cost", "hours",
)  # fmt: skip
_OPPORTUNITY_OPTIONAL_KEYS = ("weekday", "capacity", "url", "badge")


def _timezone(document: _Block) -> ZoneInfo:
    zone_name = document.text("timezone")
    try:
        return ZoneInfo(zone_name)
    except (ZoneInfoNotFoundError, ValueError):
        raise document.error(
            "timezone", f"'{zone_name}' is not a timezone; use a name like Europe/London"
        ) from None


def _read_areas(document: _Block, centre: Point) -> tuple[Area, ...]:
    items = document.sequence("areas", non_empty=True)
    areas: list[Area] = []
    ids = _Register("area id")
    districts = _Register("postcode district")
    phrase_owner: dict[str, tuple[str, int]] = {}
    for block in _blocks(items, "area", _AREA_KEYS):
        area_id = block.slug("id")
        ids.claim(area_id, block, "id")
        district = block.text("postcode_district")
        if not _POSTCODE_DISTRICT.fullmatch(district):
            raise block.error(
                "postcode_district",
                f"'{district}' should be the first half of a postcode, like KF1",
            )
        districts.claim(district, block, "postcode_district")
        area = Area(
            id=area_id,
            name=block.text("name"),
            postcode_district=district,
            lat=block.latitude("lat"),
            lon=block.longitude("lon"),
            imd_decile=block.integer("imd_decile", 1, 10),
            aliases=block.texts("aliases"),
        )
        block.near(centre, area.point, "lat")
        aliases_list = block.data["aliases"]
        places: list[tuple[str, Any, str | int]] = [(area.name, block.data, "name")]
        places += [(alias, aliases_list, i) for i, alias in enumerate(area.aliases)]
        for phrase, container, key in places:
            plain = _plain_words(phrase)
            if not plain:
                raise fail(container, key, f"'{phrase}' has no letters or digits to match")
            owner = phrase_owner.get(plain)
            if owner is not None and owner[0] != area_id:
                raise fail(
                    container, key, f"'{phrase}' already names area '{owner[0]}' (line {owner[1]})"
                )
            phrase_owner.setdefault(plain, (area_id, _line(container, key)))
        areas.append(area)
    return tuple(areas)


def _read_partners(path: Path, area_ids: Collection[str]) -> tuple[PartnerSeed, ...]:
    document = _read_document(path, "partners")
    items = document.sequence("partners")
    partners: list[PartnerSeed] = []
    ids = _Register("partner id")
    for block in _blocks(items, "partner", _PARTNER_KEYS):
        partner_id = block.slug("id")
        ids.claim(partner_id, block, "id")
        partners.append(
            PartnerSeed(
                id=partner_id,
                name=block.text("name"),
                kind=block.text("kind"),
                description=block.text("description"),
                website=block.https_url("website"),
                email=block.email("email"),
                area=block.reference("area", area_ids, "area", "city.yaml"),
            )
        )
    return tuple(partners)


def _read_opportunities(
    path: Path, partner_ids: Collection[str], passion_ids: Collection[str], centre: Point
) -> tuple[OpportunitySeed, ...]:
    document = _read_document(path, "opportunities")
    items = document.sequence("opportunities")
    opportunities: list[OpportunitySeed] = []
    ids = _Register("opportunity id")
    for block in _blocks(items, "opportunity", _OPPORTUNITY_KEYS, _OPPORTUNITY_OPTIONAL_KEYS):
        opportunity_id = block.slug("id")
        ids.claim(opportunity_id, block, "id")
        min_age = block.integer("min_age", 1, MAX_AGE)
        max_age = block.integer("max_age", 1, MAX_AGE)
        if max_age < min_age:
            raise block.error("max_age", f"max_age {max_age} is below min_age {min_age}")
        opportunity = OpportunitySeed(
            id=opportunity_id,
            partner=block.reference("partner", partner_ids, "partner", "partners.yaml"),
            title=block.text("title"),
            description=block.text("description"),
            passions=block.references("passions", passion_ids, "passion", "passions.yaml"),
            day=block.integer("day", 0, MAX_DAY),
            weekday=block.weekday("weekday"),
            start=block.clock_time("start"),
            minutes=block.integer("minutes", 1, 24 * 60),
            venue=block.text("venue"),
            address=block.text("address"),
            postcode=block.postcode("postcode"),
            lat=block.latitude("lat"),
            lon=block.longitude("lon"),
            min_age=min_age,
            max_age=max_age,
            cost_pence=block.pence("cost"),
            hours=block.number("hours", 0, 1000, above_low=True),
            capacity=block.optional_integer("capacity", 1, 100_000),
            url=block.optional_https_url("url"),
            badge=block.optional_slug("badge"),
        )
        block.near(centre, opportunity.point, "lat")
        opportunities.append(opportunity)
    return tuple(opportunities)


def _read_document(path: Path, list_key: str | None, keys: Collection[str] = ()) -> _Block:
    try:
        data = load_yaml(path)
    except OSError as exc:
        raise ContentError(f"{path}: cannot read the file ({exc.strerror})") from None
    if not isinstance(data, dict):
        expected = f"'{list_key}:' and a list" if list_key else "'key: value' lines"
        raise ContentError(f"{path}:1: the file should contain {expected}")
    return _Block(data, (list_key,) if list_key else keys, (), "the file")


def _blocks(
    items: Any, what: str, required: Collection[str], optional: Collection[str] = ()
) -> Iterator[_Block]:
    for index, item in enumerate(items):
        yield _Block(item, required, optional, f"this {what}", items, index)


def _line(container: Any, key: str | int | None) -> int:
    origin = origin_of(container, key)
    return origin.line if origin else 0


def _plain_words(text: str) -> str:
    words = re.sub(r"[^a-z0-9]+", " ", re.sub(r"['’]", "", text.lower())).split()
    if len(words) > 1 and words[0] == "the":
        words = words[1:]
    return " ".join(words)


def _area_phrases(area: Area) -> Iterator[str]:
    for phrase in (area.name, *area.aliases):
        plain = _plain_words(phrase)
        if plain:
            yield plain


class _Register:
    """Remembers where each id was first written, so a repeat can point at both places."""

    def __init__(self, what: str) -> None:
        self.what = what
        self.lines: dict[str, int] = {}

    def claim(self, value: str, block: _Block, key: str) -> None:
        """Records an id, or fails at its key if the id was already used."""
        if value in self.lines:
            raise block.error(
                key, f"{self.what} '{value}' is already used at line {self.lines[value]}"
            )
        self.lines[value] = _line(block.data, key)


class _Block:
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

    def block(self, key: str, required: Collection[str], optional: Collection[str] = ()) -> _Block:
        """A nested mapping."""
        return _Block(self.value(key), required, optional, f"'{key}'", self.data, key)

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

    def near(self, centre: Point, point: Point, key: str) -> None:
        """Catches swapped or mistyped coordinates that would put a place far from the city."""
        distance = point.km_to(centre)
        if distance > MAX_KM_FROM_CENTRE:
            raise self.error(
                key,
                f"({point.lat}, {point.lon}) is {distance:.0f} km from the city centre; "
                "check lat, lon and the minus sign",
            )

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
