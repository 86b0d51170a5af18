"""The catalogue check names each step that no opportunity could ever meet."""

from __future__ import annotations

from pathlib import Path

from colbot.pathways.check import Offer, unreachable
from colbot.pathways.definitions import Pathway, Pathways, Requirement, Step


def _pathway(*requirements: Requirement) -> Pathway:
    steps = tuple(Step(r.name, (r,)) for r in requirements)
    return Pathway("p", "Into Film", "", "p", steps, ("film",), path=Path("p.yaml"))


FILM_CLUB = Offer("film-club", frozenset({"film"}), "youth club", 2.0)
COLLEGE = Offer(None, frozenset({"drama"}), "college", 3.0)


def test_steps_the_catalogue_can_meet_give_no_warning() -> None:
    pathway = _pathway(
        Requirement("Film", "about", "film"),
        Requirement("Film club badge", "badge", "film-club"),
        Requirement("College day", "attend", "college"),
        Requirement("Two passions", "passions", count=2),
        Requirement("Five hours", "hours", count=5),
        Requirement("Two badges", "badges", count=2),
    )
    assert unreachable(Pathways({"p": pathway}), [FILM_CLUB, COLLEGE]) == []


def test_each_step_nothing_can_meet_is_named_with_its_line() -> None:
    music = Requirement("A music session", "about", "music", line=12)
    pathway = _pathway(
        Requirement("Film", "about", "film"),
        music,
        Requirement("Work experience", "attend", "employer", line=14),
        Requirement("Three passions", "passions", count=3, line=16),
        Requirement("Three badges", "badges", count=3, line=18),
    )
    warnings = unreachable(Pathways({"p": pathway}), [FILM_CLUB, COLLEGE])
    assert [w.requirement.name for w in warnings] == [
        "A music session",
        "Work experience",
        "Three passions",
        "Three badges",
    ]
    assert str(warnings[0]) == (
        "p.yaml:12: no opportunity in the catalogue can meet the step 'A music session' "
        "of Into Film"
    )


def test_another_pathways_city_badge_can_always_be_earned() -> None:
    first = Pathway(
        "first", "First", "", "first-badge", (Step("One", (Requirement("One", "badges"),)),), ()
    )
    later = _pathway(Requirement("First badge", "badge", "first-badge"))
    assert unreachable(Pathways({"first": first, "p": later}), [FILM_CLUB]) == []
