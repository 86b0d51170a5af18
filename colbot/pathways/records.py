"""A young person's valid badges read as pathway records: what each says they did, and when."""

from __future__ import annotations

from dataclasses import replace

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from colbot.badges.classes import BadgeClasses
from colbot.pathways.progress import Record
from colbot.storage.models import IssuedBadge, Opportunity, OpportunityPassion, Partner, Redemption


async def records(session: AsyncSession, person_id: int, classes: BadgeClasses) -> list[Record]:
    """Every badge of theirs that still stands; a revoked one counts for no pathway.

    The city would otherwise be signing a claim about a session it no longer vouches for.
    """
    rows = await session.execute(
        select(
            IssuedBadge.public_id,
            IssuedBadge.badge_class_id,
            IssuedBadge.issued_at,
            IssuedBadge.redemption_id,
            Redemption.learning_hours,
            Partner.kind,
            OpportunityPassion.passion_id,
        )
        .outerjoin(Redemption, Redemption.id == IssuedBadge.redemption_id)
        .outerjoin(Opportunity, Opportunity.id == Redemption.opportunity_id)
        .outerjoin(Partner, Partner.id == Opportunity.partner_id)
        .outerjoin(OpportunityPassion, OpportunityPassion.opportunity_id == Opportunity.id)
        .where(IssuedBadge.young_person_id == person_id, IssuedBadge.revoked_at.is_(None))
        .order_by(IssuedBadge.id)
    )
    found: dict[str, Record] = {}
    passions: dict[str, set[str]] = {}
    for public_id, class_id, issued_at, redemption_id, hours, kind, passion in rows:
        if public_id not in found:
            badge_class = classes.get(class_id)
            tags = set(badge_class.tags) if badge_class is not None else set()
            passions[public_id] = tags
            found[public_id] = Record(
                key=public_id,
                badge_class=class_id,
                at=issued_at,
                hours=float(hours or 0.0),
                partner_kind=kind.lower() if kind else None,
                from_session=redemption_id is not None,
                order=len(found),
            )
        if passion is not None:
            passions[public_id].add(passion)
    return [replace(record, passions=frozenset(passions[key])) for key, record in found.items()]
