"""The pathways a shared journey shows: each one followed, how far along, and its next step."""

from __future__ import annotations

from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from colbot.badges.classes import BadgeClasses
from colbot.pathways import store
from colbot.pathways.definitions import Pathway, Pathways
from colbot.pathways.progress import Record, progress
from colbot.pathways.records import records


@dataclass(frozen=True)
class InProgress:
    """One pathway on its way: its name, steps done of all its steps, and the next one."""

    name: str
    done: int
    steps: int
    next_step: str


def in_progress(followed: Iterable[Pathway], held: Sequence[Record]) -> tuple[InProgress, ...]:
    """The followed pathways not yet finished, as far as these badges go."""
    found = []
    for pathway in followed:
        standing = progress(pathway, held)
        step = standing.next_step
        if step is not None:
            found.append(
                InProgress(pathway.name, standing.steps_done, len(pathway.steps), step.step.name)
            )
    return tuple(found)


async def shown_in_progress(
    session: AsyncSession,
    person_id: int,
    shown: Collection[str],
    pathways: Pathways,
    classes: BadgeClasses,
) -> tuple[InProgress, ...]:
    """The pathways they chose, counting only the badges their journey shows.

    A badge they hid from the page must not show through as a step done.
    """
    followed = [p for p in await store.followed(session, person_id, pathways) if not p.everyone]
    if not followed:
        return ()
    held = [r for r in await records(session, person_id, classes) if r.key in shown]
    return in_progress(followed, held)
