"""What each opportunity in the catalogue could bring towards a pathway, for the check."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from colbot.pathways.check import Offer
from colbot.storage.models import Opportunity, OpportunityPassion, Partner


async def offers(session: AsyncSession, partner_id: int | None = None) -> list[Offer]:
    """Every opportunity colbot knows (or one partner's), past or future: a step any of them
    meets can be met."""
    query = (
        select(
            Opportunity.id,
            Opportunity.badge_class_id,
            Opportunity.learning_hours,
            Partner.kind,
            OpportunityPassion.passion_id,
        )
        .join(Partner, Partner.id == Opportunity.partner_id)
        .outerjoin(OpportunityPassion, OpportunityPassion.opportunity_id == Opportunity.id)
    )
    if partner_id is not None:
        query = query.where(Opportunity.partner_id == partner_id)
    rows = await session.execute(query)
    found: dict[int, tuple[str | None, float, str | None]] = {}
    passions: dict[int, set[str]] = {}
    for opportunity_id, badge_class, hours, kind, passion in rows:
        found[opportunity_id] = (badge_class, hours, kind.lower() if kind else None)
        passions.setdefault(opportunity_id, set())
        if passion is not None:
            passions[opportunity_id].add(passion)
    return [
        Offer(badge_class, frozenset(passions[key]), kind, hours)
        for key, (badge_class, hours, kind) in found.items()
    ]
