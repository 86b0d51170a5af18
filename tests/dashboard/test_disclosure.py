"""The rule for small numbers, on its own: primary and secondary suppression, and shares."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from colbot.dashboard.disclosure import FEWER_THAN, Sum, hidden, share, shown


def test_counts_from_one_to_four_are_hidden_and_zero_and_five_are_not() -> None:
    counts = {"zero": 0, "one": 1, "four": 4, "five": 5, "many": 120}
    assert hidden(counts) == {"one", "four"}


def test_a_lone_hidden_part_of_a_published_total_hides_the_next_smallest_part() -> None:
    counts = {"total": 40, "a": 3, "b": 7, "c": 30}
    assert hidden(counts, [Sum("total", ("a", "b", "c"))]) == {"a", "b"}


def test_two_hidden_parts_already_protect_each_other() -> None:
    counts = {"total": 40, "a": 3, "b": 2, "c": 35}
    assert hidden(counts, [Sum("total", ("a", "b", "c"))]) == {"a", "b"}


def test_a_zero_is_not_chosen_to_protect_while_a_nonzero_part_can_be() -> None:
    counts = {"total": 20, "a": 3, "none": 0, "b": 17}
    assert hidden(counts, [Sum("total", ("a", "none", "b"))]) == {"a", "b"}


def test_a_small_total_hides_a_part_that_equals_it() -> None:
    counts = {"total": 3, "only": 3, "other": 0}
    assert hidden(counts, [Sum("total", ("only", "other"))]) == {"total", "only"}


def test_suppression_carries_across_linked_tables() -> None:
    # Areas within deciles, deciles within the total: hiding one area must not leave it to be
    # worked out from its decile.
    counts = {"total": 30, "d1": 15, "d2": 15, "a1": 12, "a2": 3, "a3": 15}
    sums = [Sum("total", ("d1", "d2")), Sum("d1", ("a1", "a2")), Sum("d2", ("a3",))]
    suppressed = hidden(counts, sums)
    assert {"a2", "a1"} <= suppressed
    assert "total" not in suppressed


def test_when_every_part_is_hidden_but_one_the_total_goes_too() -> None:
    counts = {"total": 7, "a": 7}
    assert hidden(counts, [Sum("total", ("a",))]) == frozenset()
    counts = {"total": 4, "a": 4}
    assert hidden(counts, [Sum("total", ("a",))]) == {"total", "a"}


def test_shown_and_share() -> None:
    assert shown(1234, False) == "1,234"
    assert shown(3, True) == FEWER_THAN == "fewer than 5"
    counts = {"part": 6, "whole": 12, "tiny": 2}
    assert share("part", "whole", counts, set()) == 0.5
    assert share("tiny", "whole", counts, {"tiny"}) is None


@given(
    st.lists(st.integers(min_value=0, max_value=30), min_size=1, max_size=8),
    st.lists(st.integers(min_value=0, max_value=30), min_size=1, max_size=8),
)
def test_no_hidden_count_is_ever_the_only_hidden_member_of_a_sum(
    left: list[int], right: list[int]
) -> None:
    counts: dict[str, int] = {f"l{i}": v for i, v in enumerate(left)}
    counts |= {f"r{i}": v for i, v in enumerate(right)}
    counts |= {"left": sum(left), "right": sum(right), "total": sum(left) + sum(right)}
    sums = [
        Sum("left", tuple(f"l{i}" for i in range(len(left)))),
        Sum("right", tuple(f"r{i}" for i in range(len(right)))),
        Sum("total", ("left", "right")),
    ]
    suppressed = hidden(counts, sums)
    assert {k for k, v in counts.items() if 0 < v < 5} <= suppressed
    for identity in sums:
        assert sum(member in suppressed for member in identity.members) != 1
