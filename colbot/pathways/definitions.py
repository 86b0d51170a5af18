"""Pathways are content: YAML files under badges/pathways/, checked up front with file and line."""

from __future__ import annotations

from collections.abc import Collection, Iterator, Mapping
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from colbot.badges.classes import BadgeClasses, cached_classes
from colbot.content.checked_yaml import Block, blocks, line_of
from colbot.content.source import ContentError, load_yaml

PATHWAYS_FOLDER = "pathways"
MAX_STEPS = 12
MAX_OPTIONS = 12
MAX_HOURS = 1000
MAX_COUNT = 100
YOUNGEST = 10
OLDEST = 25
INTO = ("education", "work")

# What a step asks for: one of these keys, with what it counts or names.
RECORD_KINDS = ("badge", "about", "attend")  # each is met by one session or badge of its own
MEASURE_KINDS = ("badges", "passions", "hours")  # each adds up everything the person has done
KINDS = RECORD_KINDS + MEASURE_KINDS
_STEP_KEYS = ("name", *KINDS, "sessions", "into", "any", "of")
_PATHWAY_REQUIRED = ("id", "name", "description", "badge", "steps")
_PATHWAY_OPTIONAL = ("passions", "min_age", "max_age", "everyone", "in_order")


@dataclass(frozen=True)
class Requirement:
    """One thing to do: hold a badge, do something about a passion, attend, or add up a measure.

    `kind` is one of KINDS; `target` names the badge class, passion or partner kind for the
    record kinds; `count` is the number a measure must reach; `sessions` is how many different
    sessions must have added to it, so one session tagged with three passions is not three.
    """

    name: str
    kind: str
    target: str = ""
    count: int = 1
    sessions: int = 1
    line: int = 0

    def met_by_session(
        self, passions: Collection[str], badge_class: str | None, partner_kind: str | None
    ) -> bool:
        """Whether one session, with these passions, badge and partner, meets it on its own.

        Only the kinds that name one thing can be; a measure adds up many sessions.
        """
        if self.kind == "about":
            return self.target in passions
        if self.kind == "badge":
            return self.target == badge_class
        if self.kind == "attend":
            return self.target == partner_kind
        return False


@dataclass(frozen=True)
class Step:
    """A step of a pathway: met when `need` of its options are (a plain step has one option)."""

    name: str
    options: tuple[Requirement, ...]
    need: int = 1
    into: str | None = None  # "education" or "work": a step with a college or employer
    line: int = 0

    @property
    def is_choice(self) -> bool:
        """Whether this is an "any N of these" step."""
        return len(self.options) > 1


@dataclass(frozen=True)
class Pathway:
    """Where a young person's learning could lead: steps to take and the city badge they earn."""

    id: str
    name: str
    description: str
    badge: str  # the city badge class earned at the end
    steps: tuple[Step, ...]
    passions: tuple[str, ...] = ()
    min_age: int = YOUNGEST
    max_age: int = OLDEST
    everyone: bool = False  # everyone follows it without asking, like the first-badge milestone
    in_order: bool = False  # true: each step must come after the one before it
    path: Path | None = None

    def fits(self, passions: Collection[str], age: int | None) -> bool:
        """Whether to offer it: for everyone, or about one of their passions and for their age."""
        if self.everyone:
            return True
        if age is not None and not self.min_age <= age <= self.max_age:
            return False
        return bool(set(self.passions) & set(passions))

    def requirements(self) -> Iterator[Requirement]:
        """Every requirement of every step."""
        for step in self.steps:
            yield from step.options


@dataclass(frozen=True)
class Pathways:
    """Every pathway in badges/pathways/, with the lookups awarding and the chat need."""

    by_id: Mapping[str, Pathway] = field(default_factory=dict)

    def __iter__(self) -> Iterator[Pathway]:
        return iter(self.by_id.values())

    def __len__(self) -> int:
        return len(self.by_id)

    def get(self, pathway_id: str) -> Pathway | None:
        """A pathway by id, if there is one."""
        return self.by_id.get(pathway_id)

    def for_everyone(self) -> list[Pathway]:
        """The pathways everyone follows, like the milestones."""
        return [p for p in self if p.everyone]

    def to_choose(self) -> list[Pathway]:
        """The pathways a young person may choose to follow."""
        return [p for p in self if not p.everyone]

    def ending_in(self, class_id: str) -> Pathway | None:
        """The pathway whose city badge this is."""
        return next((p for p in self if p.badge == class_id), None)


