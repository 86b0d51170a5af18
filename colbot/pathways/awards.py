"""The city badge at the end of a pathway, issued the moment its last step is met."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from colbot.badges.store import Award, BadgeIssuer
from colbot.badges.urls import CITY_ISSUER
from colbot.pathways.definitions import Pathways
from colbot.pathways.progress import PathwayProgress, Record, progress
from colbot.pathways.records import records
from colbot.storage.models import IssuedBadge, YoungPerson

# A city badge can be a step of another pathway, so one badge may finish a chain of them;
# the check refuses circles, so the chain is never longer than the number of pathways.


def evidence(
    finished: PathwayProgress, parts: dict[str, IssuedBadge], issuer: BadgeIssuer
) -> list[dict[str, str]]:
    """One evidence item per badge that made up the pathway, linking to its own credential."""
    items = []
    for record in finished.parts():
        part = parts.get(record.key)
        name = part.name if part is not None and part.name else record.badge_class
        items.append(
            {
                "id": issuer.urls.credential(record.key),
                "name": name,
                "narrative": f"Earned {name} on {record.at:%d %B %Y}.",
            }
        )
    return items


def narrative(pathway_name: str, finished: PathwayProgress, parts: dict[str, IssuedBadge]) -> str:
    """What the city badge says was done, naming each badge that made it up."""
    names = [
        (parts[r.key].name if r.key in parts and parts[r.key].name else r.badge_class)
        for r in finished.parts()
    ]
    return f"Finished every step of {pathway_name}, with these badges: {', '.join(names)}."


class PathwayAwards:
    """Awards each city badge once, to anyone whose badges meet every step of its pathway."""

    def __init__(self, pathways: Pathways) -> None:
        self.pathways = pathways

    async def award(
        self, issuer: BadgeIssuer, session: AsyncSession, person: YoungPerson, now: datetime
    ) -> list[Award]:
        """Every city badge just earned, in the usual order, including ones that build on them."""
        held = set(
            await session.scalars(
                select(IssuedBadge.badge_class_id).where(
                    IssuedBadge.young_person_id == person.id, IssuedBadge.issuer_id == CITY_ISSUER
                )
            )
        )
        awards: list[Award] = []
        while True:
            found = await records(session, person.id, issuer.publisher.classes)
            just = await self._award_round(issuer, session, person, now, found, held)
            if not just:
                return awards
            awards.extend(just)
            await session.flush()

    async def _award_round(
        self,
        issuer: BadgeIssuer,
        session: AsyncSession,
        person: YoungPerson,
        now: datetime,
        found: list[Record],
        held: set[str],
    ) -> list[Award]:
        awards: list[Award] = []
        city = issuer.publisher.city.info()
        for pathway in self.pathways:
            if pathway.badge in held:
                continue
            finished = progress(pathway, found)
            badge_class = issuer.publisher.classes.get(pathway.badge)
            if not finished.done or badge_class is None:
                continue
            parts = {
                b.public_id: b
                for b in await session.scalars(
                    select(IssuedBadge).where(
                        IssuedBadge.public_id.in_([r.key for r in finished.parts()])
                    )
                )
            }
            award = await issuer.issue(
                session,
                person,
                badge_class,
                city,
                now,
                evidence=narrative(pathway.name, finished, parts),
                evidence_items=evidence(finished, parts, issuer),
            )
            awards.append(award if pathway.everyone else replace(award, finishes=pathway.name))
            held.add(pathway.badge)
        return awards
