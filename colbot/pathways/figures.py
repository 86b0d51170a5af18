"""How many follow each pathway, reached each step and finished: counts only, never who."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from colbot.badges.classes import BadgeClasses
from colbot.badges.urls import CITY_ISSUER
from colbot.pathways import store
from colbot.pathways.definitions import Pathway, Pathways
from colbot.pathways.progress import Record, progress
from colbot.pathways.records import records_by_person
from colbot.storage.models import IssuedBadge, YoungPerson


@dataclass(frozen=True)
class PathwayFigures:
    """One pathway's funnel: its followers, how many of them met each step, and who finished."""

    pathway: Pathway
    following: int
    reached: tuple[int, ...]  # by step: followers who have met it
    finished: int  # everyone holding its city badge, following or not
    # By step: followers for whom it is the next step to do, so where people stall.
    waiting: tuple[int, ...] = ()
    done: int = 0  # followers who have met every step

    @property
    def stalled_at(self) -> int | None:
        """The index of the step most followers are waiting at, if anyone is waiting."""
        if not any(self.waiting):
            return None
        return max(range(len(self.waiting)), key=lambda i: (self.waiting[i], -i))


def funnel(
    pathway: Pathway,
    followers: Sequence[int],
    held: Mapping[int, Sequence[Record]],
    finished: int,
) -> PathwayFigures:
    """Counts a pathway's followers at each step from their badges."""
    reached = [0] * len(pathway.steps)
    waiting = [0] * len(pathway.steps)
    done = 0
    for person_id in followers:
        found = progress(pathway, held.get(person_id, ()))
        for index, step in enumerate(found.steps):
            reached[index] += step.done
        if found.done:
            done += 1
        else:
            waiting[found.next_number - 1] += 1
    return PathwayFigures(pathway, len(followers), tuple(reached), finished, tuple(waiting), done)


async def figures(
    session: AsyncSession, pathways: Pathways, classes: BadgeClasses
) -> list[PathwayFigures]:
    """Every pathway's funnel; the ones for everyone count every young person."""
    held = await records_by_person(session, classes)
    everyone = list(await session.scalars(select(YoungPerson.id)))
    chosen = await store.followers(session, [p.id for p in pathways.to_choose()])
    badges: dict[str, int] = {}
    for class_id in await session.scalars(
        select(IssuedBadge.badge_class_id).where(
            IssuedBadge.issuer_id == CITY_ISSUER, IssuedBadge.revoked_at.is_(None)
        )
    ):
        badges[class_id] = badges.get(class_id, 0) + 1
    return [
        funnel(
            pathway,
            everyone if pathway.everyone else chosen.get(pathway.id, []),
            held,
            badges.get(pathway.badge, 0),
        )
        for pathway in pathways
    ]
