"""Opportunities coming up that would meet a pathway's next step, for the young person's age."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import Select, select
from sqlalchemy.ext.asyncio import AsyncSession

from colbot.pathways.definitions import Requirement
from colbot.storage.models import Opportunity, OpportunityPassion, Partner

COMING_UP = 3


def _open(now: datetime, age: int | None) -> Select[tuple[Opportunity]]:
    query = (
        select(Opportunity)
        .join(Partner, Partner.id == Opportunity.partner_id)
        .where(
            Opportunity.starts_at >= now,
            Opportunity.status == "scheduled",
            Opportunity.is_full.is_(False),
        )
    )
    if age is not None:
        query = query.where(Opportunity.min_age <= age, Opportunity.max_age >= age)
    return query


def _meeting(
    query: Select[tuple[Opportunity]], requirement: Requirement
) -> Select[tuple[Opportunity]]:
    """Narrows to what meets one requirement; a city badge comes from other badges, never here."""
    if requirement.kind == "about":
        return query.where(
            Opportunity.id.in_(
                select(OpportunityPassion.opportunity_id).where(
                    OpportunityPassion.passion_id == requirement.target
                )
            )
        )
    if requirement.kind == "attend":
        return query.where(Partner.kind.ilike(requirement.target))
    if requirement.kind == "badge":
        return query.where(Opportunity.badge_class_id == requirement.target)
    if requirement.kind == "hours":
        return query.where(Opportunity.learning_hours > 0)
    if requirement.kind == "passions":
        return query.where(Opportunity.id.in_(select(OpportunityPassion.opportunity_id)))
    return query


async def coming_up(
    session: AsyncSession,
    requirements: Sequence[Requirement],
    now: datetime,
    age: int | None,
    limit: int = COMING_UP,
) -> list[Opportunity]:
    """The soonest opportunities that would meet any of these requirements."""
    found: dict[int, Opportunity] = {}
    for requirement in requirements:
        query = _meeting(_open(now, age), requirement).order_by(Opportunity.starts_at).limit(limit)
        for opportunity in await session.scalars(query):
            found.setdefault(opportunity.id, opportunity)
    return sorted(found.values(), key=lambda o: (o.starts_at, o.id))[:limit]
