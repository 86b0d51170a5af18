"""Recommendations: a shortlist from an in-memory catalogue index, ranked by pure logic."""

from __future__ import annotations

import bisect
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy import String, cast, func, insert, literal, select, union_all
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import noload
from sqlalchemy.sql import Select

from colbot.badges.classes import BadgeClasses
from colbot.explore.ranking import Candidate, Ranked, Seeker, rank, rank_picked, surprise
from colbot.pathways.definitions import Pathways
from colbot.pathways.next_steps import NextStep, next_steps
from colbot.storage.models import (
    CardShown,
    Dismissal,
    Opportunity,
    OpportunityPassion,
    Partner,
    Redemption,
    SavedItem,
    YoungPerson,
    YoungPersonPassion,
)

# Only sessions that are happening and have places are recommended.
BOOKABLE = (Opportunity.status == "scheduled", Opportunity.is_full.is_(False))
PAGE_SIZE = 5
ALSO_ON_DATES = 3
SHORTLIST_PER_PASSION = 40
SHORTLIST_GENERAL = 30
SHORTLIST_PER_STEP = 10
INDEX_CHECK_INTERVAL_S = 5.0
PASSION_ROW = "p"
EXCLUDED_ROW = "x"
EXCLUDED_SERIES_ROW = "s"


@dataclass(frozen=True)
class CatalogueIndex:
    """Upcoming opportunities grouped and sorted by start, built once per change.

    A group's key is a passion id, `badge:<class>` or `attend:<partner kind>` (what pathway
    steps name), or "" for every opportunity.
    """

    version: tuple[int, datetime | None]
    groups: dict[str, list[Candidate]]
    by_start: list[Candidate]
    starts: dict[str, list[datetime]]

    def shortlist(
        self,
        passions: Iterable[str],
        now: datetime,
        age: int | None,
        steps: Sequence[NextStep] = (),
    ) -> list[Candidate]:
        """The soonest open opportunities in each passion and for each pathway's next step,
        plus the soonest overall; of one repeating event only the next date, so it is one card."""
        chosen: dict[int, Candidate] = {}
        series: set[str] = set()
        for passion in sorted(set(passions)):
            self._take(passion, now, age, SHORTLIST_PER_PASSION, chosen, series)
        for key in sorted({_group(r.kind, r.target) for step in steps for r in step.requirements}):
            self._take(key, now, age, SHORTLIST_PER_STEP, chosen, series)
        self._take("", now, age, SHORTLIST_GENERAL, chosen, series)
        return list(chosen.values())

    def _take(
        self,
        passion: str,
        now: datetime,
        age: int | None,
        limit: int,
        into: dict[int, Candidate],
        series: set[str],
    ) -> None:
        ordered: Sequence[Candidate] = self.groups.get(passion, []) if passion else self.by_start
        start = bisect.bisect_right(self.starts.get(passion, []), now)
        taken = 0
        for candidate in ordered[start:]:
            if age is not None and not candidate.min_age <= age <= candidate.max_age:
                continue
            if candidate.series is not None:
                if candidate.series in series and candidate.id not in into:
                    continue  # a later date of a repeating event already taken
                series.add(candidate.series)
            into.setdefault(candidate.id, candidate)
            taken += 1
            if taken >= limit:
                return


def _group(kind: str, target: str) -> str:
    """The index group of what a pathway step names: a passion is its own id."""
    return target if kind == "about" else f"{kind}:{target}"


async def _catalogue_version(session: AsyncSession) -> tuple[int, datetime | None]:
    row = (
        await session.execute(select(func.count(Opportunity.id), func.max(Opportunity.updated_at)))
    ).one()
    return int(row[0]), row[1]


