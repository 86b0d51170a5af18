"""A young person's valid badges read as pathway records: what each says they did, and when."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import replace
from typing import Any

from sqlalchemy import Select, select
from sqlalchemy.ext.asyncio import AsyncSession

from colbot.badges.classes import BadgeClasses
from colbot.pathways.progress import Record
from colbot.storage.models import IssuedBadge, Opportunity, OpportunityPassion, Partner, Redemption


def _query(person_ids: Collection[int] | None) -> Select[Any]:
    query = (
        select(
            IssuedBadge.young_person_id,
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
        .where(IssuedBadge.young_person_id.is_not(None), IssuedBadge.revoked_at.is_(None))
        .order_by(IssuedBadge.id)
    )
    if person_ids is not None:
        query = query.where(IssuedBadge.young_person_id.in_(list(person_ids)))
    return query


async def records_by_person(
    session: AsyncSession, classes: BadgeClasses, person_ids: Collection[int] | None = None
) -> dict[int, list[Record]]:
    """Every badge that still stands, by young person; a revoked one counts for no pathway.

    The city would otherwise be signing a claim about a session it no longer vouches for.
    """
    found: dict[str, Record] = {}
    owner: dict[str, int] = {}
    passions: dict[str, set[str]] = {}
    for (
        person_id,
        public_id,
        class_id,
        issued_at,
        redemption_id,
        hours,
        kind,
        passion,
    ) in await session.execute(_query(person_ids)):
        if public_id not in found:
            badge_class = classes.get(class_id)
            passions[public_id] = set(badge_class.tags) if badge_class is not None else set()
            owner[public_id] = person_id
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
    people: dict[int, list[Record]] = {}
    for key, record in found.items():
        people.setdefault(owner[key], []).append(replace(record, passions=frozenset(passions[key])))
    return people


async def records(session: AsyncSession, person_id: int, classes: BadgeClasses) -> list[Record]:
    """One young person's badges that still stand, as pathway records."""
    return (await records_by_person(session, classes, [person_id])).get(person_id, [])
