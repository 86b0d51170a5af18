"""Opportunities from OpenActive open data: a page of an RPDE feed, saved as JSON.

OpenActive (https://openactive.io) is the UK's open standard for physical activity sessions.
A feed page is `{"items": [{"state", "kind", "id", "modified", "data"}], "next": ...}`; colbot
reads its SessionSeries, ScheduledSession and Event items:

- an Event is one opportunity;
- a ScheduledSession is one opportunity, taking what it does not say itself (name, organizer,
  location, ages, price...) from its SessionSeries: embedded as `superEvent`, or another item in
  the same file named by `superEvent`'s URL or id;
- a SessionSeries gives one opportunity per ScheduledSession in its `subEvent` list.

A session is known by its `@id`, else its `identifier`, else its RPDE item id (a sub-event
without any: the series' id and its start), so the same session listed both as a sub-event and as
its own item is imported once. Deleted items are skipped: colbot keeps what people saved or did.
Passions come from the `activity` prefLabels, else `category`, else words in the `name`.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Collection, Mapping, Sequence
from datetime import tzinfo
from typing import Any

from colbot.catalogue.importers.checks import Batch
from colbot.catalogue.importers.drafts import Draft, ImportContext, ImportedOpportunity
from colbot.catalogue.importers.problems import ImportRefused, Problem
from colbot.catalogue.importers.values import (
    MAX_AGE,
    MIN_AGE,
    decimal_of,
    is_empty,
    one_line,
    postcode_in,
    shown,
    without_postcode,
)
from colbot.catalogue.store import CANCELLED, POSTPONED, SCHEDULED
from colbot.content.city import City
from colbot.content.passions import Passion

# OpenActive: "If ageRange is not specified, the opportunity is assumed to be for adults".
ADULT_AGE = 18
# The age a priced offer is chosen for: the youngest colbot's young people can be.
YOUTH_AGE = 13
SERIES = "SessionSeries"
SESSION = "ScheduledSession"
LONGEST_SERIES_KEY = 200
EVENT = "Event"
OPTIONAL = frozenset(
    {"description", "address", "postcode", "latitude", "longitude", "hours", "capacity", "url",
     "badge", "ends_at"}
)  # fmt: skip
LEARNING_HOURS = "colbot:learningHours"
_Entry = tuple[str, Draft, list[tuple[str, str]], dict[str, str]]
BADGE = "colbot:badge"

LABELS = {
    "id": "id",
    "partner": "organizer.name",
    "title": "name",
    "description": "description",
    "passions": "activity",
    "starts_at": "startDate",
    "ends_at": "endDate",
    "duration": "duration",
    "venue": "location.name",
    "address": "location.address",
    "postcode": "location.address.postalCode",
    "latitude": "location.geo.latitude",
    "longitude": "location.geo.longitude",
    "min_age": "ageRange.minValue",
    "max_age": "ageRange.maxValue",
    "cost": "offers[0].price",
    "hours": LEARNING_HOURS,
    "capacity": "maximumAttendeeCapacity",
    "url": "url",
    "badge": BADGE,
}
_SESSION_OWN = ("id", "starts_at", "ends_at", "duration")


def parse_openactive(
    data: str | bytes,
    city: City,
    passions: Sequence[Passion],
    timezone: tzinfo,
    *,
    badge_ids: Collection[str] | None = None,
) -> list[ImportedOpportunity]:
    """Every session and event on an RPDE page, or ImportRefused listing every problem."""
    try:
        page = json.loads(data)
    except ValueError as exc:
        raise ImportRefused([Problem("file", "", f"is not JSON: {exc}")]) from None
    items = page.get("items") if isinstance(page, dict) else None
    if not isinstance(items, list):
        raise ImportRefused(
            [
                Problem(
                    "file",
                    "items",
                    'is not an OpenActive RPDE feed page: {"items": [...], "next": "..."}',
                )
            ]
        )
    return _Page(ImportContext.of(city, passions, timezone, badge_ids), items).read()


class _Page:
    """One feed page: its series indexed first, so that sessions can find theirs."""

    def __init__(self, context: ImportContext, items: list[Any]) -> None:
        self.batch = Batch(context)
        self.context = context
        self.items: list[tuple[str, str, str, dict[str, Any]]] = []
        self.series: dict[str, dict[str, Any]] = {}
        for position, item in enumerate(items, start=1):
            self._index(position, item)

    def _index(self, position: int, item: Any) -> None:
        if not isinstance(item, dict):
            self.batch.problem(f"item #{position}", "", "is not an RPDE item (a JSON object)")
            return
        item_id = item.get("id")
        where = f"item {item_id}" if not is_empty(item_id) else f"item #{position}"
        if item.get("state") == "deleted":
            return
        data = item.get("data")
        if item.get("state") != "updated" or not isinstance(data, dict):
            self.batch.problem(
                where, "state", 'should be "updated" with its "data", or "deleted" without'
            )
            return
        if is_empty(item_id):
            self.batch.problem(where, "id", "is missing; every RPDE item has an id")
            return
        kind = _kind(str(item.get("kind") or "")) or _kind(str(data.get("@type") or ""))
        if kind is None:
            self.batch.problem(
                where,
                "kind",
                f"{shown(item.get('kind'))} is not a kind colbot imports "
                "(SessionSeries, ScheduledSession or Event)",
            )
            return
        self.items.append((where, str(item_id), kind, data))
        if kind == SERIES:
            for key in (str(item_id), data.get("@id"), data.get("id"), data.get("identifier")):
                if not is_empty(key):
                    self.series.setdefault(str(key), data)

    def read(self) -> list[ImportedOpportunity]:
        """Every opportunity on the page; a session's own item wins over its sub-event entry."""
        entries: dict[tuple[str, str], _Entry] = {}
        from_sub_events: set[tuple[str, str]] = set()
        for where, item_id, kind, data in self.items:
            for key, entry in self._drafts(where, item_id, kind, data):
                if key not in entries:
                    entries[key] = entry
                    if kind == SERIES:
                        from_sub_events.add(key)
                elif kind == SESSION and key in from_sub_events:
                    entries[key] = entry
                    from_sub_events.discard(key)
                elif kind == SERIES and key not in from_sub_events:
                    continue
                else:
                    first = entries[key][0]
                    self.batch.problem(where, "id", f"{shown(key[1])} is already used at {first}")
        for where, draft, notes, labels in entries.values():
            if draft.status != SCHEDULED:
                self.batch.withdraw(draft.partner, draft.id, draft.status, where)
            else:
                self.batch.add(draft, where, OPTIONAL, labels, notes=notes)
        return self.batch.result()

    def _drafts(
        self, where: str, item_id: str, kind: str, data: dict[str, Any]
    ) -> list[tuple[tuple[str, str], _Entry]]:
        if kind == EVENT:
            return [self._entry(where, data, {}, item_id, LABELS)]
        if kind == SESSION:
            series = self._series_of(where, data)
            if series is None:
                return []
            return [self._entry(where, data, series, item_id, LABELS)]
        sub_events = data.get("subEvent") or []
        if isinstance(sub_events, dict):
            sub_events = [sub_events]
        if not isinstance(sub_events, list):
            self.batch.problem(where, "subEvent", "should be a list of ScheduledSessions")
            return []
        if not sub_events:
            if not self._has_sessions_elsewhere(item_id, data):
                self.batch.problem(
                    where,
                    "subEvent",
                    "this SessionSeries has no sessions: no subEvent and no ScheduledSession "
                    "item in this file names it as its superEvent",
                )
            return []
        entries = []
        for index, session in enumerate(sub_events):
            prefix = f"subEvent[{index}]."
            labels = {**LABELS, **{name: prefix + LABELS[name] for name in _SESSION_OWN}}
            if not isinstance(session, dict):
                self.batch.problem(where, f"subEvent[{index}]", "is not a ScheduledSession")
                continue
            start = session.get("startDate")
            fallback = f"{item_id}#{start}" if not is_empty(start) else f"{item_id}#{index}"
            entries.append(self._entry(where, session, data, fallback, labels))
        return entries

    def _series_of(self, where: str, session: dict[str, Any]) -> dict[str, Any] | None:
        parent = session.get("superEvent")
        if isinstance(parent, dict):
            return parent
        if is_empty(parent):
            parent = session.get("superEventId")
        if is_empty(parent):
            # A session that says everything itself needs no series.
            return {}
        series = self.series.get(str(parent))
        if series is None:
            self.batch.problem(
                where, "superEvent", f"{shown(parent)} is not a SessionSeries in this file"
            )
        return series

    def _has_sessions_elsewhere(self, item_id: str, data: dict[str, Any]) -> bool:
        names = {str(k) for k in (item_id, data.get("@id"), data.get("identifier")) if k}
        for _, _, kind, other in self.items:
            if kind == SESSION:
                parent = other.get("superEvent") or other.get("superEventId")
                if not isinstance(parent, dict) and str(parent) in names:
                    return True
        return False

    def _entry(
        self,
        where: str,
        session: dict[str, Any],
        series: Mapping[str, Any],
        fallback_id: str,
        labels: dict[str, str],
    ) -> tuple[tuple[str, str], _Entry]:
        def pick(key: str) -> Any:
            value = session.get(key)
            return series.get(key) if is_empty(value) or value == [] else value

        notes: list[tuple[str, str]] = []
        source_id = next(
            (str(v) for v in (session.get("@id"), session.get("identifier")) if not is_empty(v)),
            fallback_id,
        )
        organizer = pick("organizer")
        partner = _text(organizer.get("name")) if isinstance(organizer, dict) else None
        passion_ids = self._passions(pick("activity"), pick("category"), pick("name"))
        if not passion_ids:
            notes.append(
                ("passions", _no_passion(pick("activity"), pick("category"), pick("name")))
            )
        venue, address, postcode, latitude, longitude = _location(pick("location"))
        if not isinstance(pick("location"), dict):
            notes.append(("venue", "is missing: the opportunity has no location"))
        min_age, max_age = _ages(pick("ageRange"))
        cost = _price(pick("offers"), pick("isAccessibleForFree"), notes, min_age, max_age)
        draft = Draft(
            id=source_id,
            partner=partner,
            title=_text(pick("name")),
            description=_text(pick("description"), single_line=False),
            passions=passion_ids,
            starts_at=session.get("startDate"),
            ends_at=session.get("endDate"),
            duration=session.get("duration"),
            venue=venue,
            address=address,
            postcode=postcode,
            latitude=latitude,
            longitude=longitude,
            min_age=min_age,
            max_age=max_age,
            cost=cost,
            hours=pick(LEARNING_HOURS),
            capacity=pick("maximumAttendeeCapacity"),
            url=_text(pick("url")),
            badge=pick(BADGE),
            status=_status(session.get("eventStatus") or series.get("eventStatus")),
            is_full=_is_full(session.get("remainingAttendeeCapacity")),
            offers=_offers(pick("offers"), pick("isAccessibleForFree")),
            series_key=_series_key(session, series),
        )
        key = (one_line(partner or "").casefold(), source_id)
        return key, (where, draft, notes, labels)

    def _passions(self, activity: Any, category: Any, name: Any) -> tuple[str, ...]:
        vocabulary = self.context.vocabulary
        for labels in (_labels(activity), _labels(category)):
            found: list[str] = []
            for label in labels:
                found += vocabulary.find(label)
            if found:
                return tuple(dict.fromkeys(found))
        return tuple(vocabulary.find(_text(name) or "", in_titles=True))


