"""Ranking opportunities for one young person: pure, deterministic, and explainable."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from colbot.domain.geo import distance_km

AFTER_SCHOOL_FROM_HOUR = 15
HORIZON_DAYS = 60
CITY_SCALE_KM = 10.0
PASSION_WEIGHT = 3.0
DISTANCE_WEIGHT = 2.0
TOO_FAR_PENALTY = 4.0
TIME_FIT_WEIGHT = 1.0
SOON_WEIGHT = 1.0
FREE_BONUS = 0.5
COST_PENALTY_PER_POUND = 0.1
FEW_PLACES_LEFT = 3
FEW_PLACES_PENALTY = 0.3
SAME_PARTNER_PENALTY = 3.0
SAME_PASSION_PENALTY = 1.0


@dataclass(frozen=True)
class Candidate:
    """What ranking needs to know about one opportunity."""

    id: int
    partner_id: int
    passions: frozenset[str]
    starts_at: datetime
    latitude: float | None
    longitude: float | None
    min_age: int
    max_age: int
    cost_pence: int
    capacity: int | None
    places_taken: int = 0


@dataclass(frozen=True)
class Seeker:
    """What ranking needs to know about the young person."""

    passions: frozenset[str]
    age: int | None
    latitude: float | None
    longitude: float | None
    travel_km: float | None
    availability: frozenset[str]
    excluded: frozenset[int] = frozenset()


@dataclass(frozen=True)
class Ranked:
    """An opportunity with its score and the facts behind the one-line "why"."""

    candidate: Candidate
    score: float
    matched_passions: tuple[str, ...]
    distance_km: float | None
    fits_free_time: bool
    reasons: tuple[str, ...] = field(default=())


def is_open_to(candidate: Candidate, seeker: Seeker, now: datetime) -> bool:
    """Never past, full, outside its age range, dismissed or already done."""
    if candidate.starts_at <= now or candidate.id in seeker.excluded:
        return False
    if candidate.capacity is not None and candidate.places_taken >= candidate.capacity:
        return False
    if seeker.age is not None:
        return candidate.min_age <= seeker.age <= candidate.max_age
    return True


def time_slots(starts_at: datetime, tz: ZoneInfo) -> frozenset[str]:
    """Which of the free-time answers a start time falls in."""
    local = starts_at.astimezone(tz)
    if local.weekday() >= 5:
        return frozenset({"weekends", "school_holidays"})
    if local.hour >= AFTER_SCHOOL_FROM_HOUR:
        return frozenset({"weekday_after_school", "school_holidays"})
    return frozenset({"school_holidays"})


def _distance(candidate: Candidate, seeker: Seeker) -> float | None:
    if None in (candidate.latitude, candidate.longitude, seeker.latitude, seeker.longitude):
        return None
    return distance_km(seeker.latitude, seeker.longitude, candidate.latitude, candidate.longitude)  # type: ignore[arg-type]


def score(candidate: Candidate, seeker: Seeker, now: datetime, tz: ZoneInfo) -> Ranked:
    """Scores one open opportunity for one person."""
    matched = tuple(sorted(candidate.passions & seeker.passions))
    total = PASSION_WEIGHT * min(len(matched), 2)
    distance = _distance(candidate, seeker)
    if distance is not None:
        reach = seeker.travel_km or CITY_SCALE_KM
        if seeker.travel_km is not None and distance > seeker.travel_km:
            total -= TOO_FAR_PENALTY
        else:
            total += DISTANCE_WEIGHT * max(0.0, 1 - distance / max(reach, 0.1))
    fits = bool(time_slots(candidate.starts_at, tz) & seeker.availability)
    if fits:
        total += TIME_FIT_WEIGHT
    days_away = (candidate.starts_at - now) / timedelta(days=1)
    total += SOON_WEIGHT * max(0.0, 1 - days_away / HORIZON_DAYS)
    if candidate.cost_pence == 0:
        total += FREE_BONUS
    else:
        total -= COST_PENALTY_PER_POUND * candidate.cost_pence / 100
    if (
        candidate.capacity is not None
        and candidate.capacity - candidate.places_taken <= FEW_PLACES_LEFT
    ):
        total -= FEW_PLACES_PENALTY
    return Ranked(candidate, round(total, 6), matched, distance, fits)


def _stable_key(item: Ranked) -> tuple[float, datetime, int]:
    return (-item.score, item.candidate.starts_at, item.candidate.id)


def rank(
    candidates: Iterable[Candidate],
    seeker: Seeker,
    now: datetime,
    tz: ZoneInfo,
    first_page: int = 5,
) -> list[Ranked]:
    """Orders every open opportunity, best first, with a varied first page; deterministic."""
    scored = sorted(
        (score(c, seeker, now, tz) for c in candidates if is_open_to(c, seeker, now)),
        key=_stable_key,
    )
    return _vary_first_page(scored, first_page)


def _vary_first_page(scored: Sequence[Ranked], size: int) -> list[Ranked]:
    """Picks the first page greedily, marking down partners and passions already on it."""
    remaining = list(scored[: size * 6])
    page: list[Ranked] = []
    partners: dict[int, int] = {}
    passions: dict[str, int] = {}
    while remaining and len(page) < size:

        def adjusted(item: Ranked) -> tuple[float, datetime, int]:
            penalty = SAME_PARTNER_PENALTY * partners.get(item.candidate.partner_id, 0)
            penalty += SAME_PASSION_PENALTY * sum(passions.get(p, 0) for p in item.matched_passions)
            return (-(item.score - penalty), item.candidate.starts_at, item.candidate.id)

        best = min(remaining, key=adjusted)
        remaining.remove(best)
        page.append(best)
        partners[best.candidate.partner_id] = partners.get(best.candidate.partner_id, 0) + 1
        for passion in best.matched_passions:
            passions[passion] = passions.get(passion, 0) + 1
    chosen = {item.candidate.id for item in page}
    return page + [item for item in scored if item.candidate.id not in chosen]


def surprise(
    candidates: Iterable[Candidate], seeker: Seeker, now: datetime, tz: ZoneInfo
) -> Ranked | None:
    """The best open opportunity outside their passions, to broaden their horizons."""
    outside = [
        score(c, seeker, now, tz)
        for c in candidates
        if is_open_to(c, seeker, now) and not (c.passions & seeker.passions)
    ]
    return min(outside, key=_stable_key) if outside else None