def _requirement(
    block: Block, name: str, classes: BadgeClasses, passions: Collection[str]
) -> Requirement:
    kinds = [kind for kind in KINDS if kind in block.data]
    if len(kinds) != 1:
        raise block.error(
            "name", f"step '{name}' should say one of {', '.join(KINDS)} (it says {len(kinds)})"
        )
    kind = kinds[0]
    line = line_of(block.data, kind)
    if "sessions" in block.data and kind not in MEASURE_KINDS:
        raise block.error("sessions", "'sessions' goes with badges, hours or passions")
    sessions = block.integer("sessions", 1, MAX_COUNT) if "sessions" in block.data else 1
    if kind == "badge":
        target = block.slug("badge")
        if classes.get(target) is None:
            raise block.error("badge", f"there is no badge class '{target}' in badges/classes/")
        return Requirement(name, kind, target, line=line)
    if kind == "about":
        target = block.reference("about", passions, "passion", "passions.yaml")
        return Requirement(name, kind, target, line=line)
    if kind == "attend":
        return Requirement(name, kind, block.text("attend").lower(), line=line)
    if kind == "passions":
        count = block.integer("passions", 1, max(1, len(passions)))
    elif kind == "hours":
        count = block.integer("hours", 1, MAX_HOURS)
    else:
        count = block.integer("badges", 1, MAX_COUNT)
    if kind == "badges" and sessions > count:
        raise block.error("sessions", f"{count} badges cannot come from {sessions} sessions")
    return Requirement(name, kind, count=count, sessions=sessions, line=line)


def _step(block: Block, last: bool, classes: BadgeClasses, passions: Collection[str]) -> Step:
    name = block.text("name")
    into = None
    if "into" in block.data:
        into = block.text("into")
        if into not in INTO:
            raise block.error("into", f"'into' should be {' or '.join(INTO)}, not {into!r}")
        if not last:
            raise block.error("into", "only the last step can be a step into education or work")
    line = line_of(block.data, "name")
    if "any" not in block.data and "of" not in block.data:
        return Step(name, (_requirement(block, name, classes, passions),), 1, into, line)
    extra = [key for key in block.data if key not in ("name", "any", "of", "into")]
    if extra:
        raise block.error(extra[0], f"an 'any' step lists its choices under 'of', not '{extra[0]}'")
    if "of" not in block.data or "any" not in block.data:
        raise block.error("name", "an 'any' step needs both 'any: <how many>' and 'of:'")
    items = block.sequence("of", non_empty=True)
    if len(items) > MAX_OPTIONS:
        raise block.error("of", f"a step can offer at most {MAX_OPTIONS} choices")
    need = block.value("any")
    if isinstance(need, bool) or not isinstance(need, int) or not 1 <= need <= len(items):
        raise block.error(
            "any", f"'any' should be a whole number from 1 to {len(items)} (the choices listed)"
        )
    options = tuple(
        _requirement(option, option.text("name"), classes, passions)
        for option in blocks(items, "choice", ("name",), [k for k in _STEP_KEYS if k != "name"])
    )
    return Step(name, options, need, into, line)


def _flag(document: Block, key: str, default: bool) -> bool:
    value = document.value(key)
    if value is None:
        return default
    if not isinstance(value, bool):
        raise document.error(key, f"'{key}' should be true or false, not {value!r}")
    return value