def _kind(kind: str) -> str | None:
    if kind.startswith(SESSION):
        return SESSION
    if kind in {SERIES, EVENT}:
        return kind
    return None


def _text(value: Any, single_line: bool = True) -> str | None:
    if not isinstance(value, str | int | float) or isinstance(value, bool):
        return None
    return one_line(value) if single_line else str(value).strip()


def _labels(value: Any) -> list[str]:
    """The words of an activity or category: Concepts' prefLabels, or plain strings."""
    values = value if isinstance(value, list) else [value]
    labels = []
    for item in values:
        if isinstance(item, dict):
            label = item.get("prefLabel") or item.get("name")
            if isinstance(label, str):
                labels.append(label)
        elif isinstance(item, str):
            labels.append(item.rsplit("#", 1)[-1] if item.startswith("http") else item)
    return labels


def _no_passion(activity: Any, category: Any, name: Any) -> str:
    said = [
        f"{field} {', '.join(shown(label) for label in labels)}"
        for field, labels in (
            ("activity", _labels(activity)),
            ("category", _labels(category)),
            ("name", [n for n in [_text(name)] if n]),
        )
        if labels
    ]
    return f"no passion matches {' or '.join(said) or 'anything'}; add an activity colbot knows"


def _location(location: Any) -> tuple[Any, str, Any, Any, Any]:
    """Venue, address, postcode, latitude and longitude from a Place."""
    if not isinstance(location, dict):
        return None, "", None, None, None
    address = location.get("address")
    postcode: Any = None
    if isinstance(address, dict):
        postcode = address.get("postalCode")
        parts = [address.get(k) for k in ("streetAddress", "addressLocality", "addressRegion")]
        text = ", ".join(one_line(p) for p in parts if isinstance(p, str) and p.strip())
    else:
        text = _text(address) or ""
    if is_empty(postcode):
        postcode = postcode_in(text) or postcode_in(_text(location.get("name")) or "")
    text = without_postcode(text)
    venue = _text(location.get("name")) or text.split(",")[0].strip() or None
    geo = location.get("geo")
    latitude = geo.get("latitude") if isinstance(geo, dict) else None
    longitude = geo.get("longitude") if isinstance(geo, dict) else None
    return venue, text, postcode, latitude, longitude


