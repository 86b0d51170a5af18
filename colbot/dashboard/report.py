"""What the dashboard and the report may show: the raw figures as tables, with small counts hidden.

Pure: raw figures, the city's areas and the passions' names in; headline figures and tables out.
Every count of young people (or of what they did) goes through colbot.dashboard.disclosure, with the
sums that hold between the tables, so no hidden count can be worked out by subtraction.
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta

from colbot.dashboard.disclosure import Sum, hidden
from colbot.dashboard.figures import FUNNEL_STAGES, Figures

MOST_DEPRIVED = (1, 2)
UNKNOWN_AREA = "Not given"
Cell = str | int | float | None  # None: hidden, shown as "fewer than 5"
Key = Hashable


@dataclass(frozen=True)
class Area:
    """What the report needs of one of the city's areas."""

    id: str
    name: str
    imd_decile: int


@dataclass(frozen=True)
class Series:
    """One series of a chart, hidden values as None so they are never drawn."""

    name: str
    values: tuple[float | None, ...]


@dataclass(frozen=True)
class Chart:
    """How a table is drawn: bars across or along, or lines, with a sentence for screen readers."""

    kind: str  # "bar", "hbar" or "line"
    labels: tuple[str, ...]
    series: tuple[Series, ...]
    description: str


@dataclass(frozen=True)
class Table:
    """One table, the chart drawn from it, and what its CSV download is called."""

    id: str
    title: str
    note: str
    columns: tuple[str, ...]
    rows: tuple[tuple[Cell, ...], ...]
    chart: Chart | None = None


@dataclass(frozen=True)
class Headline:
    """One headline figure."""

    label: str
    value: Cell
    unit: str = ""
    note: str = ""


@dataclass(frozen=True)
class Report:
    """Everything one dashboard page, report or CSV shows."""

    title: str
    period_label: str
    headlines: tuple[Headline, ...]
    tables: tuple[Table, ...]
    deprived_areas: tuple[str, ...]
    notes: tuple[str, ...] = field(default=())

    def table(self, table_id: str) -> Table | None:
        """The table with this id, for its CSV."""
        return next((t for t in self.tables if t.id == table_id), None)


class _Counts:
    """Counts of young people by key, the sums between them, and the verdict on each."""

    def __init__(self) -> None:
        self.values: dict[Key, int] = {}
        self.sums: list[Sum[Key]] = []
        self.suppressed: frozenset[Key] = frozenset()

    def add(self, key: Key, value: int) -> Key:
        self.values[key] = int(value)
        return key

    def sum(self, total: Key, parts: Sequence[Key]) -> None:
        self.sums.append(Sum(total, tuple(parts)))

    def decide(self) -> None:
        self.suppressed = hidden(self.values, self.sums)

    def cell(self, key: Key) -> int | None:
        return None if key in self.suppressed else self.values[key]

    def point(self, key: Key) -> float | None:
        value = self.cell(key)
        return None if value is None else float(value)


def _hours(value: float) -> float:
    return round(value, 1)


