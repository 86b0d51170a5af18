"""A partner's figures: young people reached, codes redeemed, learning hours, badges issued."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import distinct, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from colbot.storage.models import IssuedBadge, Opportunity, Redemption

RECENT = timedelta(days=30)


@dataclass(frozen=True)
class PartnerFigures:
    """Totals for the last 30 days and all time, and all-time figures per opportunity."""

    recent: dict[str, Any]
    total: dict[str, Any]
    by_opportunity: list[dict[str, Any]]


def _hours(value: float | None) -> str:
    return f"{(value or 0):g}"


async def _totals(session: AsyncSession, partner_id: int, since: datetime | None) -> dict[str, Any]:
    # A redemption kept after its young person deleted their data still counts as one person.
    person = func.coalesce(Redemption.young_person_id, -Redemption.id)
    query = (
        select(
            func.count(distinct(person)),
            func.count(Redemption.id),
            func.sum(Redemption.learning_hours),
        )
        .join(Opportunity, Opportunity.id == Redemption.opportunity_id)
        .where(Opportunity.partner_id == partner_id)
    )
    badges = (
        select(func.count(IssuedBadge.id))
        .join(Redemption, Redemption.id == IssuedBadge.redemption_id)
        .join(Opportunity, Opportunity.id == Redemption.opportunity_id)
        .where(Opportunity.partner_id == partner_id)
    )
    if since is not None:
        query = query.where(Redemption.redeemed_at >= since)
        badges = badges.where(IssuedBadge.issued_at >= since)
    people, redemptions, hours = (await session.execute(query)).one()
    return {
        "people": people,
        "redemptions": redemptions,
        "hours": _hours(hours),
        "badges": await session.scalar(badges) or 0,
    }


async def partner_figures(session: AsyncSession, partner_id: int, now: datetime) -> PartnerFigures:
    """Everything /stats shows, computed from the redemptions themselves."""
    person = func.coalesce(Redemption.young_person_id, -Redemption.id)
    rows = await session.execute(
        select(
            Opportunity.title,
            func.count(distinct(person)),
            func.sum(Redemption.learning_hours),
            func.count(IssuedBadge.id),
        )
        .join(Redemption, Redemption.opportunity_id == Opportunity.id)
        .outerjoin(IssuedBadge, IssuedBadge.redemption_id == Redemption.id)
        .where(Opportunity.partner_id == partner_id)
        .group_by(Opportunity.id, Opportunity.title)
        .order_by(func.count(distinct(person)).desc(), Opportunity.title)
    )
    by_opportunity = [
        {"title": title, "people": people, "hours": _hours(hours), "badges": badges}
        for title, people, hours, badges in rows.tuples()
    ]
    return PartnerFigures(
        recent=await _totals(session, partner_id, now - RECENT),
        total=await _totals(session, partner_id, None),
        by_opportunity=by_opportunity,
    )
