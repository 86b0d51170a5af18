"""Ranking opportunities for one young person: pure, deterministic, and explainable."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from colbot.domain.geo import distance_km
from colbot.domain.prices import Offer, price_for
from colbot.pathways.next_steps import NextStep, meets

AFTER_SCHOOL_FROM_HOUR = 15
HORIZON_DAYS = 60
CITY_SCALE_KM = 10.0
PASSION_WEIGHT = 3.0
# As much as a passion: the next step of a pathway they chose is something they asked for.
NEXT_STEP_WEIGHT = 3.0
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
SAME_DAY_PENALTY = 1.0
SAME_PLACE_PENALTY = 1.0
SAME_KIND_PENALTY = 0.5
NEAR_KM = 2.0
PLACE_DECIMALS = 3  # about 100 m: two rooms of one building are one place

# Why a card is on the page, for its one-line "why" (Ranked.reasons[0]).
NEXT_STEP = "step"
FITS_PASSION = "passion"
NEAR = "near"
SOMETHING_NEW = "new"
PICKED = "picked"
LIKE_THAT_ONE = "like"


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
    timing: str = "session"
    # Each age band's price (colbot.domain.prices); empty when cost_pence is everyone's.
    offers: tuple[Offer, ...] = field(default=(), compare=False)
    # The dates of one repeating event share this: only the next one is shown, as one card.
    series: str | None = None
    # What a pathway step could ask of it: the badge it gives and its partner's kind.
    badge_class: str | None = None
    partner_kind: str | None = None


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
    # Series they said "not for me" to: every date of a weekly club, not only the one shown.
    excluded_series: frozenset[str] = frozenset()
    # The next steps of the pathways they chose to follow, read once per request.
    next_steps: tuple[NextStep, ...] = ()


@dataclass(frozen=True)
class Ranked:
    """An opportunity with its score and the facts behind the one-line "why"."""

    candidate: Candidate
    score: float
    matched_passions: tuple[str, ...]
    distance_km: float | None
    fits_free_time: bool
    reasons: tuple[str, ...] = field(default=())
    next_step: NextStep | None = None  # the followed pathway's next step it would meet


def is_open_to(candidate: Candidate, seeker: Seeker, now: datetime) -> bool:
    """Never past, full, outside its age range, dismissed or already done."""
    if candidate.starts_at <= now or candidate.id in seeker.excluded:
        return False
    if candidate.series is not None and candidate.series in seeker.excluded_series:
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
    price = price_for(candidate, seeker.age)
    if price == 0:
        total += FREE_BONUS
    elif price is not None:  # unknown for their age ("see the provider"): never counted as free
        total -= COST_PENALTY_PER_POUND * price / 100
    if (
        candidate.capacity is not None
        and candidate.capacity - candidate.places_taken <= FEW_PLACES_LEFT
    ):
        total -= FEW_PLACES_PENALTY
    step = next(
        (
            s
            for s in seeker.next_steps
            if meets(s, candidate.passions, candidate.badge_class, candidate.partner_kind)
        ),
        None,
    )
    if step is not None:
        total += NEXT_STEP_WEIGHT
    reasons = _reasons(matched, distance, seeker, step)
    return Ranked(candidate, round(total, 6), matched, distance, fits, reasons, step)


def _reasons(
    matched: tuple[str, ...], distance: float | None, seeker: Seeker, step: NextStep | None
) -> tuple[str, ...]:
    """Why it would be shown: a pathway's next step, a chosen passion, near, or new."""
    if step is not None:
        return (NEXT_STEP, FITS_PASSION) if matched else (NEXT_STEP,)
    if matched:
        return (FITS_PASSION,)
    if is_near(distance, seeker):
        return (NEAR,)
    return (SOMETHING_NEW,) if seeker.passions else ()


def is_near(distance: float | None, seeker: Seeker) -> bool:
    """Close enough to be worth a card on that alone: within NEAR_KM and how far they travel."""
    if distance is None:
        return False
    reach = min(NEAR_KM, seeker.travel_km) if seeker.travel_km is not None else NEAR_KM
    return distance <= reach


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
    return _arrange(scored, seeker, tz, first_page)


