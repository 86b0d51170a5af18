"""The city's dashboard shows each pathway's funnel and where people stall, small counts hidden."""

from __future__ import annotations

from datetime import UTC, date, datetime

from colbot.app import Colbot
from colbot.dashboard.figures import Figures, Scope
from colbot.dashboard.periods import Period
from colbot.dashboard.report import Report, Table, build_report
from colbot.pathways.definitions import Pathway, Requirement, Step
from colbot.pathways.figures import PathwayFigures
from tests.dashboard.test_web import ClientMaker, ask, secret_in, sign_in
from tests.support.dashboard import ADMIN

NOW = datetime(2026, 3, 2, 9, tzinfo=UTC)
PERIOD = Period(date(2026, 2, 1), date(2026, 2, 28))


def pathway(in_order: bool = False) -> Pathway:
    steps = tuple(
        Step(name, (Requirement(name, "about", passion),))
        for name, passion in (("Film", "film"), ("Drama", "drama"), ("College", "college"))
    )
    return Pathway(
        "into-film", "Into Film", "Film.", "into-film", steps, ("film",), in_order=in_order
    )


def report(found: PathwayFigures, partner: int | None = None) -> Report:
    figures = Figures(Scope(partner, "Partner" if partner else None), PERIOD, NOW)
    figures.pathways = [found]
    return build_report(figures, (), {}, "Kensalfield")


def funnel(made: Report) -> dict[str, tuple[object, object]]:
    table = made.table("pathways")
    assert isinstance(table, Table)
    return {str(row[1]): (row[2], row[3]) for row in table.rows}


def test_the_funnel_shows_each_step_and_where_people_wait() -> None:
    found = PathwayFigures(pathway(), 30, (22, 12, 6), 7, (8, 10, 6), 6)
    rows = funnel(report(found))
    assert rows["Following"] == (30, "")
    assert rows["1. Film"] == (22, 8)
    assert rows["2. Drama"] == (12, 10)
    assert rows["3. College"] == (6, 6)
    assert rows["Finished (hold its city badge)"] == (7, "")
    assert found.stalled_at == 1
    assert rows["Most are waiting at"] == ("2. Drama", "")


def test_a_small_count_is_hidden_and_so_is_what_would_give_it_away() -> None:
    # 3 wait at step 1: hidden; following = step 1 done + waiting there, so 22 is hidden too.
    found = PathwayFigures(pathway(), 25, (22, 12, 6), 2, (3, 10, 6), 6)
    rows = funnel(report(found))
    assert rows["1. Film"] == (None, None)
    assert rows["Following"] == (25, "")
    assert rows["Finished (hold its city badge)"] == (None, "")
    assert rows["Most are waiting at"] == ("2. Drama", "")
    # Following = everyone waiting + those done; "done" is never published, so what those
    # waiting at steps 2 and 3 are can be shown: 25 - 10 - 6 leaves the 3 mixed with the done.
    assert rows["2. Drama"] == (12, 10) and rows["3. College"] == (6, 6)


def test_in_order_a_step_reached_less_the_next_cannot_give_away_who_waits() -> None:
    # In order, done with step 2 = done with step 3 + waiting at 3; 2 waiting at 3 is hidden.
    found = PathwayFigures(pathway(in_order=True), 30, (22, 12, 10), 0, (8, 10, 2), 10)
    rows = funnel(report(found))
    assert rows["3. College"][1] is None
    # Hiding spreads along the steps, and the step most wait at is not named once it is hidden.
    assert rows["2. Drama"][1] is None and "Most are waiting at" not in rows
    hidden_in_sum = [rows["2. Drama"][0], rows["3. College"][0], rows["3. College"][1]]
    assert sum(value is None for value in hidden_in_sum) >= 2


def test_a_partner_dashboard_has_no_city_pathway_funnel() -> None:
    found = PathwayFigures(pathway(), 30, (22, 12, 6), 7, (8, 10, 6), 6)
    assert report(found, partner=3).table("pathways") is None


async def test_the_city_dashboard_page_and_csv_carry_the_pathways(
    board: Colbot, aiohttp_client: ClientMaker
) -> None:
    client = await aiohttp_client(board.web_app, headers={"Origin": board.settings.public_url})
    assert await sign_in(client, secret_in(await ask(board, str(ADMIN)))) == 303
    text = await (await client.get("/dashboard")).text()
    assert "Pathways: following, each step and finished" in text
    assert "Game Maker" in text and "Waiting here" in text
    table = await client.get("/dashboard/tables/pathways.csv")
    assert table.status == 200 and "Into Film" in await table.text()
