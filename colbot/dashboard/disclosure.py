"""The rule for statistics about children: no count under 5, nor anything that gives one away.

Pure: given the counts and the sums that hold between them (a total and its parts), it decides
which counts to hide. A count from 1 to 4 is hidden (primary suppression); a zero is shown, since
"nobody" singles nobody out and hiding every empty week or area would hide almost everything.
A hidden count that is the only hidden member of a published sum could be worked out by
subtraction, so the smallest other member of that sum is hidden too (secondary suppression),
until no sum has exactly one hidden member.
"""

from __future__ import annotations

from collections.abc import Collection, Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Generic, TypeVar

THRESHOLD = 5
FEWER_THAN = f"fewer than {THRESHOLD}"

K = TypeVar("K", bound=Hashable)


@dataclass(frozen=True)
class Sum(Generic[K]):
    """A published identity: the count named `total` is the sum of the counts named `parts`."""

    total: K
    parts: tuple[K, ...]

    @property
    def members(self) -> tuple[K, ...]:
        return (self.total, *self.parts)


def hidden(
    counts: Mapping[K, int], sums: Iterable[Sum[K]] = (), threshold: int = THRESHOLD
) -> frozenset[K]:
    """The counts to show as "fewer than 5": those under it, and those that would reveal one."""
    sums = [s for s in sums if all(member in counts for member in s.members)]
    suppressed = {key for key, value in counts.items() if 0 < value < threshold}
    changed = True
    while changed:
        changed = False
        for identity in sums:
            members = identity.members
            if sum(member in suppressed for member in members) != 1:
                continue
            # Prefer hiding a part over the total, then the smallest that is not zero (a hidden
            # zero would hide little), so that the least is lost.
            shown = [m for m in identity.parts if m not in suppressed] or [identity.total]
            suppressed.add(min(shown, key=lambda m: (counts[m] == 0, counts[m], str(m))))
            changed = True
    return frozenset(suppressed)


def shown(value: int, is_hidden: bool) -> str:
    """A count as the page and the CSV say it: the number, or "fewer than 5"."""
    return FEWER_THAN if is_hidden else f"{value:,}"


def share(part: K, whole: K, counts: Mapping[K, int], suppressed: Collection[K]) -> float | None:
    """part / whole, or None when either is hidden (or the whole is empty)."""
    if part in suppressed or whole in suppressed or counts[whole] == 0:
        return None
    return counts[part] / counts[whole]


def sums_of(total: K, parts: Sequence[K]) -> Sum[K]:
    """A Sum from a total and a list of parts."""
    return Sum(total, tuple(parts))