def build_report(
    figures: Figures,
    areas: Sequence[Area],
    passion_names: Mapping[str, str],
    city: str,
) -> Report:
    """Headline figures and every table for one dashboard, with the disclosure rule applied."""
    scope, period = figures.scope, figures.period
    counts = _Counts()
    is_city = scope.is_city
    people_word = "New young people" if is_city else "Young people reached"

    # Young people by area, by decile, and from the most deprived areas.
    known_areas = {a.id: a for a in areas}
    by_area: dict[str | None, int] = {}
    for area_id, value in figures.people_by_area.items():
        area = area_id if area_id in known_areas else None
        by_area[area] = by_area.get(area, 0) + value
    people = counts.add("people", figures.people)
    area_keys = [counts.add(("area", a.id), by_area.get(a.id, 0)) for a in areas]
    unknown = counts.add(("area", None), by_area.get(None, 0))
    counts.sum(people, [*area_keys, unknown])
    deciles = sorted({a.imd_decile for a in areas})
    decile_keys = []
    for decile in deciles:
        members = [("area", a.id) for a in areas if a.imd_decile == decile]
        key = counts.add(("decile", decile), sum(counts.values[m] for m in members))
        counts.sum(key, members)
        decile_keys.append(key)
    known = counts.add("known", sum(counts.values[k] for k in decile_keys))
    counts.sum(known, decile_keys)
    counts.sum(people, [known, unknown])
    poorest = [("decile", d) for d in deciles if d in MOST_DEPRIVED]
    deprived = counts.add("deprived", sum(counts.values[k] for k in poorest))
    others = counts.add("not_deprived", counts.values[known] - counts.values[deprived])
    counts.sum(deprived, poorest)
    counts.sum(known, [deprived, others])

    # Week by week.
    weeks = period.weeks()
    redemptions = counts.add("redemptions", figures.redemptions)
    week_red = [
        counts.add(("week_red", i), figures.weekly_redemptions.get(i, 0)) for i in range(len(weeks))
    ]
    counts.sum(redemptions, week_red)
    week_people = [
        counts.add(("week_people", i), figures.weekly_people.get(i, 0)) for i in range(len(weeks))
    ]
    if is_city:
        counts.sum(people, week_people)
    counts.sum(counts.add(("funnel", "redeemed"), figures.funnel.get("redeemed", 0)), [redemptions])
    for stage in FUNNEL_STAGES[:-1]:
        counts.add(("funnel", stage), figures.funnel.get(stage, 0))

    reached = counts.add("reached", figures.reached)
    badges = counts.add("badges", figures.badges)
    active = counts.add("active", figures.active)
    for passion, (value, _) in figures.hours_by_passion.items():
        counts.add(("passion_people", passion), value)
    for passion, value in figures.demand.items():
        counts.add(("demand", passion), value)
    for name, value in figures.partners_reached:
        counts.add(("partner", name), value)
    if is_city:
        _count_pathways(figures, counts)
    counts.decide()

    share = None
    if counts.cell(deprived) is not None and counts.cell(known) and counts.cell(others) is not None:
        share = round(100 * counts.values[deprived] / counts.values[known])
    deprived_names = tuple(
        f"{a.name} (decile {a.imd_decile})" for a in areas if a.imd_decile in MOST_DEPRIVED
    )
    hours_shown = None if reached in counts.suppressed else _hours(figures.hours)

    headlines = [
        Headline(people_word if not is_city else "Young people onboarded", counts.cell(people))
    ]
    if is_city:
        headlines.append(
            Headline("Active in the last 30 days", counts.cell(active), note="up to today")
        )
    else:
        headlines.append(Headline("Codes redeemed", counts.cell(redemptions)))
    headlines += [
        Headline("Learning hours logged", hours_shown, unit="hours"),
        Headline("Badges issued", counts.cell(badges)),
    ]
    if is_city:
        headlines.append(Headline("Partners with something on", figures.partners))
    headlines += [
        Headline("Opportunities on offer", figures.opportunities),
        Headline(
            "From the most deprived areas",
            None if share is None else f"{share}%",
            note=f"of {'those onboarded' if is_city else 'those reached'} who gave an area; "
            "IMD deciles 1 and 2",
        ),
    ]

    tables = [
        _weekly(figures, counts, weeks, week_people, week_red, people_word, is_city),
        _hours_table(figures, counts, passion_names),
        _funnel(counts),
        _demand_supply(figures, counts, passion_names, is_city),
        _areas(counts, areas, people_word, area_keys, unknown, people),
        _deciles(counts, areas, deciles, unknown, people, share),
    ]
    if is_city:
        tables.append(_partners(figures, counts))
        if figures.pathways:
            tables.append(_pathways(figures, counts))
    title = f"{city} City of Learning" if is_city else f"{scope.partner_name} in {city}"
    notes = (
        "Counts of young people from 1 to 4, and any figure from which one could be worked "
        "out (such as a total less the rest), are shown as \u201cfewer than 5\u201d.",
        "Young people who deleted their data are no longer counted as onboarded; their "
        "redemptions and badges still count.",
    )
    return Report(title, period.label(), tuple(headlines), tuple(tables), deprived_names, notes)


def _weekly(
    figures: Figures,
    counts: _Counts,
    weeks: Sequence[date],
    week_people: Sequence[Key],
    week_red: Sequence[Key],
    people_word: str,
    is_city: bool,
) -> Table:
    labels = tuple(f"{w:%d %b}" for w in weeks)
    rows: list[tuple[Cell, ...]] = []
    for i, week in enumerate(weeks):
        last = min(week + timedelta(days=6), figures.period.last)
        label = f"{week:%d %b %Y} to {last:%d %b %Y}"
        if is_city:
            rows.append((label, counts.cell(week_people[i]), counts.cell(week_red[i])))
        else:
            rows.append((label, counts.cell(week_red[i])))
    if is_city:
        rows.append(("Total", counts.cell("people"), counts.cell("redemptions")))
        series: tuple[Series, ...] = (
            Series("New young people", tuple(counts.point(k) for k in week_people)),
            Series("Codes redeemed", tuple(counts.point(k) for k in week_red)),
        )
        columns: tuple[str, ...] = ("Week", "New young people", "Codes redeemed")
    else:
        rows.append(("Total", counts.cell("redemptions")))
        series = (Series("Codes redeemed", tuple(counts.point(k) for k in week_red)),)
        columns = ("Week", "Codes redeemed")
    title = "New young people and redemptions each week" if is_city else "Redemptions each week"
    return Table(
        "weekly",
        title,
        "Weeks start on the first day of the period; the last may be shorter.",
        columns,
        tuple(rows),
        Chart("line", labels, series, f"{title}, week by week; the table below has each figure."),
    )


