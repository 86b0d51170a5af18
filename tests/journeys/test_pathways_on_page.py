"""The journey page shows the pathways on their way and the city badges, and a new ETag for each
step met, pathway followed or badge hidden."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import timedelta

from aiohttp.test_utils import TestClient

from colbot.app import Colbot
from colbot.journeys.web import JOURNEY_PATHWAYS, JourneyPathways
from colbot.pathways import store as follows
from colbot.pathways.definitions import Pathway, Pathways, Requirement, Step
from tests.support.demo import TEST_NOW
from tests.support.issuer import BadgeClass, StandInIssuer
from tests.support.journeys import Make, Owner, journey_row

Client = TestClient  # type: ignore[type-arg]
ClientMaker = Callable[..., Awaitable[Client]]

FIRST = BadgeClass("first-badge", "First Badge", "A first badge.", "Earn any badge.")


def step(name: str, badge: str) -> Step:
    return Step(name, (Requirement(name, "badge", badge),))


BIKE_BUILDER = Pathway(
    "bike-builder",
    "Bike Builder",
    "Fix bikes, then build one.",
    "bike-builder",
    (step("Fix a bike", "bike-repair"), step("Make a game", "game-jam"), step("Weld", "weld")),
    passions=("coding",),
)
MILESTONE = Pathway(
    "first-badge",
    "First Badge",
    "Any badge.",
    "first-badge",
    (Step("Any badge", (Requirement("Any badge", "badges", count=1),)),),
    everyone=True,
)


async def client_with_pathways(colbot: Colbot, aiohttp_client: ClientMaker) -> Client:
    known = colbot.web_app[JOURNEY_PATHWAYS]
    colbot.web_app[JOURNEY_PATHWAYS] = JourneyPathways(
        Pathways({p.id: p for p in (BIKE_BUILDER, MILESTONE)}), known.classes
    )
    return await aiohttp_client(colbot.web_app)


async def visit(client: Client, owner: Owner, etag: str = "") -> tuple[int, str, str]:
    headers = {"If-None-Match": etag} if etag else {}
    response = await client.get(f"/j/{owner.slug}", headers=headers)
    return response.status, response.headers.get("ETag", ""), await response.text()


async def test_pathways_in_progress_and_city_badges_change_the_page_and_its_etag(
    colbot: Colbot, aiohttp_client: ClientMaker, make_owner: Make, issuer: StandInIssuer
) -> None:
    client = await client_with_pathways(colbot, aiohttp_client)
    owner = await make_owner(badges=1)  # a Bike Repair badge
    status, before, page = await visit(client, owner)
    assert status == 200 and "Pathways on the way" not in page and "City badges" not in page

    async with colbot.database.transaction() as session:
        await follows.follow(session, owner.person.id, BIKE_BUILDER.id, TEST_NOW)
    status, following, page = await visit(client, owner, before)
    assert status == 200 and following != before
    assert "Bike Builder</strong>: 1 of 3 steps done · Next: Make a game" in page
    assert (await visit(client, owner, following))[0] == 304

    await issuer.issue(
        owner.person,
        BadgeClass("game-jam", "Game Jam", "A game.", "Ship it."),
        2,
        TEST_NOW - timedelta(days=1),
    )
    status, stepped, page = await visit(client, owner, following)
    assert status == 200 and stepped != following
    assert "2 of 3 steps done · Next: Weld" in page

    await issuer.issue(owner.person, FIRST, 0, TEST_NOW)
    status, city, page = await visit(client, owner, stepped)
    assert status == 200 and city != stepped
    assert "City badges" in page and ">First Badge</a>" in page
    # A milestone everyone follows is a city badge, never a pathway "on the way".
    assert "First Badge</strong>" not in page


async def test_a_hidden_badge_never_shows_through_as_a_step_done(
    colbot: Colbot, aiohttp_client: ClientMaker, make_owner: Make
) -> None:
    client = await client_with_pathways(colbot, aiohttp_client)
    owner = await make_owner(badges=2)  # Bike Repair, then Game Jam
    async with colbot.database.transaction() as session:
        await follows.follow(session, owner.person.id, BIKE_BUILDER.id, TEST_NOW)
    _, shown, page = await visit(client, owner)
    assert "2 of 3 steps done" in page

    row = await journey_row(colbot, owner)
    async with colbot.database.transaction() as session:
        journey = await session.merge(row)
        journey.hidden_badge_ids = [owner.badge_ids[1]]
    status, hidden, page = await visit(client, owner, shown)
    assert status == 200 and hidden != shown
    assert "1 of 3 steps done · Next: Make a game" in page


async def test_stopping_a_pathway_takes_it_off_the_page(
    colbot: Colbot, aiohttp_client: ClientMaker, make_owner: Make
) -> None:
    client = await client_with_pathways(colbot, aiohttp_client)
    owner = await make_owner(badges=1)
    async with colbot.database.transaction() as session:
        await follows.follow(session, owner.person.id, BIKE_BUILDER.id, TEST_NOW)
    _, following, _ = await visit(client, owner)
    async with colbot.database.transaction() as session:
        await follows.unfollow(session, owner.person.id, BIKE_BUILDER.id, TEST_NOW)
    status, stopped, page = await visit(client, owner, following)
    assert status == 200 and stopped != following and "Bike Builder" not in page
