"""Which pathway steps a partner's opportunities count towards, for the partner to see."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from colbot.pathways.catalogue import offers
from colbot.pathways.check import Offer
from colbot.pathways.definitions import Pathways


@dataclass(frozen=True)
class Towards:
    """A pathway and the numbers of its steps that one of the partner's sessions meets."""

    pathway: str
    steps: tuple[int, ...]


def counts_towards(pathways: Pathways, found: Iterable[Offer]) -> list[Towards]:
    """The chosen pathways with a step one of these sessions meets on its own.

    The milestones everyone follows count any session, so naming them would tell nobody much.
    """
    sessions = list(found)
    result = []
    for pathway in pathways.to_choose():
        steps = tuple(
            number
            for number, step in enumerate(pathway.steps, 1)
            if any(
                option.met_by_session(o.passions, o.badge_class, o.partner_kind)
                for option in step.options
                for o in sessions
            )
        )
        if steps:
            result.append(Towards(pathway.name, steps))
    return result


async def partner_towards(
    session: AsyncSession, partner_id: int, pathways: Pathways
) -> list[Towards]:
    """What one partner's opportunities, past or coming up, count towards."""
    return counts_towards(pathways, await offers(session, partner_id))