async def build_index(
    session: AsyncSession, now: datetime, version: tuple[int, datetime | None] | None = None
) -> CatalogueIndex:
    """Reads every upcoming opportunity once into memory (`version`: if the caller just read it).

    A version read before the rows is safe: a change in between is seen at the next check.
    """
    if version is None:
        version = await _catalogue_version(session)
    passions: dict[int, set[str]] = {}
    for opportunity_id, passion_id in await session.execute(
        select(OpportunityPassion.opportunity_id, OpportunityPassion.passion_id)
        .join(Opportunity)
        .where(Opportunity.starts_at > now, *BOOKABLE)
    ):
        passions.setdefault(opportunity_id, set()).add(passion_id)
    rows = await session.execute(
        select(
            Opportunity.id,
            Opportunity.partner_id,
            Opportunity.starts_at,
            Opportunity.latitude,
            Opportunity.longitude,
            Opportunity.min_age,
            Opportunity.max_age,
            Opportunity.cost_pence,
            Opportunity.capacity,
            Opportunity.timing,
            Opportunity.offers,
            Opportunity.series_key,
            Opportunity.badge_class_id,
            Partner.kind,
        )
        .join(Partner, Partner.id == Opportunity.partner_id)
        .where(Opportunity.starts_at > now, *BOOKABLE)
        .order_by(Opportunity.starts_at, Opportunity.id)
    )
    by_start = [
        Candidate(
            r.id,
            r.partner_id,
            frozenset(passions.get(r.id, ())),
            r.starts_at,
            r.latitude,
            r.longitude,
            r.min_age,
            r.max_age,
            r.cost_pence,
            r.capacity,
            timing=r.timing,
            offers=tuple(r.offers or ()),
            series=f"{r.partner_id}:{r.series_key}" if r.series_key else None,
            badge_class=r.badge_class_id,
            partner_kind=r.kind.lower() if r.kind else None,
        )
        for r in rows
    ]
    groups: dict[str, list[Candidate]] = {}
    for candidate in by_start:
        keys = list(candidate.passions)
        if candidate.badge_class:
            keys.append(_group("badge", candidate.badge_class))
        if candidate.partner_kind:
            keys.append(_group("attend", candidate.partner_kind))
        for key in keys:
            groups.setdefault(key, []).append(candidate)
    starts = {key: [c.starts_at for c in group] for key, group in groups.items()}
    starts[""] = [c.starts_at for c in by_start]
    return CatalogueIndex(version, groups, by_start, starts)


class Recommender:
    """Keeps the catalogue index fresh and ranks it for one young person at a time."""

    def __init__(
        self,
        tz: ZoneInfo,
        area_centres: dict[str, tuple[float, float]],
        pathways: Pathways | None = None,
        classes: BadgeClasses | None = None,
    ) -> None:
        self.tz = tz
        self.area_centres = area_centres
        # With both, cards meeting the next step of a pathway someone follows are lifted.
        self.pathways = pathways
        self.classes = classes
        self._index: CatalogueIndex | None = None
        self._checked_at = 0.0

    async def index(self, session: AsyncSession, now: datetime) -> CatalogueIndex:
        """The index, rebuilt when the catalogue has changed (checked every few seconds)."""
        moment = time.monotonic()
        if self._index is not None and moment - self._checked_at < INDEX_CHECK_INTERVAL_S:
            return self._index
        version = await _catalogue_version(session)
        if self._index is None or self._index.version != version:
            self._index = await build_index(session, now, version)
        self._checked_at = moment
        return self._index

    def invalidate(self) -> None:
        """Makes the next request check the catalogue, after this process changed it."""
        self._checked_at = 0.0

    async def seeker(self, session: AsyncSession, person: YoungPerson) -> Seeker:
        """What ranking needs to know about a young person, including what to leave out."""
        # One round trip for both what they like and what to leave out.
        rows = await session.execute(
            union_all(
                select(literal(PASSION_ROW), YoungPersonPassion.passion_id).where(
                    YoungPersonPassion.young_person_id == person.id
                ),
                select(literal(EXCLUDED_ROW), cast(Dismissal.opportunity_id, String)).where(
                    Dismissal.young_person_id == person.id
                ),
                select(literal(EXCLUDED_ROW), cast(Redemption.opportunity_id, String)).where(
                    Redemption.young_person_id == person.id
                ),
                select(
                    literal(EXCLUDED_SERIES_ROW),
                    cast(Opportunity.partner_id, String) + ":" + Opportunity.series_key,
                )
                .join(Dismissal, Dismissal.opportunity_id == Opportunity.id)
                .where(Dismissal.young_person_id == person.id, Opportunity.series_key.is_not(None)),
            )
        )
        passions: set[str] = set()
        excluded: set[int] = set()
        excluded_series: set[str] = set()
        for kind, value in rows.tuples():
            if kind == PASSION_ROW:
                passions.add(value)
            elif kind == EXCLUDED_SERIES_ROW:
                excluded_series.add(value)
            else:
                excluded.add(int(value))
        steps: tuple[NextStep, ...] = ()
        if self.pathways is not None and self.classes is not None:
            steps = await next_steps(session, person.id, self.pathways, self.classes)
        latitude, longitude = person.latitude, person.longitude
        if latitude is None and person.area_id in self.area_centres:
            latitude, longitude = self.area_centres[person.area_id]
        return Seeker(
            passions=frozenset(passions),
            age=person.age,
            latitude=latitude,
            longitude=longitude,
            travel_km=person.travel_km,
            availability=frozenset(person.availability or ()),
            excluded=frozenset(excluded),
            excluded_series=frozenset(excluded_series),
            next_steps=steps,
        )

    async def ranked(
        self,
        session: AsyncSession,
        seeker: Seeker,
        now: datetime,
        only_passion: str | None = None,
    ) -> list[Ranked]:
        """Every suitable opportunity for the seeker, best first."""
        index = await self.index(session, now)
        wanted = {only_passion} if only_passion else seeker.passions
        steps = () if only_passion else seeker.next_steps
        shortlist = index.shortlist(wanted, now, seeker.age, steps)
        shortlist = await self._with_places_taken(session, shortlist)
        if only_passion:
            return rank_picked(shortlist, seeker, only_passion, now, self.tz, PAGE_SIZE)
        return rank(shortlist, seeker, now, self.tz, first_page=PAGE_SIZE)

    async def surprise(self, session: AsyncSession, seeker: Seeker, now: datetime) -> Ranked | None:
        """Something outside their passions."""
        index = await self.index(session, now)
        shortlist = await self._with_places_taken(session, index.shortlist((), now, seeker.age))
        return surprise(shortlist, seeker, now, self.tz)

    @staticmethod
    async def _with_places_taken(
        session: AsyncSession, shortlist: list[Candidate]
    ) -> list[Candidate]:
        """Reads capacity and places held fresh, so nothing full is ever shown."""
        if not shortlist:
            return shortlist
        held = (
            select(func.count(SavedItem.id))
            .where(SavedItem.opportunity_id == Opportunity.id)
            .scalar_subquery()
        )
        rows = await session.execute(
            select(Opportunity.id, Opportunity.capacity, held).where(
                Opportunity.id.in_([c.id for c in shortlist]), Opportunity.capacity.is_not(None)
            )
        )
        fresh = {row[0]: (row[1], row[2]) for row in rows}
        return [
            replace(c, capacity=fresh[c.id][0], places_taken=fresh[c.id][1])
            if c.id in fresh
            else replace(c, capacity=None)
            if c.capacity is not None
            else c
            for c in shortlist
        ]


