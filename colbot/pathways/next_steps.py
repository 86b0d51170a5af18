"""The next step of each pathway someone follows, as data recommendations can lift cards by."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from colbot.badges.classes import BadgeClasses
from colbot.pathways import store
from colbot.pathways.definitions import RECORD_KINDS, Pathways, Requirement
from colbot.pathways.progress import progress
from colbot.pathways.records import records


@dataclass(frozen=True)
class NextStep:
    """A followed pathway's next step: its number and what one session could do towards it.

    Only steps that name one thing (a badge class, a passion, a kind of partner) are kept: a
    step that adds up hours or badges is helped by nearly anything, so it would lift every card.
    """

    pathway: str  # the pathway's name, as the why line says it
    number: int  # counting from 1
    requirements: tuple[Requirement, ...]

    def passions(self) -> set[str]:
        """The passions a session could be about to meet it."""
        return {r.target for r in self.requirements if r.kind == "about"}


def meets(
    step: NextStep,
    passions: Collection[str],
    badge_class: str | None,
    partner_kind: str | None,
) -> bool:
    """Whether one session, with these passions, badge and partner, would meet the step."""
    return any(r.met_by_session(passions, badge_class, partner_kind) for r in step.requirements)


async def next_steps(
    session: AsyncSession, person_id: int, pathways: Pathways, classes: BadgeClasses
) -> tuple[NextStep, ...]:
    """The next steps of the pathways they follow, reading their follows and badges once."""
    followed = [p for p in await store.followed(session, person_id, pathways) if not p.everyone]
    if not followed:
        return ()
    held = await records(session, person_id, classes)
    found = []
    for pathway in followed:
        standing = progress(pathway, held)
        step = standing.next_step
        if step is None:
            continue
        wanted = tuple(r for r in step.to_do if r.kind in RECORD_KINDS)
        if wanted:
            found.append(NextStep(pathway.name, standing.next_number, wanted))
    return tuple(found)