def _status(event_status: Any) -> str:
    """schema.org's eventStatus as colbot's: cancelled, postponed (no new date yet) or on."""
    name = str(event_status or "").rsplit("/", 1)[-1]
    return {"EventCancelled": CANCELLED, "EventPostponed": POSTPONED}.get(name, SCHEDULED)


def _is_full(remaining: Any) -> bool:
    """Whether the feed says no places are left."""
    return not isinstance(remaining, bool) and isinstance(remaining, int | float) and remaining <= 0


def _ages(age_range: Any) -> tuple[Any, Any]:
    """OpenActive's age range; with none, the session is for adults (OpenActive's default).

    A range without a minimum, or from 0, starts at colbot's youngest.
    """
    if not isinstance(age_range, dict):
        return ADULT_AGE, MAX_AGE
    low, high = age_range.get("minValue"), age_range.get("maxValue")
    if is_empty(low) or (isinstance(low, int | float) and not isinstance(low, bool) and low < 5):
        low = MIN_AGE
    if is_empty(high) or (
        isinstance(high, int | float) and not isinstance(high, bool) and high > MAX_AGE
    ):
        high = MAX_AGE
    return low, high


def _price(offers: Any, free: Any, notes: list[tuple[str, str]], min_age: Any, max_age: Any) -> Any:
    """The price in pounds of the offer for young people; another currency is a problem.

    With age-banded offers (junior, adult, senior), the offer whose ageRange covers the young
    people the session is for wins over the first one, which is often the adult price.
    """
    if isinstance(offers, dict):
        offers = [offers]
    if isinstance(offers, list):
        offers = [o for o in offers if isinstance(o, dict)]
    if not isinstance(offers, list) or not offers:
        if free is True:
            return 0
        notes.append(("cost", "is missing: there are no offers, so the price is unknown"))
        return None
    offer = _youth_offer(offers, min_age, max_age)
    currency = offer.get("priceCurrency")
    if not is_empty(currency) and str(currency).upper() != "GBP":
        notes.append(("cost", f"is in {shown(currency)}; colbot shows prices in pounds (GBP)"))
    price = offer.get("price")
    return 0 if is_empty(price) and free is True else price


