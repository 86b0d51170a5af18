"""Journey pages carry a strong ETag of what they show: a re-visit with it gets 304 and renders
nothing, and every change to the journey (a new badge, sharing, hiding, revoking) makes a new
one."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterator
from datetime import timedelta

import pytest
from aiohttp.test_utils import TestClient

from colbot.app import Colbot
from colbot.journeys import store as journeys
from colbot.journeys.page import JourneyPages
from colbot.journeys.web import JOURNEY_CACHE_CONTROL, JOURNEY_PAGES
from tests.support.demo import TEST_NOW
from tests.support.issuer import BIKE_REPAIR, StandInIssuer
from tests.support.journeys import Make, set_sharing, visit

Client = TestClient  # type: ignore[type-arg]
ClientMaker = Callable[..., Awaitable[Client]]


@pytest.fixture
async def client(colbot: Colbot, aiohttp_client: ClientMaker) -> Client:
    return await aiohttp_client(colbot.web_app)


class Counted:
    """How many pages and badge cards the journey pages actually rendered."""

    def __init__(self, pages: JourneyPages, monkeypatch: pytest.MonkeyPatch) -> None:
        self.pages = 0
        self.cards = 0
        render, card = pages._render, pages._card

        def counted_render(*args: object) -> bytes:
            self.pages += 1
            return render(*args)  # type: ignore[arg-type]

        def counted_card(slug: str, badge: object) -> object:
            if (slug, badge) not in pages.cards.values:
                self.cards += 1
            return card(slug, badge)  # type: ignore[arg-type]

        monkeypatch.setattr(pages, "_render", counted_render)
        monkeypatch.setattr(pages, "_card", counted_card)


@pytest.fixture
def rendered(colbot: Colbot, monkeypatch: pytest.MonkeyPatch) -> Iterator[Counted]:
    yield Counted(colbot.web_app[JOURNEY_PAGES], monkeypatch)


# Both versioned resources of a journey keep the same rules: the page, and its QR code.
RESOURCES = pytest.mark.parametrize("resource", ["", "/qr.svg"], ids=["page", "QR code"])


async def test_a_revisit_with_the_etag_gets_304_and_renders_nothing(
    client: Client, make_owner: Make, rendered: Counted
) -> None:
    owner = await make_owner(badges=2)
    response = await client.get(f"/j/{owner.slug}")
    etag = response.headers["ETag"]
    assert response.status == 200
    assert etag.startswith('"') and etag.endswith('"') and not etag.startswith("W/")
    assert response.headers["Cache-Control"] == JOURNEY_CACHE_CONTROL
    assert "Bike Repair" in await response.text()

    again = await client.get(f"/j/{owner.slug}", headers={"If-None-Match": etag})

    assert again.status == 304
    assert await again.read() == b""
    assert again.headers["ETag"] == etag
    assert again.headers["Cache-Control"] == JOURNEY_CACHE_CONTROL
    assert again.headers["Referrer-Policy"] == "no-referrer"
    assert rendered.pages == 1


async def test_a_first_visit_to_a_page_already_rendered_sends_the_same_bytes_unrendered(
    client: Client, make_owner: Make, rendered: Counted
) -> None:
    owner = await make_owner(badges=2)
    first = await visit(client, owner)
    second = await visit(client, owner)
    assert first == second and first[0] == 200
    assert rendered.pages == 1 and rendered.cards == 2


@RESOURCES
@pytest.mark.parametrize(
    "header",
    ["W/{etag}", '"someone-else", {etag}', "*"],
    ids=["weak form", "in a list", "any"],
)
async def test_if_none_match_is_read_as_the_http_spec_says(
    client: Client, make_owner: Make, header: str, resource: str
) -> None:
    owner = await make_owner(badges=1)
    _, etag, _ = await visit(client, owner, resource=resource)
    status, _, _ = await visit(client, owner, header.format(etag=etag), resource)
    assert status == 304


@RESOURCES
async def test_an_etag_that_does_not_match_gets_the_page(
    client: Client, make_owner: Make, resource: str
) -> None:
    owner = await make_owner(badges=1)
    _, etag, body = await visit(client, owner, resource=resource)
    assert await visit(client, owner, '"not-this-one"', resource) == (200, etag, body)


async def test_a_new_badge_gives_a_new_version_and_renders_only_its_card(
    client: Client, make_owner: Make, issuer: StandInIssuer, rendered: Counted
) -> None:
    owner = await make_owner(badges=2)
    _, old, _ = await visit(client, owner)
    assert rendered.cards == 2

    await issuer.issue(owner.person, BIKE_REPAIR, 1.0, TEST_NOW, narrative="Fixed a puncture")
    status, new, html = await visit(client, owner, old)

    assert status == 200 and new != old
    assert "Fixed a puncture" in html
    assert rendered.cards == 3  # the two older cards came from the cache
    assert (await visit(client, owner, new))[0] == 304


@RESOURCES
async def test_sharing_off_ends_the_page_even_for_a_kept_copy_and_on_brings_it_back(
    colbot: Colbot, client: Client, make_owner: Make, resource: str
) -> None:
    owner = await make_owner(badges=1)
    _, etag, _ = await visit(client, owner, resource=resource)

    await set_sharing(colbot, owner, False)
    assert (await visit(client, owner, etag, resource))[0] == 404
    assert (await visit(client, owner, resource=resource))[0] == 404

    await set_sharing(colbot, owner, True)
    # The same journey shows the same page again, so a kept copy is still good.
    assert (await visit(client, owner, etag, resource))[0] == 304


async def test_revoking_a_badge_gives_a_new_version_without_it(
    client: Client, make_owner: Make, issuer: StandInIssuer
) -> None:
    owner = await make_owner(badges=2)
    _, etag, html = await visit(client, owner)
    assert owner.badge_ids[0] in html

    await issuer.revoke(owner.badge_ids[0], TEST_NOW + timedelta(hours=1))
    status, new, html = await visit(client, owner, etag)

    assert status == 200 and new != etag
    assert owner.badge_ids[0] not in html and owner.badge_ids[1] in html


async def test_hiding_a_badge_or_the_nickname_gives_a_new_version(
    colbot: Colbot, client: Client, make_owner: Make
) -> None:
    owner = await make_owner(badges=2)
    seen = {(await visit(client, owner))[1]}
    for change in (
        lambda journey: journeys.toggle_badge(journey, owner.badge_ids[0]),
        lambda journey: journeys.toggle_part(journey, journeys.NICKNAME),
        lambda journey: journeys.toggle_part(journey, journeys.PASSIONS),
    ):
        async with colbot.database.transaction() as session:
            change(await journeys.journey_for(session, owner.person, TEST_NOW))
        status, etag, _ = await visit(client, owner, ",".join(seen))
        assert status == 200 and etag not in seen
        seen.add(etag)


async def test_two_journeys_never_share_a_version(client: Client, make_owner: Make) -> None:
    first = await make_owner(badges=0, chat_id="one")
    second = await make_owner(badges=0, chat_id="two")
    _, etag, _ = await visit(client, first)
    assert (await visit(client, second, etag))[0] == 200