def card_query(ids: Sequence[int]) -> Select[tuple[Opportunity, str]]:
    """Loads what a card shows, without the passions it does not need."""
    return (
        select(Opportunity, Partner.name)
        .join(Partner, Partner.id == Opportunity.partner_id)
        .where(Opportunity.id.in_(list(ids)))
        .options(noload(Opportunity.passions))
    )


async def other_dates(
    session: AsyncSession, opportunities: Iterable[Opportunity], now: datetime
) -> dict[int, list[datetime]]:
    """The next few other dates of each repeating event shown, for its "also on" line."""
    shown = [o for o in opportunities if o.series_key]
    if not shown:
        return {}
    rows = await session.execute(
        select(Opportunity.partner_id, Opportunity.series_key, Opportunity.starts_at)
        .where(
            Opportunity.series_key.in_({o.series_key for o in shown}),
            Opportunity.starts_at > now,
            *BOOKABLE,
        )
        .order_by(Opportunity.starts_at, Opportunity.id)
    )
    dates: dict[tuple[int, str | None], list[datetime]] = {}
    for partner_id, series_key, starts_at in rows:
        dates.setdefault((partner_id, series_key), []).append(starts_at)
    return {
        o.id: [d for d in dates.get((o.partner_id, o.series_key), []) if d > o.starts_at][
            :ALSO_ON_DATES
        ]
        for o in shown
    }


async def record_shown(
    session: AsyncSession,
    person: YoungPerson,
    shown: Sequence[Ranked],
    context: str,
    now: datetime,
    first: int = 0,
) -> None:
    """Notes every card shown, in one round trip; `first` is the first one's place in ranking."""
    if not shown:
        return
    await session.execute(
        insert(CardShown),
        [
            {
                "young_person_id": person.id,
                "opportunity_id": item.candidate.id,
                "context": context,
                "position": position,
                "shown_at": now,
            }
            for position, item in enumerate(shown, start=first)
        ],
    )
