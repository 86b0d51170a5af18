"""How far along a pathway someone is, worked out from their badges alone (no database here)."""

# A step that names one thing (a badge, a passion, a kind of partner) uses up the badge that
# meets it, so "two film sessions" written as two steps needs two. Steps that add up a measure
# (badges, hours, passions) count everything the person has done and use nothing up. In an
# ordered pathway a step's badge must come no earlier than the step before it was met; in any
# order, badges are shared out so that as many steps as possible are met.

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

from colbot.pathways.definitions import RECORD_KINDS, Pathway, Requirement, Step

# Learning hours are floats; a total that is 10 in decimal may be 9.999999 in binary.
HOURS_TOLERANCE = 1e-9


@dataclass(frozen=True)
class Record:
    """One valid badge a young person holds, with what it says about what they did.

    `from_session` is false for city badges, which are earned by other badges rather than by a
    session of their own, so they add nothing to the measures.
    """

    key: str  # the badge's public id
    badge_class: str
    at: datetime
    hours: float = 0.0
    passions: frozenset[str] = frozenset()
    partner_kind: str | None = None
    from_session: bool = True
    order: int = 0  # the order badges were issued in, for badges issued at one moment


@dataclass(frozen=True)
class Met:
    """When a requirement or step was met, and the badges that met it."""

    at: datetime
    records: tuple[Record, ...]
    uses: tuple[Record, ...] = ()  # the badges it used up, which no later step may count


@dataclass(frozen=True)
class StepProgress:
    """One step as it stands: met or not, and how many of its choices are."""

    step: Step
    met: Met | None
    options_met: tuple[bool, ...] = ()  # for each option, whether it is met

    @property
    def chosen(self) -> int:
        """How many of its options are met."""
        return sum(self.options_met)

    @property
    def to_do(self) -> list[Requirement]:
        """The options still to meet, to suggest something that would."""
        if self.done:
            return []
        met = self.options_met or (False,) * len(self.step.options)
        return [option for option, done in zip(self.step.options, met, strict=True) if not done]

    @property
    def done(self) -> bool:
        """Whether the step is met."""
        return self.met is not None


@dataclass(frozen=True)
class PathwayProgress:
    """A pathway as it stands for one young person."""

    pathway: Pathway
    steps: tuple[StepProgress, ...]

    @property
    def done(self) -> bool:
        """Whether every step is met, which earns the city badge."""
        return all(s.done for s in self.steps)

    @property
    def steps_done(self) -> int:
        """How many steps are met."""
        return sum(1 for s in self.steps if s.done)

    @property
    def next_step(self) -> StepProgress | None:
        """The first step still to do, or None when the pathway is finished."""
        return next((s for s in self.steps if not s.done), None)

    @property
    def next_number(self) -> int:
        """The next step's number, counting from 1 (0 when finished)."""
        return next((i for i, s in enumerate(self.steps, 1) if not s.done), 0)

    @property
    def steps_left(self) -> int:
        """How many steps are still to do."""
        return len(self.steps) - self.steps_done

    @property
    def finished_at(self) -> datetime | None:
        """When the last step was met, if every one is."""
        if not self.done:
            return None
        return max(s.met.at for s in self.steps if s.met is not None)

    def parts(self) -> tuple[Record, ...]:
        """The badges that made up the pathway, each once, in the order they were earned."""
        seen: dict[str, Record] = {}
        for step in self.steps:
            if step.met is not None:
                for record in step.met.records:
                    seen.setdefault(record.key, record)
        return tuple(sorted(seen.values(), key=lambda r: (r.at, r.order)))


def _matches(requirement: Requirement, record: Record) -> bool:
    if requirement.kind == "badge":
        return record.badge_class == requirement.target
    if not record.from_session:
        return False
    if requirement.kind == "about":
        return requirement.target in record.passions
    return record.partner_kind == requirement.target


