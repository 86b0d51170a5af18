"""Forms another site's page makes a browser send to the dashboard are refused; its own still work.

Over colbot's real server, with a client that keeps cookies as a browser does.
"""

from __future__ import annotations

from collections.abc import AsyncIterator

import aiohttp
import pytest
from sqlalchemy import func, select

from colbot.app import Colbot
from colbot.storage.models import DashboardLink, DashboardSession
from tests.support.dashboard import ADMIN
from tests.support.dashboard_forms import open_sign_in, post_sign_in, sign_in_secret, token_in

EVIL = "http://evil.example"


@pytest.fixture
async def http(served_board: Colbot) -> AsyncIterator[aiohttp.ClientSession]:
    """A browser-like client on colbot's address; it keeps cookies from an IP address too."""
    jar = aiohttp.CookieJar(unsafe=True)
    base = served_board.settings.public_url
    async with aiohttp.ClientSession(base_url=base, cookie_jar=jar) as session:
        yield session


async def sessions_opened(colbot: Colbot) -> int:
    async with colbot.database.reading() as session:
        return int(await session.scalar(select(func.count()).select_from(DashboardSession)) or 0)


async def links_spent(colbot: Colbot) -> int:
    async with colbot.database.reading() as session:
        spent = select(func.count()).where(DashboardLink.used_at.is_not(None))
        return int(await session.scalar(spent) or 0)


def session_cookie_set(http: aiohttp.ClientSession) -> bool:
    return any(cookie.key == "colbot_dashboard" for cookie in http.cookie_jar)


async def test_a_sign_in_from_another_site_is_refused_and_opens_no_session(
    served_board: Colbot, http: aiohttp.ClientSession
) -> None:
    secret = await sign_in_secret(served_board, str(ADMIN))
    token = await open_sign_in(http, secret)  # even holding this browser's token
    refused = await post_sign_in(http, EVIL, secret, token)
    assert refused.status == 403
    text = await refused.text()
    assert "another website" in text and 'href="/dashboard"' in text
    assert "colbot_dashboard" not in refused.cookies and not session_cookie_set(http)
    assert await sessions_opened(served_board) == 0 and await links_spent(served_board) == 0
    own = served_board.settings.public_url
    signed_in = await post_sign_in(http, own, secret, token)  # the link was not used up
    assert signed_in.status == 303 and session_cookie_set(http)
    assert (await http.get("/dashboard")).status == 200


async def test_a_sign_in_without_this_browsers_token_is_refused(
    served_board: Colbot, http: aiohttp.ClientSession
) -> None:
    own = served_board.settings.public_url
    secret = await sign_in_secret(served_board, str(ADMIN))
    assert (await post_sign_in(http, own, secret, None)).status == 403  # no page opened yet
    token = await open_sign_in(http, secret)
    missing = await post_sign_in(http, own, secret, None)
    assert missing.status == 403 and "out of date" in await missing.text()
    wrong = token[:-1] + ("A" if token[-1] != "A" else "B")
    assert (await post_sign_in(http, own, secret, wrong)).status == 403
    assert (await post_sign_in(http, own, secret, "é" * 43)).status == 403
    assert not session_cookie_set(http) and await links_spent(served_board) == 0
    assert (await post_sign_in(http, own, secret, token)).status == 303


async def test_a_post_naming_no_page_is_refused(
    served_board: Colbot, http: aiohttp.ClientSession
) -> None:
    secret = await sign_in_secret(served_board, str(ADMIN))
    form = {"t": secret, "csrf": await open_sign_in(http, secret)}
    for path in ("/dashboard/sign-in", "/dashboard/sign-out"):
        response = await http.post(path, data=form, allow_redirects=False)
        assert response.status == 403, path
        assert "say which page sent it" in await response.text()
    assert await sessions_opened(served_board) == 0


async def test_without_origin_the_referer_decides(
    served_board: Colbot, http: aiohttp.ClientSession
) -> None:
    own = served_board.settings.public_url
    secret = await sign_in_secret(served_board, str(ADMIN))
    form = {"t": secret, "csrf": await open_sign_in(http, secret)}
    elsewhere = {"Referer": f"{EVIL}/dashboard/sign-in?t={secret}"}
    refused = await http.post("/dashboard/sign-in", data=form, headers=elsewhere)
    assert refused.status == 403 and await sessions_opened(served_board) == 0
    ours = {"Referer": f"{own}/dashboard/sign-in?t={secret}"}
    signed_in = await http.post(
        "/dashboard/sign-in", data=form, headers=ours, allow_redirects=False
    )
    assert signed_in.status == 303


async def test_only_the_dashboard_itself_signs_out(
    served_board: Colbot, http: aiohttp.ClientSession
) -> None:
    own = served_board.settings.public_url
    secret = await sign_in_secret(served_board, str(ADMIN))
    assert (await post_sign_in(http, own, secret, await open_sign_in(http, secret))).status == 303
    page = await http.get("/dashboard")
    token = token_in(await page.text())
    for origin, form in ((EVIL, {"csrf": token}), (own, {})):
        refused = await http.post("/dashboard/sign-out", data=form, headers={"Origin": origin})
        assert refused.status == 403, origin
        assert (await http.get("/dashboard")).status == 200
    signed_out = await http.post(
        "/dashboard/sign-out", data={"csrf": token}, headers={"Origin": own}
    )
    assert signed_out.status == 200 and "signed out" in await signed_out.text()
    assert (await http.get("/dashboard")).status == 401


async def test_the_token_cookie_is_strict_and_kept_across_pages(
    served_board: Colbot, http: aiohttp.ClientSession
) -> None:
    secret = await sign_in_secret(served_board, str(ADMIN))
    page = await http.get("/dashboard/sign-in", params={"t": secret})
    cookie = page.headers["Set-Cookie"]
    assert cookie.startswith("colbot_csrf=") and "HttpOnly" in cookie
    assert "SameSite=Strict" in cookie and "Path=/dashboard" in cookie and "Secure" not in cookie
    assert page.headers["Referrer-Policy"] == "same-origin"
    first = token_in(await page.text())
    again = await http.get("/dashboard/sign-in", params={"t": secret})
    assert token_in(await again.text()) == first  # an older tab's form still works
    assert "Set-Cookie" not in again.headers
    own = served_board.settings.public_url
    signed_in = await post_sign_in(http, own, secret, first)
    assert "SameSite=Lax" in signed_in.headers["Set-Cookie"]
    assert token_in(await (await http.get("/dashboard")).text()) == first
