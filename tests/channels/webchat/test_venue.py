"""The venue QR's page: Telegram's deep link and the web chat, each carrying the code."""

from __future__ import annotations

import aiohttp

from colbot.app import Colbot
from colbot.channels.webchat import venue
from colbot.channels.webchat.page import CHAT_CSP
from colbot.codes import format as code_format
from colbot.codes.venue_links import venue_link, web_chat_link
from tests.support.staff import after_the_session, invite_payload, make_code
from tests.support.talk import Talker, WebChatTalker


async def _code(serving_colbot: Colbot) -> str:
    """A session's code, and the clock moved on to the end of its session."""
    staff = Talker(serving_colbot.engine, "staff", first_name="Priya")
    await staff.say(f"/start {await invite_payload(serving_colbot, 'pixel-forge')}")
    code = await make_code(staff)
    await after_the_session(serving_colbot, code)
    return code_format.normalise(code) or ""


async def _page(url: str) -> tuple[int, str, str]:
    async with aiohttp.ClientSession() as session, session.get(url) as response:
        return (
            response.status,
            response.headers.get("Content-Security-Policy", ""),
            await response.text(),
        )


def test_links_keep_the_telegram_contract() -> None:
    assert venue_link("https://col.example/", "kx7pq-2mdas") == "https://col.example/c/KX7PQ2MDAS"
    assert web_chat_link("https://col.example", "KX7PQ2MDAS") == (
        "https://col.example/chat?start=c_KX7PQ2MDAS"
    )
    assert code_format.deep_link("colbot_bot", "KX7PQ2MDAS") == (
        "https://t.me/colbot_bot?start=c_KX7PQ2MDAS"
    )


async def test_the_page_offers_the_web_chat_and_telegram_when_it_is_on(
    serving_colbot: Colbot,
) -> None:
    code = await _code(serving_colbot)
    status, csp, page = await _page(venue_link(serving_colbot.settings.public_url, code))
    assert status == 200 and csp == CHAT_CSP
    assert f'href="{web_chat_link(serving_colbot.settings.public_url, code)}"' in page
    assert "t.me" not in page  # no token, no Telegram
    assert code_format.display(code) in page

    assert serving_colbot.webchat is not None
    page = venue.page_html(
        serving_colbot.webchat, code, serving_colbot.settings.public_url, "kensalfield_bot"
    )
    assert f'href="https://t.me/kensalfield_bot?start=c_{code}"' in page
    assert page.index("t.me") < page.index("/chat?start=")

    status, _, page = await _page(f"{serving_colbot.settings.public_url}/c/%3Cscript%3E")
    assert status == 404 and "<script>" not in page


async def test_the_web_chat_redeems_the_code_it_was_opened_with(serving_colbot: Colbot) -> None:
    code = await _code(serving_colbot)
    sam = WebChatTalker(serving_colbot.settings.public_url, serving_colbot.engine)
    try:
        replies = await sam.say(f"/start {code_format.deep_link_payload(code)}")
        assert "Brilliant work" in replies[0].text
    finally:
        await sam.close()
