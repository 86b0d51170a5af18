"""The dashboard's raw figures for a period: counts and sums straight from the database.

Nothing here is suppressed; colbot.dashboard.report turns these into what may be shown.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Integer, cast, distinct, func, literal, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql import ColumnElement, Select

from colbot.dashboard.periods import Period
from colbot.pathways.figures import PathwayFigures
from colbot.storage.models import (
    FunnelCount,
    IssuedBadge,
    Opportunity,
    OpportunityPassion,
    Partner,
    Redemption,
    YoungPerson,
    YoungPersonPassion,
)

ACTIVE_WINDOW = timedelta(days=30)
FUNNEL_STAGES = ("recommended", "saved", "reminded", "redeemed")
SECONDS_A_WEEK = 7 * 24 * 3600


@dataclass(frozen=True)
class Scope:
    """Whose figures: the whole city, or one partner's."""

    partner_id: int | None = None
    partner_name: str = ""

    @property
    def is_city(self) -> bool:
        return self.partner_id is None


@dataclass
class Figures:
    """Every raw count and sum one dashboard shows."""

    scope: Scope
    period: Period
    now: datetime
    people: int = 0  # city: onboarded in the period; a partner: young people reached in it
    reached: int = 0  # young people who redeemed a code in the period
    active: int = 0  # city only: onboarded young people seen in the last 30 days
    redemptions: int = 0
    hours: float = 0.0
    badges: int = 0
    partners: int = 0
    opportunities: int = 0
    weekly_people: dict[int, int] = field(default_factory=dict)
    weekly_redemptions: dict[int, int] = field(default_factory=dict)
    people_by_area: dict[str | None, int] = field(default_factory=dict)
    hours_by_passion: dict[str, tuple[int, float]] = field(default_factory=dict)
    funnel: dict[str, int] = field(default_factory=dict)
    demand: dict[str, int] = field(default_factory=dict)
    supply: dict[str, tuple[int, int]] = field(default_factory=dict)  # places, sessions
    partners_reached: list[tuple[str, int]] = field(default_factory=list)
    # City only: each pathway's funnel as it stands now, whatever the period.
    pathways: list[PathwayFigures] = field(default_factory=list)


def _week(column: Any, start: datetime, dialect: str) -> ColumnElement[int]:
    """Which seven-day stretch from the period's start an instant falls in (0, 1, ...)."""
    if dialect == "sqlite":
        naive = start.astimezone(ZoneInfo("UTC")).strftime("%Y-%m-%d %H:%M:%S")
        days = func.julianday(column) - func.julianday(literal(naive))
        return cast(days / 7, Integer)
    seconds = func.extract("epoch", column) - func.extract("epoch", literal(start))
    return cast(func.floor(seconds / SECONDS_A_WEEK), Integer)


async def _pairs(session: AsyncSession, query: Select[Any]) -> dict[Any, Any]:
    """A two-column result as a dict (a Result has keys(), so dict() would misread it)."""
    return {key: value for key, value in (await session.execute(query)).tuples()}


def _person() -> ColumnElement[int]:
    # A redemption kept after its young person deleted their data still counts as one person.
    return func.coalesce(Redemption.young_person_id, -Redemption.id)


def _scoped(query: Select[Any], scope: Scope) -> Select[Any]:
    """Limits a query over redemptions to one partner's opportunities; the city needs no join."""
    if scope.partner_id is None:
        return query
    return query.join(Opportunity, Opportunity.id == Redemption.opportunity_id).where(
        Opportunity.partner_id == scope.partner_id
    )