def _offers(offers: Any, free: Any) -> tuple[dict[str, int | None], ...]:
    """Every offer's age band and price in pence, so each young person is shown theirs.

    An age or price the offer does not give, or a price not in pounds, is None: whoever it
    concerns is told to see the provider.
    """
    if isinstance(offers, dict):
        offers = [offers]
    if not isinstance(offers, list):
        return ()
    found = []
    for offer in offers:
        if not isinstance(offer, dict):
            continue
        band = offer.get("ageRange")
        low = band.get("minValue") if isinstance(band, dict) else None
        high = band.get("maxValue") if isinstance(band, dict) else None
        found.append(
            {"min_age": _whole(low), "max_age": _whole(high), "price_pence": _pence(offer, free)}
        )
    return tuple(found)


def _whole(value: Any) -> int | None:
    if isinstance(value, int | float) and not isinstance(value, bool):
        return int(value)
    return None


def _pence(offer: dict[str, Any], free: Any) -> int | None:
    currency = offer.get("priceCurrency")
    if not is_empty(currency) and str(currency).upper() != "GBP":
        return None
    price = offer.get("price")
    if is_empty(price):
        return 0 if free is True else None
    number = decimal_of(price)
    if number is None or number < 0 or number * 100 != (number * 100).to_integral_value():
        return None
    return int(number * 100)


def _youth_offer(offers: list[dict[str, Any]], min_age: Any, max_age: Any) -> dict[str, Any]:
    """The offer whose age range covers the youngest teenager the session takes, else the first
    offer without an age range, else the first."""
    low = max(YOUTH_AGE, min_age if isinstance(min_age, int) else YOUTH_AGE)
    if isinstance(max_age, int) and max_age < low:
        low = max_age
    for offer in offers:
        band = offer.get("ageRange")
        if isinstance(band, dict):
            band_low, band_high = _ages(band)
            if _number(band_low, MIN_AGE) <= low <= _number(band_high, MAX_AGE):
                return offer
    unbanded = [o for o in offers if not isinstance(o.get("ageRange"), dict)]
    return (unbanded or offers)[0]


def _number(value: Any, default: int) -> float:
    if isinstance(value, int | float) and not isinstance(value, bool):
        return value
    return default


def _series_key(session: Mapping[str, Any], series: Mapping[str, Any]) -> str | None:
    """The id of the SessionSeries a session belongs to, so its dates are shown as one."""
    parent = session.get("superEvent")
    candidates: tuple[Any, ...] = (series.get("@id"), series.get("id"), series.get("identifier"))
    if not isinstance(parent, dict):
        candidates = (*candidates, parent, session.get("superEventId"))
    key = next((str(v) for v in candidates if not is_empty(v) and not isinstance(v, dict)), None)
    if key is not None and len(key) > LONGEST_SERIES_KEY:
        key = "series-" + hashlib.sha256(key.encode()).hexdigest()[:40]
    return key