def _hours_table(figures: Figures, counts: _Counts, names: Mapping[str, str]) -> Table:
    rows = []
    ordered = sorted(figures.hours_by_passion.items(), key=lambda item: -item[1][1])
    for passion, (_, hours) in ordered:
        people = counts.cell(("passion_people", passion))
        rows.append(
            (names.get(passion, passion), people, None if people is None else _hours(hours))
        )
    labels = tuple(str(r[0]) for r in rows)
    values = tuple(None if r[2] is None else float(r[2]) for r in rows)
    return Table(
        "hours-by-passion",
        "Learning hours by passion",
        "An opportunity that feeds several passions counts under each, so rows add up to more "
        "than the total. Hours are hidden where fewer than 5 young people logged them.",
        ("Passion", "Young people", "Learning hours"),
        tuple(rows),
        Chart(
            "hbar",
            labels,
            (Series("Learning hours", values),),
            "Learning hours logged in each passion.",
        ),
    )


FUNNEL_LABELS = {
    "recommended": "Recommended",
    "saved": "Saved",
    "reminded": "Asked for a reminder",
    "redeemed": "Redeemed a code",
}


def _funnel(counts: _Counts) -> Table:
    rows = tuple((FUNNEL_LABELS[s], counts.cell(("funnel", s))) for s in FUNNEL_STAGES)
    return Table(
        "funnel",
        "From recommendation to redemption",
        "Each young person and opportunity counts once at each step: a card shown for the first "
        "time, a save, a first \u201cRemind me\u201d, a completion code redeemed.",
        ("Step", "Times"),
        rows,
        Chart(
            "hbar",
            tuple(str(r[0]) for r in rows),
            (Series("Times", tuple(counts.point(("funnel", s)) for s in FUNNEL_STAGES)),),
            "How many recommendations were saved, reminded and redeemed.",
        ),
    )


def _demand_supply(
    figures: Figures, counts: _Counts, names: Mapping[str, str], is_city: bool
) -> Table:
    passions = sorted(set(figures.demand) | set(figures.supply), key=lambda p: names.get(p, p))
    rows = []
    for passion in passions:
        demand = counts.cell(("demand", passion)) if passion in figures.demand else 0
        places, sessions = figures.supply.get(passion, (0, 0))
        rows.append((names.get(passion, passion), demand, places, sessions))
    offered = "places on offer" if is_city else "your places on offer"
    return Table(
        "demand-supply",
        "Demand and supply by passion",
        "Demand: young people who chose the passion (everyone onboarded by the end of the "
        f"period). Supply: {offered} in sessions starting in the period or in the twelve weeks "
        "after it, when the young people counted will go (sessions without a limit add no "
        "places). Where demand is high and places few, recruit partners.",
        ("Passion", "Young people who chose it", "Places on offer", "Sessions"),
        tuple(rows),
        Chart(
            "bar",
            tuple(str(r[0]) for r in rows),
            (
                Series(
                    "Young people who chose it",
                    tuple(None if r[1] is None else float(r[1]) for r in rows),
                ),
                Series("Places on offer", tuple(float(r[2]) for r in rows)),
            ),
            "For each passion, how many young people chose it next to how many places are offered.",
        ),
    )


def _areas(
    counts: _Counts,
    areas: Sequence[Area],
    people_word: str,
    area_keys: Sequence[Key],
    unknown: Key,
    people: Key,
) -> Table:
    rows: list[tuple[Cell, ...]] = [
        (a.name, a.imd_decile, counts.cell(k)) for a, k in zip(areas, area_keys, strict=True)
    ]
    rows.append((UNKNOWN_AREA, "", counts.cell(unknown)))
    rows.append(("Total", "", counts.cell(people)))
    return Table(
        "areas",
        f"{people_word} by area",
        "IMD decile: the area's Index of Multiple Deprivation decile, 1 the most deprived.",
        ("Area", "IMD decile", people_word),
        tuple(rows),
        Chart(
            "hbar",
            tuple(f"{a.name} (decile {a.imd_decile})" for a in areas),
            (Series(people_word, tuple(counts.point(k) for k in area_keys)),),
            f"{people_word} in each area, with its deprivation decile.",
        ),
    )