def load_pathway(path: Path, classes: BadgeClasses, passions: Collection[str]) -> Pathway:
    """Reads one pathway file; every mistake names the file and line."""
    try:
        data = load_yaml(path)
    except OSError as exc:
        raise ContentError(f"{path}: cannot read the file ({exc.strerror})") from None
    if not isinstance(data, dict):
        raise ContentError(f"{path}:1: a pathway file should be 'key: value' lines")
    document = Block(data, _PATHWAY_REQUIRED, _PATHWAY_OPTIONAL, "the pathway")
    pathway_id = document.slug("id")
    if pathway_id != path.stem:
        raise document.error(
            "id", f"the id '{pathway_id}' should match the file name '{path.stem}'"
        )
    badge = document.slug("badge")
    city_badge = classes.get(badge)
    if city_badge is None:
        raise document.error("badge", f"there is no badge class '{badge}' in badges/classes/")
    if not city_badge.city:
        raise document.error("badge", f"'{badge}' should say 'city: true': the city awards it")
    everyone = _flag(document, "everyone", False)
    chosen: tuple[str, ...] = ()
    if "passions" in document.data and document.value("passions") != []:
        chosen = document.references("passions", passions, "passion", "passions.yaml")
    if not chosen and not everyone:
        raise document.error("id", "say which passions it fits, or 'everyone: true'")
    min_age = (
        document.integer("min_age", YOUNGEST, OLDEST) if "min_age" in document.data else YOUNGEST
    )
    max_age = (
        document.integer("max_age", YOUNGEST, OLDEST) if "max_age" in document.data else OLDEST
    )
    if min_age > max_age:
        raise document.error("max_age", f"max_age {max_age} is below min_age {min_age}")
    items = document.sequence("steps", non_empty=True)
    if len(items) > MAX_STEPS:
        raise document.error("steps", f"a pathway has at most {MAX_STEPS} steps")
    steps = tuple(
        _step(block, index == len(items) - 1, classes, passions)
        for index, block in enumerate(blocks(items, "step", ("name",), _STEP_KEYS[1:]))
    )
    return Pathway(
        id=pathway_id,
        name=document.text("name"),
        description=" ".join(document.text("description").split()),
        badge=badge,
        steps=steps,
        passions=chosen,
        min_age=min_age,
        max_age=max_age,
        everyone=everyone,
        in_order=_flag(document, "in_order", False),
        path=path,
    )


def _cycle(pathways: Mapping[str, Pathway]) -> list[str] | None:
    """A chain of pathways that each need the next one's city badge and come back round."""
    ending = {p.badge: p.id for p in pathways.values()}
    needs = {
        p.id: [
            ending[r.target] for r in p.requirements() if r.kind == "badge" and r.target in ending
        ]
        for p in pathways.values()
    }
    state: dict[str, int] = {}  # 1: being walked, 2: done

    def walk(node: str, trail: list[str]) -> list[str] | None:
        state[node] = 1
        for after in needs[node]:
            if state.get(after) == 1:
                return [*trail[trail.index(after) :], after] if after in trail else [node, after]
            if after not in state and (found := walk(after, [*trail, after])):
                return found
        state[node] = 2
        return None

    for start in sorted(needs):
        if start not in state and (found := walk(start, [start])):
            return found
    return None


def load_pathways(folder: Path, classes: BadgeClasses, passions: Collection[str]) -> Pathways:
    """Reads badges/pathways/*.yaml: each city badge ends one pathway, and no pathway loops."""
    by_id: dict[str, Pathway] = {}
    ends: dict[str, Path] = {}
    for path in sorted((folder / PATHWAYS_FOLDER).glob("*.yaml")):
        pathway = load_pathway(path, classes, passions)
        if pathway.badge in ends:
            raise ContentError(
                f"{path}: the city badge '{pathway.badge}' already ends {ends[pathway.badge].name}"
            )
        ends[pathway.badge] = path
        by_id[pathway.id] = pathway
    loop = _cycle(by_id)
    if loop is not None:
        first = by_id[loop[0]]
        raise ContentError(
            f"{first.path}: these pathways need each other's badges in a circle, so nobody "
            f"could finish them: {' -> '.join(loop)}"
        )
    unused = sorted(c.id for c in classes if c.city and c.id not in ends)
    if unused:
        raise ContentError(
            f"{classes.folder / 'classes' / (unused[0] + '.yaml')}:1: the city badge "
            f"'{unused[0]}' ends no pathway in badges/{PATHWAYS_FOLDER}/"
        )
    return Pathways({p.id: p for p in sorted(by_id.values(), key=_usual_order)})


def _usual_order(pathway: Pathway) -> tuple[int, int, int, str]:
    """Shorter pathways first, then by what the last step asks and how much: the usual order."""
    last = pathway.steps[-1].options[0]
    return (len(pathway.steps), KINDS.index(last.kind), last.count, pathway.id)


@cache
def cached_pathways(folder: Path, passions: frozenset[str]) -> Pathways:
    """The pathways, read once per process."""
    return load_pathways(folder, cached_classes(folder, passions), passions)
