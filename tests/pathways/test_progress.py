"""Which steps someone's badges meet: ordered and any-order, any-N choices, hours and passions."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from colbot.pathways.definitions import Pathway, Requirement, Step
from colbot.pathways.progress import Record, progress

START = datetime(2026, 3, 2, 16, 0, tzinfo=UTC)


def week(n: int) -> datetime:
    return START + timedelta(weeks=n)


def record(
    key: str,
    at: datetime,
    about: tuple[str, ...] = (),
    hours: float = 1.0,
    badge_class: str = "",
    partner_kind: str | None = None,
    from_session: bool = True,
) -> Record:
    return Record(
        key=key,
        badge_class=badge_class or f"opportunity-{key}",
        at=at,
        hours=hours,
        passions=frozenset(about),
        partner_kind=partner_kind,
        from_session=from_session,
    )


def step(name: str, kind: str, target: str = "", count: int = 1, sessions: int = 1) -> Step:
    return Step(name, (Requirement(name, kind, target, count, sessions),))


def choice(name: str, need: int, *options: Requirement) -> Step:
    return Step(name, options, need)


def pathway(*steps: Step, in_order: bool = False) -> Pathway:
    return Pathway(
        "into-film", "Into Film", "Film.", "into-film", steps, ("film",), in_order=in_order
    )


FILM = step("A film session", "about", "film")
DRAMA = step("A drama session", "about", "drama")
COLLEGE = step("A college taster day", "attend", "college")


def test_nothing_done_means_the_first_step_is_next() -> None:
    found = progress(pathway(FILM, DRAMA), [])
    assert not found.done and found.steps_done == 0
    assert found.next_step is not None and found.next_step.step is FILM
    assert found.next_number == 1 and found.steps_left == 2 and found.finished_at is None


def test_steps_met_over_several_weeks_finish_the_pathway_at_the_last_one() -> None:
    path = pathway(FILM, DRAMA, COLLEGE)
    records = [
        record("a", week(0), ("film",)),
        record("b", week(2), ("drama",)),
        record("c", week(5), partner_kind="college"),
    ]
    assert progress(path, records[:1]).next_number == 2
    assert progress(path, records[:2]).steps_left == 1
    done = progress(path, records)
    assert done.done and done.next_step is None and done.next_number == 0
    assert done.finished_at == week(5)
    assert [r.key for r in done.parts()] == ["a", "b", "c"]


def test_one_badge_meets_one_named_step_only() -> None:
    path = pathway(FILM, FILM)
    one = progress(path, [record("a", week(0), ("film", "drama"))])
    assert one.steps_done == 1
    two = progress(path, [record("a", week(0), ("film",)), record("b", week(1), ("film",))])
    assert two.done and [r.key for r in two.parts()] == ["a", "b"]


def test_in_order_a_step_counts_only_after_the_one_before() -> None:
    records = [record("d", week(0), ("drama",)), record("f", week(1), ("film",))]
    assert progress(pathway(FILM, DRAMA), records).done
    ordered = progress(pathway(FILM, DRAMA, in_order=True), records)
    assert ordered.steps_done == 1 and ordered.next_number == 2
    later = [*records, record("d2", week(3), ("drama",))]
    assert progress(pathway(FILM, DRAMA, in_order=True), later).done


def test_in_order_later_steps_wait_for_the_one_before() -> None:
    ordered = progress(pathway(FILM, DRAMA, in_order=True), [record("d", week(0), ("drama",))])
    assert ordered.steps_done == 0 and ordered.next_number == 1


def test_any_three_of_five_needs_three_different_badges() -> None:
    options = [Requirement(p, "about", p) for p in ("film", "drama", "art", "music", "dance")]
    path = pathway(choice("Try 3 of these 5", 3, *options))
    two = progress(path, [record("a", week(0), ("film", "drama")), record("b", week(1), ("art",))])
    assert not two.done and two.steps[0].chosen == 2
    three = progress(
        path,
        [
            record("a", week(0), ("film",)),
            record("b", week(1), ("art",)),
            record("c", week(2), ("music",)),
            record("d", week(4), ("dance",)),
        ],
    )
    assert three.done and three.finished_at == week(2) and three.steps[0].chosen == 4
    assert [r.key for r in three.parts()] == ["a", "b", "c"]


def test_hours_add_up_across_sessions_and_meet_the_step_when_the_total_is_reached() -> None:
    path = pathway(step("Ten learning hours", "hours", count=10))
    records = [
        record("a", week(0), hours=4),
        record("b", week(1), hours=3.3),
        record("c", week(2), hours=2.7),
    ]
    assert not progress(path, records[:2]).done
    done = progress(path, records)
    assert done.done and done.finished_at == week(2)
    assert [r.key for r in done.parts()] == ["a", "b", "c"]


def test_hours_do_not_use_up_the_badges_another_step_needs() -> None:
    path = pathway(FILM, step("Two learning hours", "hours", count=2))
    assert progress(path, [record("a", week(0), ("film",), hours=2)]).done


def test_three_passions_need_two_different_sessions() -> None:
    path = pathway(step("Three passions", "passions", count=3, sessions=2))
    assert not progress(path, [record("a", week(0), ("music", "art", "dance"))]).done
    assert progress(
        path, [record("a", week(0), ("music", "art", "dance")), record("b", week(1), ("music",))]
    ).done
    assert not progress(
        path, [record("a", week(0), ("music", "art")), record("b", week(1), ("art",))]
    ).done


def test_a_named_badge_class_and_a_city_badge_can_each_meet_a_step() -> None:
    path = pathway(step("First badge", "badge", "first-badge"), step("Film club", "badge", "film"))
    records = [
        record("city", week(1), badge_class="first-badge", hours=0, from_session=False),
        record("f", week(0), badge_class="film"),
    ]
    assert progress(path, records).done


def test_city_badges_add_nothing_to_the_measures() -> None:
    path = pathway(step("Two badges", "badges", count=2))
    records = [
        record("a", week(0)),
        record("city", week(0), badge_class="first-badge", hours=0, from_session=False),
    ]
    assert not progress(path, records).done


def test_in_order_a_measure_reached_early_is_met_when_its_turn_comes() -> None:
    path = pathway(FILM, step("Two hours", "hours", count=2), in_order=True)
    found = progress(path, [record("a", week(0), hours=3), record("f", week(2), ("film",))])
    assert found.done and found.steps[1].met is not None and found.steps[1].met.at == week(2)


def test_in_any_order_a_badge_goes_where_it_is_needed_most() -> None:
    records = [
        record("both", week(0), ("film",), partner_kind="college"),
        record("film", week(1), ("film",)),
    ]
    found = progress(pathway(FILM, COLLEGE), records)
    assert found.done
    assert [s.met.records[0].key for s in found.steps if s.met] == ["film", "both"]


def test_a_plain_step_keeps_its_badge_before_a_choice_shares_out_the_rest() -> None:
    options = [Requirement(p, "about", p) for p in ("film", "drama")]
    path = pathway(choice("Either", 1, *options), FILM)
    found = progress(path, [record("f", week(0), ("film",)), record("d", week(1), ("drama",))])
    assert found.done
    assert found.steps[1].met is not None and found.steps[1].met.records[0].key == "f"
