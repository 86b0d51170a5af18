"""A small city's worth of young people, redemptions, badges and funnel counts, made by the test."""

from __future__ import annotations

import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select, update

from colbot.storage.database import Database
from colbot.storage.models import (
    CompletionCode,
    FunnelCount,
    IssuedBadge,
    Opportunity,
    Partner,
    Redemption,
    YoungPerson,
    YoungPersonPassion,
)

LONDON = ZoneInfo("Europe/London")


@dataclass(frozen=True)
class Group:
    """Some young people alike: where they live, what they chose, when they joined."""

    count: int
    area: str | None
    passions: tuple[str, ...]
    days_ago: int
    redeem_with: str | None = None  # a partner's slug: each redeems one of its opportunities
    hours: float = 2.0


async def partner_ids(database: Database) -> dict[str, int]:
    async with database.reading() as session:
        return {
            slug: pid for slug, pid in (await session.execute(select(Partner.slug, Partner.id)))
        }


async def rename_partners(database: Database, names: Mapping[str, str]) -> None:
    """Gives partners, by slug, the names a feed might have given them."""
    async with database.transaction() as session:
        for slug, name in names.items():
            await session.execute(update(Partner).where(Partner.slug == slug).values(name=name))


async def seed(database: Database, now: datetime, groups: list[Group]) -> None:
    """Writes the groups as rows, with a code, a redemption and a badge for each who redeems."""
    async with database.transaction() as session:
        opportunities = {
            slug: oid
            for slug, oid in (
                await session.execute(
                    select(Partner.slug, Opportunity.id)
                    .join(Opportunity, Opportunity.partner_id == Partner.id)
                    .order_by(Opportunity.id)
                )
            )
        }
        codes: dict[int, int] = {}
        for group in groups:
            at = now - timedelta(days=group.days_ago)
            for _ in range(group.count):
                person = YoungPerson(
                    public_id=secrets.token_hex(8),
                    area_id=group.area,
                    availability=[],
                    language="en",
                    consented_at=at,
                    onboarded_at=at,
                    created_at=at,
                    last_seen_at=at,
                )
                session.add(person)
                await session.flush()
                for passion in group.passions:
                    session.add(
                        YoungPersonPassion(
                            young_person_id=person.id, passion_id=passion, chosen_at=at
                        )
                    )
                if group.redeem_with is None:
                    continue
                opportunity = opportunities[group.redeem_with]
                if opportunity not in codes:
                    code = CompletionCode(
                        code=secrets.token_hex(6).upper(),
                        opportunity_id=opportunity,
                        max_uses=500,
                        uses=0,
                        created_at=at,
                        expires_at=now + timedelta(days=30),
                    )
                    session.add(code)
                    await session.flush()
                    codes[opportunity] = code.id
                redemption = Redemption(
                    code_id=codes[opportunity],
                    young_person_id=person.id,
                    opportunity_id=opportunity,
                    learning_hours=group.hours,
                    channel="telegram",
                    redeemed_at=at,
                )
                session.add(redemption)
                await session.flush()
                session.add(
                    IssuedBadge(
                        public_id=secrets.token_hex(8),
                        young_person_id=person.id,
                        redemption_id=redemption.id,
                        badge_class_id="demo",
                        issuer_id="city",
                        learning_hours=group.hours,
                        issued_at=at,
                    )
                )


async def add_funnel(
    database: Database,
    partner_slug: str,
    day: datetime,
    recommended: int,
    saved: int,
    reminded: int,
) -> None:
    """Funnel counts on one day for a partner's first opportunity."""
    async with database.transaction() as session:
        opportunity = await session.scalar(
            select(Opportunity.id)
            .join(Partner, Partner.id == Opportunity.partner_id)
            .where(Partner.slug == partner_slug)
            .order_by(Opportunity.id)
            .limit(1)
        )
        assert opportunity is not None
        for stage, count in (
            ("recommended", recommended),
            ("saved", saved),
            ("reminded", reminded),
        ):
            session.add(
                FunnelCount(
                    day=day.astimezone(LONDON).date(),
                    opportunity_id=opportunity,
                    stage=stage,
                    count=count,
                )
            )
