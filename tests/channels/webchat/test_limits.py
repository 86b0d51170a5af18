"""The web chat's fair shares: devices only from the page's handshake, and limits per device,
per network address and city-wide that extra sockets or fresh cookies cannot multiply."""

from __future__ import annotations

import asyncio

import aiohttp
import pytest
from sqlalchemy import func, select

from colbot.app import Colbot
from colbot.channels.webchat.channel import chat_id_for
from colbot.channels.webchat.page import COOKIE, LIMITS_KEY, NEW_DEVICES_PER_ADDRESS, PER_DEVICE
from colbot.storage.models import ConversationState, WebChatInbound
from tests.support.talk import REPLY_TIMEOUT_S, WebChatTalker


async def _rows(colbot: Colbot) -> int:
    async with colbot.database.reading() as session:
        inbound = await session.scalar(select(func.count()).select_from(WebChatInbound))
        states = await session.scalar(select(func.count()).select_from(ConversationState))
        return int(inbound or 0) + int(states or 0)


async def _socket(base: str, token: str) -> tuple[aiohttp.ClientSession, int]:
    http = aiohttp.ClientSession(cookies={COOKIE: token})
    try:
        ws = await http.ws_connect(f"{base}/chat/ws", headers={"Origin": base})
    except aiohttp.WSServerHandshakeError as refused:
        return http, refused.status
    await ws.close()
    return http, 101


async def test_a_made_up_device_cookie_is_nobody_and_leaves_no_row(serving_colbot: Colbot) -> None:
    base = serving_colbot.settings.public_url
    before = await _rows(serving_colbot)
    for guess in ("A" * 43, "made-up-token-made-up-token", "abc.def" + "x" * 30):
        http, status = await _socket(base, guess)
        await http.close()
        assert status == 403, guess
    assert await _rows(serving_colbot) == before


async def test_a_device_from_before_signed_tokens_keeps_its_chat(serving_colbot: Colbot) -> None:
    base = serving_colbot.settings.public_url
    legacy = "L" * 43
    async with serving_colbot.database.transaction() as session:
        session.add(WebChatInbound(chat_id=chat_id_for(legacy), last_seq=3))
    http, status = await _socket(base, legacy)
    await http.close()
    assert status == 101


async def test_more_sockets_from_one_device_do_not_buy_more_messages(
    serving_colbot: Colbot,
) -> None:
    base = serving_colbot.settings.public_url
    talker = WebChatTalker(base, serving_colbot.engine)
    await talker.connect()
    assert talker.session is not None
    extra = [
        await talker.session.ws_connect(f"{base}/chat/ws", headers={"Origin": base})
        for _ in range(4)
    ]
    most, _ = PER_DEVICE
    refused = 0
    try:
        sockets = [*extra, talker.ws]
        for seq in range(1, most + 6):
            ws = sockets[seq % len(sockets)]
            assert ws is not None
            await ws.send_json({"type": "text", "seq": seq, "text": "hi"})
            while True:
                frame = await ws.receive_json(timeout=REPLY_TIMEOUT_S)
                if frame.get("seq") == seq and frame["type"] in {"taken", "refused"}:
                    refused += frame["type"] == "refused"
                    break
    finally:
        for ws in extra:
            await ws.close()
        await talker.close()
    assert refused == 5, "five sockets shared one device's share of messages"


async def test_new_devices_per_address_are_limited_and_other_addresses_are_not(
    serving_colbot: Colbot,
) -> None:
    base = serving_colbot.settings.public_url
    most, _ = NEW_DEVICES_PER_ADDRESS
    statuses = []
    async with aiohttp.ClientSession(cookie_jar=aiohttp.DummyCookieJar()) as http:
        for _ in range(most + 1):
            async with http.get(f"{base}/chat") as response:
                statuses.append(response.status)
                if response.status == 429:
                    assert "Retry-After" in response.headers
                    assert "try again in an hour" in await response.text()
    assert statuses[:most] == [200] * most and statuses[most] == 429
    local = aiohttp.TCPConnector(local_addr=("127.0.0.2", 0))
    async with (
        aiohttp.ClientSession(connector=local) as elsewhere,
        elsewhere.get(f"{base}/chat") as response,
    ):
        assert response.status == 200 and COOKIE in response.cookies


async def test_one_address_cannot_use_the_city_wide_share(serving_colbot: Colbot) -> None:
    limits = serving_colbot.web_app[LIMITS_KEY]
    limits.addresses.most = 3
    base = serving_colbot.settings.public_url
    talkers = [WebChatTalker(base, serving_colbot.engine) for _ in range(2)]
    try:
        first = await talkers[0].say("hi")
        assert first
        await talkers[0].say("hi")
        await talkers[1].say("hi")
        replies = await talkers[1].say("hi")  # the fourth from this address in the window
        assert "catch up" in replies[-1].text
        away = WebChatTalker(base, serving_colbot.engine, from_address="127.0.0.2")
        talkers.append(away)
        assert "catch up" not in (await away.say("hi"))[-1].text
    finally:
        await asyncio.gather(*(t.close() for t in talkers))


async def test_malformed_frames_are_answered_and_the_socket_stays_usable(
    serving_colbot: Colbot, caplog: pytest.LogCaptureFixture
) -> None:
    """Acks past what the column holds once raised a DataError on PostgreSQL at the next write."""
    talker = WebChatTalker(serving_colbot.settings.public_url, serving_colbot.engine)
    await talker.connect()
    assert talker.ws is not None
    try:
        for raw in (
            "not json",
            "[1, 2]",
            '{"type": "text", "seq": "7", "text": "hi"}',
            '{"type": "text", "seq": -1, "text": "hi"}',
            '{"type": "text", "seq": 4294967296, "text": "hi"}',
            '{"type": "ack", "id": 2147483648}',
            '{"type": "ack", "id": -1}',
            '{"type": "ack", "id": "7"}',
            '{"type": "ack", "id": true}',
            '{"type": "hello", "ack": 1099511627776}',
            '{"type": "hello", "ack": "lots"}',
            '{"type": "hello", "ack": 1.5}',
        ):
            await talker.ws.send_str(raw)
            while True:
                frame = await talker.ws.receive_json(timeout=REPLY_TIMEOUT_S)
                if frame["type"] == "refused":
                    assert "scrambled" in frame["text"], raw
                    break
        replies = await talker.say("/help")
        assert replies and "/explore" in replies[-1].text
    finally:
        await talker.close()
    assert not [r for r in caplog.records if r.levelname in {"ERROR", "CRITICAL"}]
