"""The root URL welcomes a newcomer with what colbot is for this city and where to go next."""

from __future__ import annotations

from aiohttp.test_utils import TestClient

from colbot.app import Colbot


async def test_the_root_page_says_what_this_is_and_links_onwards(
    colbot: Colbot, aiohttp_client: type[TestClient]
) -> None:
    client = await aiohttp_client(colbot.web_app)  # type: ignore[operator]
    response = await client.get("/")
    page = await response.text()
    assert response.status == 200 and response.content_type == "text/html"
    assert "<h1>Find your thing in Kensalfield</h1>" in page
    for link, words in (
        ("/chat", "Chat on the web"),
        ("/verify", "Check a badge"),
        ("/partners", "Help for partners"),
    ):
        assert f'href="{link}"><strong>{words}</strong>' in page
    assert response.headers["Content-Security-Policy"].startswith("default-src 'none'")
    help_page = await client.get("/partners")
    assert help_page.status == 200 and "/newcode" in await help_page.text()
    assert (await client.get("/nothing-here")).status == 404


async def test_browsers_find_an_icon_where_they_look_for_one(
    colbot: Colbot, aiohttp_client: type[TestClient]
) -> None:
    client = await aiohttp_client(colbot.web_app)  # type: ignore[operator]
    response = await client.get("/favicon.ico")
    assert response.status == 200 and response.content_type == "image/svg+xml"
    assert (await response.read()).lstrip().startswith(b"<svg")