def _deciles(
    counts: _Counts,
    areas: Sequence[Area],
    deciles: Sequence[int],
    unknown: Key,
    people: Key,
    share: int | None,
) -> Table:
    rows: list[tuple[Cell, ...]] = []
    for decile in deciles:
        names = ", ".join(a.name for a in areas if a.imd_decile == decile)
        rows.append((f"Decile {decile}", names, counts.cell(("decile", decile))))
    rows.append(("Most deprived (deciles 1 and 2)", "", counts.cell("deprived")))
    rows.append((UNKNOWN_AREA, "", counts.cell(unknown)))
    said = "hidden, as a count in it is fewer than 5" if share is None else f"{share}%"
    return Table(
        "deciles",
        "Reach by deprivation decile",
        f"Share from the most deprived areas (deciles 1 and 2) of those who gave an area: {said}.",
        ("IMD decile", "Areas", "Young people"),
        tuple(rows),
        Chart(
            "bar",
            tuple(f"Decile {d}" for d in deciles),
            (Series("Young people", tuple(counts.point(("decile", d)) for d in deciles)),),
            "Young people by their area's deprivation decile, 1 the most deprived.",
        ),
    )


def _partners(figures: Figures, counts: _Counts) -> Table:
    rows = tuple((name, counts.cell(("partner", name))) for name, _ in figures.partners_reached)
    ordered = sorted(rows, key=lambda r: -(r[1] if isinstance(r[1], int) else 0))
    return Table(
        "partners",
        "Partners by young people reached",
        "Young people who redeemed a code with each partner in the period; one young person "
        "can be reached by several partners.",
        ("Partner", "Young people reached"),
        tuple(ordered),
        Chart(
            "hbar",
            tuple(str(r[0]) for r in ordered),
            (
                Series(
                    "Young people reached",
                    tuple(None if r[1] is None else float(r[1]) for r in ordered),
                ),
            ),
            "Partners ranked by how many young people they reached.",
        ),
    )


def _count_pathways(figures: Figures, counts: _Counts) -> None:
    """Each pathway's funnel as counts, with every sum that holds between them."""
    for found in figures.pathways:
        key = found.pathway.id
        following = counts.add(("pw_following", key), found.following)
        done = counts.add(("pw_done", key), found.done)
        counts.add(("pw_finished", key), found.finished)
        steps = range(len(found.reached))
        reached = [counts.add(("pw_reached", key, i), found.reached[i]) for i in steps]
        waiting = [counts.add(("pw_waiting", key, i), found.waiting[i]) for i in steps]
        # Every follower is waiting at one step or done; not done with step 1 is waiting at it.
        counts.sum(following, [*waiting, done])
        counts.sum(following, [reached[0], waiting[0]])
        if found.pathway.in_order:  # in order, reaching a step means reaching each before it
            for i in steps[:-1]:
                counts.sum(reached[i], [reached[i + 1], waiting[i + 1]])
            counts.sum(reached[-1], [done])


def _pathways(figures: Figures, counts: _Counts) -> Table:
    rows: list[tuple[Cell, ...]] = []
    for found in figures.pathways:
        key, name = found.pathway.id, found.pathway.name
        rows.append((name, "Following", counts.cell(("pw_following", key)), ""))
        for i, step in enumerate(found.pathway.steps):
            rows.append(
                (
                    name,
                    f"{i + 1}. {step.name}",
                    counts.cell(("pw_reached", key, i)),
                    counts.cell(("pw_waiting", key, i)),
                )
            )
        stalled = found.stalled_at
        if stalled is not None and counts.cell(("pw_waiting", key, stalled)) is not None:
            step_name = f"{stalled + 1}. {found.pathway.steps[stalled].name}"
            rows.append((name, "Most are waiting at", step_name, ""))
        rows.append((name, "Finished (hold its city badge)", counts.cell(("pw_finished", key)), ""))
    return Table(
        "pathways",
        "Pathways: following, each step and finished",
        "As things stand today, whatever the period. \u201cDone\u201d counts followers who have "
        "met the step; \u201cWaiting here\u201d those for whom it is the next step, so where "
        "people stall. Finished counts everyone holding the city badge, following or not.",
        ("Pathway", "Step", "Done", "Waiting here"),
        tuple(rows),
    )
