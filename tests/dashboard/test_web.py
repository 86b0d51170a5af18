"""Signing in from the bot, sessions, who may see what, the page, its charts and CSVs."""

from __future__ import annotations

import csv
import dataclasses
import io
import re
from collections.abc import Awaitable, Callable
from datetime import timedelta
from hashlib import sha256

import pytest
from aiohttp.test_utils import TestClient
from sqlalchemy import select

from colbot.app import Colbot, build_app
from colbot.clock import FrozenClock
from colbot.storage.models import DashboardLink, DashboardSession
from colbot.web.security import CONTENT_SECURITY_POLICY
from tests.support.dashboard import ADMIN, FORMULA_GROUPS, FORMULA_NAMES, GROUPS, NEUTRALISED
from tests.support.dashboard_forms import open_sign_in, token_in
from tests.support.dashboard_seed import rename_partners, seed
from tests.support.demo import TEST_NOW
from tests.support.staff import invite_payload
from tests.support.talk import Talker

Client = TestClient  # type: ignore[type-arg]
ClientMaker = Callable[..., Awaitable[Client]]
LINK = re.compile(r"https?://\S+/dashboard/sign-in\?t=([A-Za-z0-9_-]{40,})")


@pytest.fixture
async def client(board: Colbot, aiohttp_client: ClientMaker) -> Client:
    """A browser on colbot's own pages: every request says it comes from colbot's origin."""
    return await aiohttp_client(board.web_app, headers={"Origin": board.settings.public_url})


async def ask(board: Colbot, chat_id: str, channel: str = "telegram") -> Talker:
    person = Talker(board.engine, chat_id, channel=channel, first_name="Ada")
    await person.say("/dashboard")
    return person


def secret_in(person: Talker) -> str:
    found = LINK.search(person.last_text())
    assert found, person.last_text()
    return found.group(1)


async def staff(board: Colbot, chat_id: str, partner: str) -> Talker:
    person = Talker(board.engine, chat_id, channel="telegram", first_name="Priya")
    await person.say(f"/start {await invite_payload(board, partner)}")
    assert "Welcome to" in person.recent(3)
    return person


async def sign_in(client: Client, secret: str) -> int:
    token = await open_sign_in(client, secret)
    response = await client.post(
        "/dashboard/sign-in", data={"t": secret, "csrf": token}, allow_redirects=False
    )
    return response.status


async def test_an_admin_signs_in_once_and_sees_the_city(board: Colbot, client: Client) -> None:
    await seed(board.database, TEST_NOW, GROUPS)
    admin = await ask(board, str(ADMIN))
    assert "works once, in the next 10 minutes" in admin.last_text()
    secret = secret_in(admin)
    token = await open_sign_in(client, secret)
    form = {"t": secret, "csrf": token}
    response = await client.post("/dashboard/sign-in", data=form, allow_redirects=False)
    assert response.status == 303 and response.headers["Location"] == "/dashboard"
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Path=/dashboard" in cookie
    assert "Secure" not in cookie  # plain http in tests; https public URLs get Secure
    assert "Max-Age=32400" in cookie
    page = await client.get("/dashboard")
    assert page.status == 200
    assert page.headers["Content-Security-Policy"] == CONTENT_SECURITY_POLICY
    text = await page.text()
    assert "Kensalfield City of Learning" in text and "fewer than 5" in text
    assert text.count('class="chart"') == 7
    again = await client.post("/dashboard/sign-in", data=form, allow_redirects=False)
    assert again.status == 403 and "already been used" in await again.text()


async def test_secrets_are_kept_only_as_hashes(board: Colbot, client: Client) -> None:
    secret = secret_in(await ask(board, str(ADMIN)))
    form = {"t": secret, "csrf": await open_sign_in(client, secret)}
    response = await client.post("/dashboard/sign-in", data=form, allow_redirects=False)
    cookie = response.cookies["colbot_dashboard"].value
    async with board.database.reading() as session:
        links = (await session.execute(select(DashboardLink.__table__))).all()
        sessions = (await session.execute(select(DashboardSession.__table__))).all()
    assert [link.secret_hash for link in links] == [sha256(secret.encode()).hexdigest()]
    assert [s.secret_hash for s in sessions] == [sha256(cookie.encode()).hexdigest()]
    stored = repr([*links, *sessions])
    assert secret not in stored and cookie not in stored


async def test_an_expired_link_is_refused(
    board: Colbot, client: Client, clock: FrozenClock
) -> None:
    secret = secret_in(await ask(board, str(ADMIN)))
    clock.advance(timedelta(minutes=10, seconds=1))
    assert await sign_in(client, secret) == 403
    form = {"t": secret, "csrf": await open_sign_in(client, secret)}
    response = await client.post("/dashboard/sign-in", data=form)
    assert "expired" in await response.text()
    assert (await client.get("/dashboard")).status == 401


async def test_the_session_lasts_a_working_day(
    board: Colbot, client: Client, clock: FrozenClock
) -> None:
    assert await sign_in(client, secret_in(await ask(board, str(ADMIN)))) == 303
    clock.advance(timedelta(hours=8, minutes=59))
    assert (await client.get("/dashboard")).status == 200
    clock.advance(timedelta(minutes=2))
    assert (await client.get("/dashboard")).status == 401


async def test_signing_out_ends_the_session(board: Colbot, client: Client) -> None:
    assert await sign_in(client, secret_in(await ask(board, str(ADMIN)))) == 303
    token = token_in(await (await client.get("/dashboard")).text())
    assert (await client.post("/dashboard/sign-out", data={"csrf": token})).status == 200
    assert (await client.get("/dashboard")).status == 401


