"""The held-back recommendation cases (cases/first_pages.yaml) hold, through the pure ranking."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import yaml

from colbot.explore.ranking import (
    SOMETHING_NEW,
    Candidate,
    Ranked,
    Seeker,
    rank,
    rank_picked,
    similar_to,
)
from tests.support.demo import TEST_NOW

CASES = yaml.safe_load((Path(__file__).parent / "cases" / "first_pages.yaml").read_text())["cases"]
TZ = ZoneInfo("Europe/London")
PAGE = 5
HOME = (52.45, -1.50)
KM_PER_DEGREE_OF_LATITUDE = 111.2
EVERY_FREE_TIME = ["weekday_after_school", "weekends", "school_holidays"]


def candidate(entry: dict[str, Any]) -> Candidate:
    day = TEST_NOW.astimezone(TZ).replace(hour=entry.get("hour", 17), minute=0) + timedelta(
        days=entry.get("day", 1)
    )
    north_km = entry.get("north_km", 0.5)
    return Candidate(
        id=entry["id"],
        partner_id=entry.get("partner", 1000 + entry["id"]),
        passions=frozenset(entry["passions"]),
        starts_at=day,
        latitude=HOME[0] + north_km / KM_PER_DEGREE_OF_LATITUDE,
        longitude=HOME[1],
        min_age=entry.get("min_age", 11),
        max_age=entry.get("max_age", 19),
        cost_pence=int(entry.get("cost", 0) * 100),
        capacity=entry.get("capacity"),
        places_taken=entry.get("taken", 0),
        timing=entry.get("timing", "session"),
    )


def seeker(person: dict[str, Any]) -> Seeker:
    return Seeker(
        passions=frozenset(person["passions"]),
        age=person.get("age"),
        latitude=HOME[0],
        longitude=HOME[1],
        travel_km=person.get("km"),
        availability=frozenset(person.get("free", EVERY_FREE_TIME)),
    )


def ranked_for(case: dict[str, Any]) -> list[Ranked]:
    """What the person would see, in the mode the case names."""
    catalogue = [candidate(entry) for entry in case["catalogue"]]
    person = seeker(case["person"])
    mode = case.get("mode", "page")
    if mode.startswith("picked "):
        return rank_picked(catalogue, person, mode.split(" ", 1)[1], TEST_NOW, TZ, PAGE)
    if mode.startswith("more like "):
        wanted = frozenset(mode.removeprefix("more like ").split(","))
        like = Seeker(**{**person.__dict__, "passions": wanted})
        return similar_to(rank(catalogue, like, TEST_NOW, TZ, PAGE), wanted, person, PAGE)
    return rank(catalogue, person, TEST_NOW, TZ, PAGE)


@pytest.mark.parametrize("case", CASES, ids=[c["name"] for c in CASES])
def test_held_back_case(case: dict[str, Any]) -> None:
    ranked = ranked_for(case)
    order = [item.candidate.id for item in ranked]
    first_page = set(order[:PAGE])
    by_id = {item.candidate.id: item for item in ranked}
    assert order[: len(case.get("first", []))] == case.get("first", []), order
    assert set(case.get("on_first_page", [])) <= first_page, order
    assert not set(case.get("not_on_first_page", [])) & first_page, order
    assert not set(case.get("never", [])) & set(order), order
    for opportunity_id, reason in case.get("why", {}).items():
        assert opportunity_id in by_id, order
        assert (by_id[opportunity_id].reasons or ("",))[0] == reason, (opportunity_id, order)
    for opportunity_id, names in case.get("names", {}).items():
        assert list(by_id[opportunity_id].matched_passions) == names
    for start in range(0, len(ranked), PAGE):
        page = ranked[start : start + PAGE]
        assert sum(SOMETHING_NEW in item.reasons for item in page) <= 1, order
