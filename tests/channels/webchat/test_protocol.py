"""The web chat's WebSocket: in order, once, across reconnects; its door checks and limits."""

from __future__ import annotations

from collections.abc import AsyncIterator

import aiohttp
import pytest
from sqlalchemy import func, select

from colbot.app import Colbot
from colbot.channels.webchat.page import CHAT_CSP, COOKIE, LIMITS_KEY
from colbot.chat.messages import Outbound
from colbot.storage.models import WebChatMessage
from tests.support.talk import WebChatTalker


@pytest.fixture
async def sam(serving_colbot: Colbot) -> AsyncIterator[WebChatTalker]:
    talker = WebChatTalker(serving_colbot.settings.public_url, serving_colbot.engine)
    yield talker
    await talker.close()


async def _stored(serving_colbot: Colbot) -> int:
    async with serving_colbot.database.reading() as session:
        return int(await session.scalar(select(func.count()).select_from(WebChatMessage)) or 0)


async def test_page_sets_a_private_cookie_and_a_strict_policy(serving_colbot: Colbot) -> None:
    async with (
        aiohttp.ClientSession() as session,
        session.get(f"{serving_colbot.settings.public_url}/chat") as response,
    ):
        assert response.status == 200
        assert response.headers["Content-Security-Policy"] == CHAT_CSP
        cookie = response.cookies[COOKIE]
        assert cookie["httponly"] and cookie["samesite"] == "Lax"
        assert not cookie["secure"]  # plain http in tests; https turns it on
        page = await response.text()
    assert "<script>" not in page and "style=" not in page


async def test_onboarding_starts_and_acked_messages_are_forgotten(
    serving_colbot: Colbot, sam: WebChatTalker
) -> None:
    replies = await sam.say("/start")
    assert "I'm colbot" in replies[0].text
    await sam.press("Yes, that's OK")
    assert sam.find_button("16", None)
    await sam.say("/help")  # the acks before this message are handled before it
    assert await _stored(serving_colbot) <= len(sam.history[-1:]) + 1


async def test_a_resent_message_counts_once_and_missed_replies_come_after_reconnect(
    serving_colbot: Colbot, sam: WebChatTalker
) -> None:
    await sam.say("/start")
    assert sam.ws is not None
    sam.seq += 1
    await sam.ws.send_json({"type": "button", "data": "a|consent|yes", "seq": sam.seq})
    await sam.ws.close()  # the line drops before the page sees the reply
    await sam.connect()
    resent = await sam._send_again({"type": "button", "data": "a|consent|yes", "seq": sam.seq})
    assert [m.text for m in resent].count(resent[0].text) == 1
    assert "How old" in resent[0].text
    await sam.press("16")
    texts = [m.text for m in sam.history]
    assert sum("How old" in text for text in texts) == 1
    assert await _stored(serving_colbot) >= 0


async def test_other_origins_and_cookieless_sockets_are_refused(serving_colbot: Colbot) -> None:
    base = serving_colbot.settings.public_url
    async with aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True)) as session:
        await (await session.get(f"{base}/chat")).release()
        with pytest.raises(aiohttp.WSServerHandshakeError) as refused:
            await session.ws_connect(f"{base}/chat/ws", headers={"Origin": "https://evil.example"})
        assert refused.value.status == 403
    async with aiohttp.ClientSession() as session:
        with pytest.raises(aiohttp.WSServerHandshakeError) as refused:
            await session.ws_connect(f"{base}/chat/ws", headers={"Origin": base})
        assert refused.value.status == 403


async def test_too_long_and_too_fast_get_a_kind_word(
    serving_colbot: Colbot, sam: WebChatTalker
) -> None:
    replies = await sam.say("x" * 5000)
    assert "shorter" in replies[0].text
    assert serving_colbot.webchat is not None
    serving_colbot.web_app[LIMITS_KEY].devices.most = 2
    await sam.close()
    fresh = WebChatTalker(serving_colbot.settings.public_url, serving_colbot.engine)
    try:
        await fresh.say("/help")
        await fresh.say("/help")
        replies = await fresh.say("/help")
        assert "catch up" in replies[-1].text
    finally:
        await fresh.close()


async def test_messages_colbot_starts_wait_for_the_page(
    serving_colbot: Colbot, sam: WebChatTalker
) -> None:
    await sam.say("/start")
    assert serving_colbot.webchat is not None
    await sam.ws.close() if sam.ws else None
    await serving_colbot.webchat.send_to(sam.chat_id, Outbound("A reminder 🔔"))
    await sam.connect()
    replies = await sam.say("/help")
    assert replies[0].text == "A reminder 🔔"


async def test_stopping_tells_open_pages_the_server_is_going_away(
    serving_colbot: Colbot, sam: WebChatTalker
) -> None:
    await sam.say("/start")
    assert sam.ws is not None

    await (
        serving_colbot.stop()
    )  # without the going-away close this waits on the open socket for ages

    closing = await sam.ws.receive(timeout=1)
    assert closing.type == aiohttp.WSMsgType.CLOSE
    assert closing.data == aiohttp.WSCloseCode.SERVICE_RESTART