async def figures(
    session: AsyncSession, scope: Scope, period: Period, tz: ZoneInfo, now: datetime
) -> Figures:
    """Reads every figure for one scope and period, in one read transaction."""
    start, end = period.start(tz), period.end(tz)
    dialect = session.get_bind().dialect.name
    found = Figures(scope, period, now)
    in_period = Redemption.redeemed_at >= start, Redemption.redeemed_at < end
    own = (Opportunity.partner_id == scope.partner_id,) if scope.partner_id is not None else ()

    week = _week(Redemption.redeemed_at, start, dialect)
    weekly = await session.execute(
        _scoped(
            select(
                week,
                func.count(Redemption.id),
                func.coalesce(func.sum(Redemption.learning_hours), 0.0),
            )
            .where(*in_period)
            .group_by(week),
            scope,
        )
    )
    for index, count, hours in weekly.tuples():
        found.weekly_redemptions[index] = count
        found.redemptions += count
        found.hours += float(hours)
    found.reached = (
        await session.scalar(
            _scoped(select(func.count(distinct(_person()))).where(*in_period), scope)
        )
        or 0
    )

    if scope.is_city:
        onboarded = YoungPerson.onboarded_at >= start, YoungPerson.onboarded_at < end
        found.people_by_area = await _pairs(
            session,
            select(YoungPerson.area_id, func.count(YoungPerson.id))
            .where(*onboarded)
            .group_by(YoungPerson.area_id),
        )
        found.people = sum(found.people_by_area.values())
        new_week = _week(YoungPerson.onboarded_at, start, dialect)
        found.weekly_people = await _pairs(
            session,
            select(new_week, func.count(YoungPerson.id)).where(*onboarded).group_by(new_week),
        )
        found.active = (
            await session.scalar(
                select(func.count(YoungPerson.id)).where(
                    YoungPerson.last_seen_at >= now - ACTIVE_WINDOW,
                    YoungPerson.onboarded_at.is_not(None),
                )
            )
            or 0
        )
        found.badges = (
            await session.scalar(
                select(func.count(IssuedBadge.id)).where(
                    IssuedBadge.issued_at >= start, IssuedBadge.issued_at < end
                )
            )
            or 0
        )
        reached_by_partner = await _pairs(
            session,
            select(Opportunity.partner_id, func.count(distinct(_person())))
            .join(Opportunity, Opportunity.id == Redemption.opportunity_id)
            .where(*in_period)
            .group_by(Opportunity.partner_id),
        )
        names = await _pairs(session, select(Partner.id, Partner.name))
        found.partners_reached = sorted(
            ((names[p], people) for p, people in reached_by_partner.items()),
            key=lambda item: (-item[1], item[0]),
        )
    else:
        found.people = found.reached
        people = (
            select(_person().label("person"), YoungPerson.area_id)
            .join(Opportunity, Opportunity.id == Redemption.opportunity_id)
            .outerjoin(YoungPerson, YoungPerson.id == Redemption.young_person_id)
            .where(*in_period, *own)
            .distinct()
            .subquery()
        )
        found.people_by_area = await _pairs(
            session, select(people.c.area_id, func.count()).group_by(people.c.area_id)
        )
        found.badges = (
            await session.scalar(
                # IN over the partner's redemptions reads the badges' time index alone; a join
                # would look up every badge's redemption row.
                select(func.count()).where(
                    IssuedBadge.issued_at >= start,
                    IssuedBadge.issued_at < end,
                    IssuedBadge.redemption_id.in_(
                        select(Redemption.id)
                        .join(Opportunity, Opportunity.id == Redemption.opportunity_id)
                        .where(*own)
                    ),
                )
            )
            or 0
        )

    by_passion = await session.execute(
        _scoped(
            select(
                OpportunityPassion.passion_id,
                func.count(distinct(_person())),
                func.coalesce(func.sum(Redemption.learning_hours), 0.0),
            )
            .join(
                OpportunityPassion, OpportunityPassion.opportunity_id == Redemption.opportunity_id
            )
            .where(*in_period)
            .group_by(OpportunityPassion.passion_id),
            scope,
        )
    )
    found.hours_by_passion = {p: (people, float(h)) for p, people, h in by_passion.tuples()}

    stages = await session.execute(
        select(FunnelCount.stage, func.sum(FunnelCount.count))
        .join(Opportunity, Opportunity.id == FunnelCount.opportunity_id)
        .where(FunnelCount.day >= period.first, FunnelCount.day <= period.last, *own)
        .group_by(FunnelCount.stage)
    )
    found.funnel = {stage: 0 for stage in FUNNEL_STAGES} | {
        stage: int(count) for stage, count in stages.tuples()
    }
    found.funnel["redeemed"] = found.redemptions

    found.demand = await _pairs(
        session,
        select(YoungPersonPassion.passion_id, func.count())
        .join(YoungPerson, YoungPerson.id == YoungPersonPassion.young_person_id)
        .where(YoungPerson.onboarded_at.is_not(None), YoungPerson.onboarded_at < end)
        .group_by(YoungPersonPassion.passion_id),
    )
    attending = period.attendance()
    on_offer = (
        Opportunity.starts_at >= attending.start(tz),
        Opportunity.starts_at < attending.end(tz),
    )
    supply = await session.execute(
        select(
            OpportunityPassion.passion_id,
            func.coalesce(func.sum(Opportunity.capacity), 0),
            func.count(Opportunity.id),
        )
        .join(Opportunity, Opportunity.id == OpportunityPassion.opportunity_id)
        .where(*on_offer, *own)
        .group_by(OpportunityPassion.passion_id)
    )
    found.supply = {p: (int(places or 0), sessions) for p, places, sessions in supply.tuples()}
    offered = (
        await session.execute(
            select(func.count(Opportunity.id), func.count(distinct(Opportunity.partner_id))).where(
                *on_offer, *own
            )
        )
    ).one()
    found.opportunities, found.partners = offered
    return found