def _arrange(scored: Sequence[Ranked], seeker: Seeker, tz: ZoneInfo, size: int) -> list[Ranked]:
    """Every card that fits a chosen passion or pathway first, then near ones and one new one.

    Variety comes from inside the passions (partners, days, places, kinds), never from a
    passion they did not choose, so nothing new pushes out a card that fits.
    """
    if not seeker.passions:
        return _vary_first_page(scored, size, tz)
    fitting: list[Ranked] = []
    others: list[Ranked] = []
    new_shown = False
    for item in scored:
        if item.matched_passions or item.next_step is not None:
            fitting.append(item)
        elif NEAR in item.reasons:
            others.append(item)
        elif not new_shown:
            new_shown = True
            others.append(item)
    return _vary_first_page(fitting, size, tz) + others


def _place(candidate: Candidate) -> tuple[float, float] | None:
    if candidate.latitude is None or candidate.longitude is None:
        return None
    return (round(candidate.latitude, PLACE_DECIMALS), round(candidate.longitude, PLACE_DECIMALS))


def _vary_first_page(scored: Sequence[Ranked], size: int, tz: ZoneInfo) -> list[Ranked]:
    """Picks the first page greedily, marking down partners, passions, days, places and kinds
    already on it."""
    remaining = list(scored[: size * 6])
    facts: dict[int, tuple[date, tuple[float, float] | None]] = {
        item.candidate.id: (item.candidate.starts_at.astimezone(tz).date(), _place(item.candidate))
        for item in remaining
    }
    page: list[Ranked] = []
    partners: dict[int, int] = {}
    passions: dict[str, int] = {}
    days: dict[date, int] = {}
    places: dict[tuple[float, float] | None, int] = {}
    kinds: dict[str, int] = {}
    while remaining and len(page) < size:

        def adjusted(item: Ranked) -> tuple[float, datetime, int]:
            candidate = item.candidate
            day, place = facts[candidate.id]
            penalty = SAME_PARTNER_PENALTY * partners.get(candidate.partner_id, 0)
            penalty += SAME_PASSION_PENALTY * sum(passions.get(p, 0) for p in item.matched_passions)
            penalty += SAME_DAY_PENALTY * days.get(day, 0)
            if place is not None:
                penalty += SAME_PLACE_PENALTY * places.get(place, 0)
            penalty += SAME_KIND_PENALTY * kinds.get(candidate.timing, 0)
            return (-(item.score - penalty), candidate.starts_at, candidate.id)

        best = min(remaining, key=adjusted)
        remaining.remove(best)
        page.append(best)
        chosen = best.candidate
        day, place = facts[chosen.id]
        partners[chosen.partner_id] = partners.get(chosen.partner_id, 0) + 1
        for passion in best.matched_passions:
            passions[passion] = passions.get(passion, 0) + 1
        days[day] = days.get(day, 0) + 1
        places[place] = places.get(place, 0) + 1
        kinds[chosen.timing] = kinds.get(chosen.timing, 0) + 1
    chosen_ids = {item.candidate.id for item in page}
    return page + [item for item in scored if item.candidate.id not in chosen_ids]


def surprise(
    candidates: Iterable[Candidate], seeker: Seeker, now: datetime, tz: ZoneInfo
) -> Ranked | None:
    """The best open opportunity outside their passions, to broaden their horizons."""
    outside = [
        score(c, seeker, now, tz)
        for c in candidates
        if is_open_to(c, seeker, now) and not (c.passions & seeker.passions)
    ]
    if not outside:
        return None
    return replace(min(outside, key=_stable_key), reasons=(SOMETHING_NEW,))


def rank_picked(
    candidates: Iterable[Candidate],
    seeker: Seeker,
    passion: str,
    now: datetime,
    tz: ZoneInfo,
    first_page: int = 5,
) -> list[Ranked]:
    """Cards for a passion picked from the list, ranked as if it were their only passion.

    That passion is each card's reason, whether or not they chose it at the start.
    """
    only = replace(seeker, passions=frozenset({passion}))
    ranked = rank((c for c in candidates if passion in c.passions), only, now, tz, first_page)
    return [replace(item, matched_passions=(passion,), reasons=(PICKED,)) for item in ranked]


def similar_to(
    ranked: Iterable[Ranked], wanted: frozenset[str], seeker: Seeker, count: int
) -> list[Ranked]:
    """Cards sharing a passion with one they tapped, naming only passions they chose."""
    similar = []
    for item in ranked:
        if not item.candidate.passions & wanted:
            continue
        theirs = tuple(sorted(item.candidate.passions & seeker.passions))
        reasons = (FITS_PASSION,) if theirs else (LIKE_THAT_ONE,)
        similar.append(replace(item, matched_passions=theirs, reasons=reasons))
        if len(similar) == count:
            break
    return similar
