"""A city's areas, partners and opportunities, read from YAML and checked up front.

Everything here is pure: it reads the content files and nothing else, so a mistake in the data
is found when the bot starts, with the file and line to fix, rather than in a conversation.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Collection, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from colbot.content.checked_yaml import Block, Register, blocks, line_of, read_document
from colbot.content.source import fail
from colbot.domain.geo import distance_km
from colbot.domain.timing import Timing

MAX_KM_FROM_CENTRE = 50.0
FUZZY_AREA_CUTOFF = 0.85
MIN_FUZZY_LENGTH = 5
MAX_DAY = 366
MAX_AGE = 120

_POSTCODE_DISTRICT = re.compile(r"[A-Z]{1,2}\d[A-Z\d]?")
_FULL_POSTCODE_IN_TEXT = re.compile(r"(?<![A-Z0-9])([A-Z]{1,2}\d[A-Z\d]?) ?\d[A-Z]{2}(?![A-Z0-9])")
_DISTRICT_IN_TEXT = re.compile(r"(?<![A-Z0-9])([A-Z]{1,2}\d[A-Z\d]?)(?: \d[A-Z]?)?(?![A-Z0-9])")


@dataclass(frozen=True)
class Point:
    """A place on the map, so distances can be worked out without a map service."""

    lat: float
    lon: float

    def km_to(self, other: Point) -> float:
        """The great-circle distance, good enough for 'how far is it' at town scale."""
        return distance_km(self.lat, self.lon, other.lat, other.lon)


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
class PrivacyContact:
    """Who young people and the city's DPO ask about what colbot keeps (city.yaml's `privacy`)."""

    name: str
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
    timing: Timing = Timing.SESSION

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
    # Without a `privacy` block in city.yaml, the safeguarding lead answers privacy questions too.
    privacy: PrivacyContact | None = None

    @property
    def privacy_contact(self) -> PrivacyContact:
        """Who to ask about personal data: the privacy contact, else the safeguarding lead."""
        if self.privacy is not None:
            return self.privacy
        return PrivacyContact(self.safeguarding.name, self.safeguarding.email)

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

    def _area_by_near_spelling(self, wanted: str) -> Area | None:
        """The one area a near spelling names; none when it is close to two."""
        words = wanted.split()
        chunks = {" ".join(words[i : i + n]) for n in (1, 2, 3) for i in range(len(words) - n + 1)}
        close = {
            area.id: area
            for area in self.areas
            for phrase in _area_phrases(area)
            for chunk in chunks
            if _close_to(chunk, phrase)
        }
        return next(iter(close.values())) if len(close) == 1 else None

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
            return self._area_by_near_spelling(wanted)
        longest = max(length for length, _ in found)
        best = {area.id: area for length, area in found if length == longest}
        return next(iter(best.values())) if len(best) == 1 else None


def _close_to(word: str, phrase: str) -> bool:
    """Whether a typed word is a near spelling of a place name ("northgte" for Northgate)."""
    return len(phrase) >= MIN_FUZZY_LENGTH and (
        difflib.SequenceMatcher(None, word, phrase).ratio() >= FUZZY_AREA_CUTOFF
    )


def load_city(folder: Path, passion_ids: Collection[str]) -> City:
    """Reads city.yaml, partners.yaml and opportunities.yaml from a folder and cross-checks them."""
    city_doc = read_document(
        folder / "city.yaml",
        None,
        ("id", "name", "timezone", "centre", "safeguarding", "areas"),
        optional=("privacy",),
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
    privacy = None
    if city_doc.value("privacy") is not None:
        privacy_block = city_doc.block("privacy", ("name", "email"))
        privacy = PrivacyContact(privacy_block.text("name"), privacy_block.email("email"))
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
        privacy=privacy,
    )


_AREA_KEYS = ("id", "name", "postcode_district", "lat", "lon", "imd_decile", "aliases")
_PARTNER_KEYS = ("id", "name", "kind", "description", "website", "email", "area")
_OPPORTUNITY_KEYS = (
    "id", "partner", "title", "description", "passions", "day", "start", "minutes", "venue",
    "address", "postcode", "lat", "lon", "min_age", "max_age", "cost", "hours",
)  # fmt: skip
_OPPORTUNITY_OPTIONAL_KEYS = ("weekday", "capacity", "url", "badge", "timing")


def _timezone(document: Block) -> ZoneInfo:
    zone_name = document.text("timezone")
    try:
        return ZoneInfo(zone_name)
    except (ZoneInfoNotFoundError, ValueError):
        raise document.error(
            "timezone", f"'{zone_name}' is not a timezone; use a name like Europe/London"
        ) from None


def _read_areas(document: Block, centre: Point) -> tuple[Area, ...]:
    items = document.sequence("areas", non_empty=True)
    areas: list[Area] = []
    ids = Register("area id")
    districts = Register("postcode district")
    phrase_owner: dict[str, tuple[str, int]] = {}
    for block in blocks(items, "area", _AREA_KEYS):
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
        _near(block, centre, area.point, "lat")
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
            phrase_owner.setdefault(plain, (area_id, line_of(container, key)))
        areas.append(area)
    return tuple(areas)


def _read_partners(path: Path, area_ids: Collection[str]) -> tuple[PartnerSeed, ...]:
    document = read_document(path, "partners")
    items = document.sequence("partners")
    partners: list[PartnerSeed] = []
    ids = Register("partner id")
    for block in blocks(items, "partner", _PARTNER_KEYS):
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
    document = read_document(path, "opportunities")
    items = document.sequence("opportunities")
    opportunities: list[OpportunitySeed] = []
    ids = Register("opportunity id")
    for block in blocks(items, "opportunity", _OPPORTUNITY_KEYS, _OPPORTUNITY_OPTIONAL_KEYS):
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
            timing=_timing(block),
        )
        _near(block, centre, opportunity.point, "lat")
        opportunities.append(opportunity)
    return tuple(opportunities)


def _timing(block: Block) -> Timing:
    """A session unless the file says it has no set time (drop_in, online or ongoing)."""
    value = block.value("timing")
    if value is None:
        return Timing.SESSION
    if not isinstance(value, str) or value not in set(Timing):
        choices = ", ".join(Timing)
        raise block.error("timing", f"'timing' should be one of {choices}, not {value!r}")
    return Timing(value)


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


def _near(block: Block, centre: Point, point: Point, key: str) -> None:
    """Catches swapped or mistyped coordinates that would put a place far from the city."""
    distance = point.km_to(centre)
    if distance > MAX_KM_FROM_CENTRE:
        raise block.error(
            key,
            f"({point.lat}, {point.lon}) is {distance:.0f} km from the city centre; "
            "check lat, lon and the minus sign",
        )
