"""Loads a city's demo catalogue, with dates counted from today so it is always upcoming."""

from __future__ import annotations

from datetime import date, datetime

from colbot.catalogue import store as catalogue
from colbot.catalogue.store import OpportunityFields
from colbot.content.city import City
from colbot.storage.database import Database


async def load_demo(database: Database, city: City, today: date, now: datetime) -> tuple[int, int]:
    """Upserts the city's partners and opportunities; returns (partners, opportunities) changed."""
    partners_changed = opportunities_changed = 0
    async with database.transaction() as session:
        partners = {}
        for seed in city.partners:
            partners[seed.id] = await catalogue.upsert_partner(
                session,
                seed.name,
                now,
                slug=seed.id,
                kind=seed.kind,
                description=seed.description,
                website=seed.website,
                email=seed.email,
                area_id=seed.area,
            )
        partners_changed = len(partners)
        for item in city.opportunities:
            area = city.area_by_postcode(item.postcode)
            fields = OpportunityFields(
                source_id=item.id,
                title=item.title,
                description=item.description,
                passions=tuple(item.passions),
                starts_at=item.starts_at(today, city.timezone),
                ends_at=item.ends_at(today, city.timezone),
                venue=item.venue,
                address=item.address,
                postcode=item.postcode,
                area_id=area.id if area else None,
                latitude=item.lat,
                longitude=item.lon,
                min_age=item.min_age,
                max_age=item.max_age,
                cost_pence=item.cost_pence,
                learning_hours=float(item.hours),
                capacity=item.capacity,
                url=item.url,
                badge_class_id=item.badge,
                timing=item.timing,
            )
            _, changed = await catalogue.upsert_opportunity(
                session, partners[item.partner], fields, now
            )
            opportunities_changed += changed
    return partners_changed, opportunities_changed
