"""Ranking lifts a card that meets a followed pathway's next step: pure, with no database."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from colbot.explore.ranking import NEXT_STEP, NEXT_STEP_WEIGHT, Candidate, Seeker, rank
from colbot.pathways.definitions import Requirement
from colbot.pathways.next_steps import NextStep

TZ = ZoneInfo("Europe/London")
NOW = datetime(2026, 3, 2, 9, tzinfo=UTC)
FILM_STEP = NextStep("Into Film", 2, (Requirement("A drama session", "about", "drama"),))
COLLEGE_STEP = NextStep("Into Film", 4, (Requirement("At college", "attend", "college"),))


def session(id_: int, passions: set[str], kind: str | None = None) -> Candidate:
    return Candidate(
        id_,
        100 + id_,
        frozenset(passions),
        NOW + timedelta(days=3, hours=id_),
        None,
        None,
        11,
        19,
        0,
        None,
        partner_kind=kind,
    )


def person(*steps: NextStep) -> Seeker:
    return Seeker(frozenset({"film"}), 15, None, None, None, frozenset(), next_steps=steps)


CATALOGUE = [session(1, {"film"}), session(2, {"film"}), session(3, {"drama"})]


def test_a_follower_gets_the_next_step_lifted_onto_the_page_with_its_reason() -> None:
    ranked = {r.candidate.id: r for r in rank(CATALOGUE, person(FILM_STEP), NOW, TZ)}
    drama = ranked[3]
    assert drama.reasons == (NEXT_STEP,)
    assert drama.next_step == FILM_STEP
    plain = {r.candidate.id: r for r in rank(CATALOGUE, person(), NOW, TZ)}
    assert drama.score == plain[3].score + NEXT_STEP_WEIGHT


def test_a_non_follower_gets_no_lift_and_no_pathway_reason() -> None:
    ranked = rank(CATALOGUE, person(), NOW, TZ)
    assert [r.candidate.id for r in ranked][:2] == [1, 2]
    assert all(r.next_step is None and NEXT_STEP not in r.reasons for r in ranked)


def test_a_step_with_a_kind_of_partner_lifts_that_partner_and_keeps_the_passion() -> None:
    college = replace(session(4, {"film"}), partner_kind="college")
    ranked = rank([*CATALOGUE, college], person(COLLEGE_STEP), NOW, TZ)
    assert ranked[0].candidate.id == 4
    assert ranked[0].reasons[0] == NEXT_STEP and ranked[0].matched_passions == ("film",)
