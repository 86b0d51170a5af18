"""One opportunity on its way in: its raw values (a Draft), where it was, and what parsing needs.

Each format reads its file into `Draft`s (raw values under the CSV contract's column names).
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from datetime import tzinfo
from functools import cached_property

from colbot.catalogue.importers.problems import Problem
from colbot.catalogue.importers.vocabulary import PassionVocabulary
from colbot.catalogue.store import OpportunityFields
from colbot.content.city import City
from colbot.content.passions import Passion

COLUMNS = (
    "id", "partner", "title", "description", "passions", "starts_at", "ends_at", "venue",
    "address", "postcode", "latitude", "longitude", "min_age", "max_age", "cost", "hours",
    "capacity", "url", "badge",
)  # fmt: skip


@dataclass(frozen=True)
class ImportedOpportunity:
    """One opportunity read from a file: the partner's name, its fields, and where it was."""

    partner: str
    fields: OpportunityFields
    where: str = ""


@dataclass(frozen=True)
class ImportContext:
    """What parsing needs besides the file: the city, its passions, its clock and its badges."""

    city: City
    passions: tuple[Passion, ...]
    timezone: tzinfo
    badge_ids: frozenset[str] | None = None

    @classmethod
    def of(
        cls,
        city: City,
        passions: Sequence[Passion],
        timezone: tzinfo,
        badge_ids: Collection[str] | None = None,
    ) -> ImportContext:
        """A context from the arguments every parser takes."""
        badges = None if badge_ids is None else frozenset(badge_ids)
        return cls(city, tuple(passions), timezone, badges)

    @cached_property
    def vocabulary(self) -> PassionVocabulary:
        """Words that mean each passion."""
        return PassionVocabulary(self.passions)


@dataclass
class Draft:
    """One opportunity's raw values, named as the CSV contract's columns.

    Values are text as read, or already-typed values from a structured format (numbers,
    datetimes, a tuple of matched passion ids). `duration` (ISO 8601 text or a timedelta) stands
    in for a missing `ends_at`, and for a missing `hours`.
    """

    id: object = None
    partner: object = None
    title: object = None
    description: object = None
    passions: object = None
    starts_at: object = None
    ends_at: object = None
    venue: object = None
    address: object = None
    postcode: object = None
    latitude: object = None
    longitude: object = None
    min_age: object = None
    max_age: object = None
    cost: object = None
    hours: object = None
    capacity: object = None
    url: object = None
    badge: object = None
    duration: object = None
    status: str = "scheduled"
    is_full: bool = False
    offers: tuple[dict[str, int | None], ...] = ()
    series_key: str | None = None


class Row:
    """One row being checked: every problem is noted against its place and the column's label."""

    def __init__(
        self,
        where: str,
        problems: list[Problem],
        labels: Mapping[str, str] | None = None,
        absent: Collection[str] = (),
    ) -> None:
        self.where = where
        self.problems = problems
        self.labels = labels or {}
        self.absent = absent
        self._first = len(problems)

    def label(self, column: str) -> str:
        """The name of a column as the file calls it."""
        return self.labels.get(column, column)

    def fail(self, column: str, message: str) -> None:
        """Notes a problem, unless the column is absent (its absence is reported once)."""
        if column not in self.absent:
            self.problems.append(Problem(self.where, self.label(column) if column else "", message))

    @property
    def failed(self) -> bool:
        """Whether this row has any problem so far."""
        return len(self.problems) > self._first
