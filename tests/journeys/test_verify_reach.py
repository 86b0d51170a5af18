"""/verify reads only the badge documents colbot publishes: no other page, no internal host."""

from __future__ import annotations

import copy
import json
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient

from colbot.app import Colbot
from colbot.openbadges import dataintegrity
from colbot.openbadges.keys import IssuerKeys
from colbot.settings import Settings, load_settings
from colbot.web.site import add_document_source
from tests.support.demo import TEST_NOW, free_port
from tests.support.issuer import StandInIssuer
from tests.support.journeys import Make

Client = TestClient  # type: ignore[type-arg]
ClientMaker = Callable[..., Awaitable[Client]]
Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]
NOT_FOUND = "colbot could not find a badge at that link"
INTERNAL_HOSTS = "db.internal, 10.0.0.0/8"
PUBLIC_ELSEWHERE = "https://elsewhere.example/badge.json"
OPERATIONAL_PATHS = (
    "/metrics",
    "/readyz",
    "/healthz",
    "/dashboard",
    "/dashboard/sign-in",
    "/chat",
    "/telegram/webhook",
    "/robots.txt",
)


class Watched:
    """A client for colbot that notes the path of every request its server receives."""

    def __init__(self, client: Client, paths: list[str]) -> None:
        self.client = client
        self.paths = paths

    def operational(self) -> list[str]:
        return [path for path in self.paths if path.startswith(OPERATIONAL_PATHS)]


@pytest.fixture
def settings(data_dir: Path) -> Settings:
    port = free_port()
    return load_settings(
        {"COLBOT_INTERNAL_HOSTS": INTERNAL_HOSTS},
        data_dir=data_dir,
        port=port,
        public_url=f"http://127.0.0.1:{port}",
    )


@pytest.fixture
def asked(colbot: Colbot) -> list[str]:
    """The URLs put to a source that answers anything, as a careless one might."""
    urls: list[str] = []

    async def anything(url: str) -> tuple[str, bytes]:
        urls.append(url)
        return "application/json", b"{}"

    add_document_source(colbot.web_app, anything)
    return urls


@pytest.fixture
async def watched(colbot: Colbot, aiohttp_client: ClientMaker) -> Watched:
    paths: list[str] = []

    @web.middleware
    async def note(request: web.Request, handler: Handler) -> web.StreamResponse:
        paths.append(request.path)
        return await handler(request)

    colbot.web_app.middlewares.insert(0, note)
    return Watched(await aiohttp_client(colbot.web_app), paths)


def re_signed(credential: dict[str, Any], keys: IssuerKeys, method: str) -> dict[str, Any]:
    """The credential with its proof replaced by a genuine one made with these keys."""
    unsigned = copy.deepcopy(credential)
    del unsigned["proof"]
    return dataintegrity.sign(unsigned, keys.ed25519, method, TEST_NOW)


async def credential_of(client: Client, make_owner: Make) -> dict[str, Any]:
    owner = await make_owner(badges=1)
    journey = await (await client.get(f"/j/{owner.slug}.json")).json()
    return dict(journey["badges"][0]["openBadges3"]["credential"])


@pytest.mark.parametrize(
    "path",
    [*OPERATIONAL_PATHS, "/badges/../metrics", "/badges/%2e%2e/readyz", "/j/..%2fmetrics"],
)
async def test_a_pasted_link_to_an_operational_page_is_never_fetched(
    colbot: Colbot, watched: Watched, path: str
) -> None:
    link = colbot.settings.public_url + path

    response = await watched.client.post("/verify", data={"badge": link})

    assert response.status == 404 and NOT_FOUND in await response.text()
    assert watched.operational() == []
    await watched.client.get("/metrics")
    assert watched.operational() == ["/metrics"]  # the watch sees requests that do arrive


@pytest.mark.parametrize(
    "link",
    [
        "http://db.internal/badge.json",
        "http://api.db.internal/badge.json",
        "http://10.20.30.40/badge.json",
        "http://192.168.1.1/badge.json",
        "http://169.254.169.254/latest/meta-data/",
        "http://localhost:{port}/metrics",
        "http://127.0.0.2:{port}/metrics",
        "http://[::1]:{port}/readyz",
        "http://2130706433:{port}/readyz",
    ],
)
async def test_a_pasted_link_to_an_internal_address_is_never_asked_for(
    watched: Watched, asked: list[str], link: str
) -> None:
    port = watched.client.server.port
    response = await watched.client.post("/verify", data={"badge": link.format(port=port)})

    assert response.status == 404 and NOT_FOUND in await response.text()
    assert asked == [] and watched.operational() == []


async def test_a_link_elsewhere_still_reaches_the_sources(
    watched: Watched, asked: list[str]
) -> None:
    response = await watched.client.post("/verify", data={"badge": PUBLIC_ELSEWHERE})

    assert response.status == 200 and asked == [PUBLIC_ELSEWHERE]


async def test_a_pasted_link_to_a_badge_document_is_still_read(
    colbot: Colbot, watched: Watched, make_owner: Make
) -> None:
    owner = await make_owner(badges=1)
    link = f"{colbot.settings.public_url}/j/{owner.slug}/badges/{owner.badge_ids[0]}.png"

    html = await (await watched.client.post("/verify", data={"badge": link})).text()

    assert 'data-outcome="valid"' in html


async def test_an_issuer_at_an_operational_path_is_refused_without_fetching_it(
    colbot: Colbot, watched: Watched, make_owner: Make, issuer_keys: IssuerKeys
) -> None:
    credential = await credential_of(watched.client, make_owner)
    metrics = f"{colbot.settings.public_url}/metrics"
    credential["issuer"]["id"] = metrics
    forged = re_signed(credential, issuer_keys, issuer_keys.verification_method(metrics))

    response = await watched.client.post("/verify", data={"badge": json.dumps(forged)})
    html = await response.text()

    assert 'data-outcome="invalid"' in html
    assert f"{metrics} is not one of the badge documents colbot publishes" in html
    assert watched.operational() == []


async def test_a_key_or_status_list_at_an_operational_path_is_refused_without_fetching_it(
    colbot: Colbot,
    watched: Watched,
    make_owner: Make,
    issuer: StandInIssuer,
    issuer_keys: IssuerKeys,
) -> None:
    credential = await credential_of(watched.client, make_owner)
    readyz = f"{colbot.settings.public_url}/readyz"
    credential["credentialStatus"]["statusListCredential"] = readyz
    status_forged = re_signed(
        credential, issuer_keys, issuer_keys.verification_method(issuer.issuer_v3)
    )
    key_forged = re_signed(credential, issuer_keys, f"{colbot.settings.public_url}/dashboard#key-1")

    html = await (
        await watched.client.post("/verify", data={"badge": json.dumps(status_forged)})
    ).text()
    assert 'data-outcome="valid"' not in html and "cannot check revocation" in html
    assert f"{readyz} is not one of the badge documents" in html
    html = await (
        await watched.client.post("/verify", data={"badge": json.dumps(key_forged)})
    ).text()
    assert 'data-outcome="invalid"' in html and "/dashboard is not one of the badge" in html
    assert watched.operational() == []