async def test_a_young_person_is_politely_refused(board: Colbot) -> None:
    someone = await ask(board, "555", channel="console")
    assert "only for the Kensalfield City of Learning team and partner staff" in someone.last_text()
    assert LINK.search(someone.last_text()) is None


async def test_partner_staff_see_their_own_and_not_anothers(board: Colbot, client: Client) -> None:
    await seed(board.database, TEST_NOW, GROUPS)
    member = await staff(board, "777", "pixel-forge")
    await member.say("/dashboard")
    assert "Pixel Forge Games's dashboard" in member.last_text()
    assert await sign_in(client, secret_in(member)) == 303
    page = await client.get("/dashboard")
    text = await page.text()
    assert page.status == 200 and "Pixel Forge Games in Kensalfield" in text
    assert "Partners by young people reached" not in text
    assert 'name="partner"' not in text
    for path in ("/dashboard", "/dashboard/tables/areas.csv", "/dashboard/charts/areas.svg"):
        other = await client.get(path, params={"partner": "foundry-gallery"})
        assert other.status == 403, path
        assert "Foundry" not in await other.text()
    own = await client.get("/dashboard", params={"partner": "pixel-forge"})
    assert own.status == 200


async def test_a_removed_staff_members_session_stops_working(board: Colbot, client: Client) -> None:
    admin_member = await staff(board, "778", "pixel-forge")
    member = await staff(board, "779", "pixel-forge")
    await member.say("/dashboard")
    assert await sign_in(client, secret_in(member)) == 303
    assert (await client.get("/dashboard")).status == 200
    await admin_member.say("/staff")
    await admin_member.press("Remove")
    assert (await client.get("/dashboard")).status == 401


async def test_an_admin_may_open_any_partners_view(board: Colbot, client: Client) -> None:
    await seed(board.database, TEST_NOW, GROUPS)
    assert await sign_in(client, secret_in(await ask(board, str(ADMIN)))) == 303
    page = await client.get("/dashboard", params={"partner": "foundry-gallery"})
    assert page.status == 200 and "The Foundry Gallery in Kensalfield" in await page.text()
    assert (await client.get("/dashboard", params={"partner": "nobody"})).status == 404


async def test_charts_and_csvs(board: Colbot, client: Client) -> None:
    await seed(board.database, TEST_NOW, GROUPS)
    assert await sign_in(client, secret_in(await ask(board, str(ADMIN)))) == 303
    chart = await client.get("/dashboard/charts/weekly.svg")
    body = await chart.text()
    assert chart.status == 200 and chart.content_type == "image/svg+xml"
    assert body.startswith("<svg") and "<script" not in body and "url(#hatch)" in body
    assert "http://" not in body.replace("http://www.w3.org", "")  # nothing from elsewhere
    csv_response = await client.get("/dashboard/tables/areas.csv")
    assert csv_response.content_type == "text/csv"
    assert "attachment" in csv_response.headers["Content-Disposition"]
    text = await csv_response.text()
    assert text.startswith("Area,IMD decile,New young people\r\n")
    assert "Westwood,8,fewer than 5" in text and "Total,,24" in text
    assert (await client.get("/dashboard/tables/nothing.csv")).status == 404
    assert (await client.get("/dashboard", params={"from": "yesterday"})).status == 400


async def test_a_csv_never_carries_a_formula(board: Colbot, client: Client) -> None:
    await rename_partners(board.database, FORMULA_NAMES)
    await seed(board.database, TEST_NOW, FORMULA_GROUPS)
    assert await sign_in(client, secret_in(await ask(board, str(ADMIN)))) == 303
    response = await client.get("/dashboard/tables/partners.csv")
    assert response.status == 200
    rows = list(csv.reader(io.StringIO(await response.text(), newline="")))
    assert {row[0] for row in rows[1:]} == NEUTRALISED


async def test_nothing_without_a_session(client: Client) -> None:
    for path in ("/dashboard", "/dashboard/charts/areas.svg", "/dashboard/tables/areas.csv"):
        response = await client.get(path)
        assert response.status == 401, path
        assert "Send /dashboard" in await response.text()
    assert (await client.get("/dashboard", cookies={"colbot_dashboard": "x" * 43})).status == 401


def test_pygal_leaves_no_old_style_import_hook_behind() -> None:
    import sys

    import colbot.dashboard.charts  # noqa: F401

    assert not any(type(f).__name__ == "PluginImportFixer" for f in sys.meta_path)


async def test_behind_https_the_cookies_are_secure(
    board: Colbot, aiohttp_client: ClientMaker, clock: FrozenClock
) -> None:
    public_url = "https://colbot.example.org"
    secure = build_app(dataclasses.replace(board.settings, public_url=public_url), clock=clock)
    try:
        client = await aiohttp_client(secure.web_app, headers={"Origin": public_url})
        person = Talker(secure.engine, str(ADMIN), channel="telegram")
        await person.say("/dashboard")
        assert "https://colbot.example.org/dashboard/sign-in?t=" in person.last_text()
        page = await client.get("/dashboard/sign-in", params={"t": secret_in(person)})
        token_cookie = page.headers["Set-Cookie"]
        assert token_cookie.startswith("colbot_csrf=") and "Secure" in token_cookie
        # The test client talks plain http, so it keeps a Secure cookie to itself: hand it over.
        token = token_in(await page.text())
        response = await client.post(
            "/dashboard/sign-in",
            data={"t": secret_in(person), "csrf": token},
            cookies={"colbot_csrf": token},
            allow_redirects=False,
        )
        assert response.status == 303
        assert "Secure" in response.headers["Set-Cookie"]
    finally:
        await secure.database.dispose()