def _measure(requirement: Requirement, records: Sequence[Record]) -> Met | None:
    """When the running total first reached the count, from enough different sessions."""
    total = 0.0
    passions: set[str] = set()
    adding: list[Record] = []
    for record in records:
        if not record.from_session:
            continue
        if requirement.kind == "badges":
            total += 1
            adding.append(record)
        elif requirement.kind == "hours" and record.hours > 0:
            total += record.hours
            adding.append(record)
        elif requirement.kind == "passions" and record.passions:
            passions |= record.passions
            total = len(passions)
            adding.append(record)
        if total + HOURS_TOLERANCE >= requirement.count and len(adding) >= requirement.sessions:
            return Met(record.at, tuple(adding))
    return None


def _meet(
    requirement: Requirement,
    records: Sequence[Record],
    after: datetime | None,
    used: set[str],
) -> Met | None:
    if requirement.kind not in RECORD_KINDS:
        found = _measure(requirement, records)
        if found is None or after is None or found.at >= after:
            return found
        return Met(after, found.records)
    for record in records:
        if record.key in used or (after is not None and record.at < after):
            continue
        if _matches(requirement, record):
            return Met(record.at, (record,), (record,))
    return None


Slot = tuple[int, int]  # a step's number and one of its options, from 0


def _assign(pathway: Pathway, records: Sequence[Record]) -> dict[Slot, Record]:
    """The most steps one badge each can meet, when the order does not matter.

    Augmenting paths never take a badge from a slot already met, so plain steps, matched first,
    keep theirs, and "any N of these" choices share out what is left.
    """
    slots = [
        (index, position)
        for plain in (True, False)
        for index, step in enumerate(pathway.steps)
        if step.is_choice != plain
        for position, option in enumerate(step.options)
        if option.kind in RECORD_KINDS
    ]
    holder: dict[str, Slot] = {}

    def place(slot: Slot, seen: set[str]) -> bool:
        requirement = pathway.steps[slot[0]].options[slot[1]]
        for record in records:
            if record.key in seen or not _matches(requirement, record):
                continue
            seen.add(record.key)
            if record.key not in holder or place(holder[record.key], seen):
                holder[record.key] = slot
                return True
        return False

    for slot in slots:
        place(slot, set())
    by_key = {record.key: record for record in records}
    return {slot: by_key[key] for key, slot in holder.items()}


def _step(
    step: Step,
    records: Sequence[Record],
    after: datetime | None,
    used: set[str],
    assigned: dict[int, Record] | None = None,
) -> StepProgress:
    taken = set(used)
    met: list[Met] = []
    flags: list[bool] = []
    for position, option in enumerate(step.options):
        if assigned is not None and option.kind in RECORD_KINDS:
            record = assigned.get(position)
            found = Met(record.at, (record,), (record,)) if record is not None else None
        else:
            found = _meet(option, records, after, taken)
        flags.append(found is not None)
        if found is not None:
            met.append(found)
            taken |= {r.key for r in found.uses}
    if len(met) < step.need:
        return StepProgress(step, None, tuple(flags))
    first = sorted(met, key=lambda m: m.at)[: step.need]
    return StepProgress(
        step,
        Met(
            first[-1].at,
            tuple(r for m in first for r in m.records),
            tuple(r for m in first for r in m.uses),
        ),
        tuple(flags),
    )


def progress(pathway: Pathway, records: Iterable[Record]) -> PathwayProgress:
    """Which steps of a pathway someone's badges meet, and so the next step and whether done."""
    ordered = sorted(records, key=lambda r: r.at)  # stable: badges at one moment keep their order
    if not pathway.in_order:
        assigned = _assign(pathway, ordered)
        return PathwayProgress(
            pathway,
            tuple(
                _step(
                    step,
                    ordered,
                    None,
                    set(),
                    {position: r for (index, position), r in assigned.items() if index == number},
                )
                for number, step in enumerate(pathway.steps)
            ),
        )
    # In order, each step takes the earliest badge after the step before it was met.
    used: set[str] = set()
    after: datetime | None = None
    steps: list[StepProgress] = []
    for step in pathway.steps:
        if steps and not steps[-1].done:
            steps.append(StepProgress(step, None))
            continue
        found = _step(step, ordered, after, used)
        steps.append(found)
        if found.met is not None:
            used |= {r.key for r in found.met.uses}
            after = found.met.at
    return PathwayProgress(pathway, tuple(steps))
