"""Which pathway steps no opportunity in the catalogue could ever meet, to warn the city team."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from colbot.pathways.definitions import Pathway, Pathways, Requirement


@dataclass(frozen=True)
class Offer:
    """What doing one opportunity in the catalogue could bring towards a step."""

    badge_class: str | None
    passions: frozenset[str]
    partner_kind: str | None
    hours: float


@dataclass(frozen=True)
class Warning:
    """A step that nothing in the catalogue can meet, and where it was written."""

    pathway: Pathway
    requirement: Requirement

    def __str__(self) -> str:
        where = f"{self.pathway.path}:{self.requirement.line}" if self.pathway.path else ""
        return (
            f"{where}: no opportunity in the catalogue can meet the step "
            f"'{self.requirement.name}' of {self.pathway.name}"
        )


def _possible(requirement: Requirement, offers: list[Offer], city_badges: set[str]) -> bool:
    kind, target = requirement.kind, requirement.target
    if kind == "badge":
        return target in city_badges or any(o.badge_class == target for o in offers)
    if kind == "about":
        return any(target in o.passions for o in offers)
    if kind == "attend":
        return any(o.partner_kind == target for o in offers)
    if kind == "passions":
        return len(frozenset().union(*(o.passions for o in offers))) >= requirement.count
    if kind == "hours":
        return any(o.hours > 0 for o in offers)
    return len(offers) >= requirement.count


def unreachable(pathways: Pathways, offers: Iterable[Offer]) -> list[Warning]:
    """Each requirement of each pathway that no opportunity could ever meet."""
    found = list(offers)
    city_badges = {p.badge for p in pathways}
    return [
        Warning(pathway, requirement)
        for pathway in pathways
        for requirement in pathway.requirements()
        if not _possible(requirement, found, city_badges)
    ]
