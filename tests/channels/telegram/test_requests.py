"""Bot API calls over aiohttp: what reaches the server is what PTB's own httpx request sends,
and a slow, full or missing server gives PTB's own errors."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import pytest
from aiohttp import web
from telegram import Bot, InputFile
from telegram.error import NetworkError, TimedOut
from telegram.request import BaseRequest, HTTPXRequest

from colbot.channels.telegram_requests import AiohttpRequest
from tests.doubles.telegram import TelegramDouble
from tests.support.demo import free_port

TOKEN = "7000000001:AAH-requests-test-token-0123456789"
OK_MESSAGE = {
    "ok": True,
    "result": {
        "message_id": 7,
        "date": 1_700_000_000,
        "chat": {"id": 42, "type": "private"},
        "text": "hi",
    },
}
ME = {
    "ok": True,
    "result": {"id": 7000000001, "is_bot": True, "first_name": "colbot", "username": "colbot_bot"},
}

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


class Seen:
    """What a loopback Bot API server was sent."""

    def __init__(self) -> None:
        self.requests: list[dict[str, Any]] = []


async def _serve(handler: Handler) -> tuple[web.AppRunner, str]:
    app = web.Application()
    app.router.add_post("/bot{token}/{method}", handler)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    port = free_port()
    await web.TCPSite(runner, "127.0.0.1", port).start()
    return runner, f"http://127.0.0.1:{port}/bot"


@pytest.fixture
async def recording() -> AsyncIterator[tuple[Seen, str]]:
    seen = Seen()

    async def answer(request: web.Request) -> web.Response:
        form = await request.post()
        seen.requests.append(
            {
                "method": request.match_info["method"],
                "type": request.content_type,
                "agent": request.headers.get("User-Agent"),
                "fields": {k: v if isinstance(v, str) else v.file.read() for k, v in form.items()},
            }
        )
        if request.match_info["method"] == "getMe":
            return web.json_response(ME)
        return web.json_response(OK_MESSAGE)

    runner, base_url = await _serve(answer)
    yield seen, base_url
    await runner.cleanup()


async def _send_all(request: BaseRequest, base_url: str) -> None:
    async with Bot(TOKEN, base_url=base_url, request=request) as bot:
        await bot.send_message(42, "Hé 👋 & welcome", reply_markup=None, disable_notification=True)
        await bot.send_document(42, InputFile(b"%PDF-1 tiny", filename="code.pdf"), caption="QR")


async def test_sends_what_ptbs_httpx_request_sends(recording: tuple[Seen, str]) -> None:
    seen, base_url = recording
    await _send_all(HTTPXRequest(), base_url)
    by_httpx = list(seen.requests)
    seen.requests.clear()
    await _send_all(AiohttpRequest(), base_url)

    def comparable(request: dict[str, Any]) -> dict[str, Any]:
        # Each client names its own multipart boundary and its own library in the user agent.
        return {**request, "type": request["type"].split(";")[0]}

    # getMe from `async with Bot`, the message, the document with its file.
    assert [r["method"] for r in seen.requests] == ["getMe", "sendMessage", "sendDocument"]
    assert [comparable(r) for r in seen.requests] == [comparable(r) for r in by_httpx]
    assert seen.requests[2]["type"] == "multipart/form-data"
    assert seen.requests[1]["agent"] == BaseRequest.USER_AGENT


async def test_a_slow_answer_times_out() -> None:
    async def slow(request: web.Request) -> web.Response:
        await asyncio.sleep(2)
        return web.json_response(OK_MESSAGE)

    runner, base_url = await _serve(slow)
    request = AiohttpRequest(read_timeout=0.2)
    await request.initialize()
    try:
        with pytest.raises(TimedOut):
            await request.post(f"{base_url}{TOKEN}/sendMessage", None)
        with pytest.raises(TimedOut):  # a call's own timeout overrides the default
            await AiohttpRequest.post(
                request, f"{base_url}{TOKEN}/sendMessage", None, read_timeout=0.1
            )
    finally:
        await request.shutdown()
        await runner.cleanup()


async def test_a_full_pool_times_out_without_sending() -> None:
    arrived = 0

    async def slow(request: web.Request) -> web.Response:
        nonlocal arrived
        arrived += 1
        await asyncio.sleep(1)
        return web.json_response(OK_MESSAGE)

    runner, base_url = await _serve(slow)
    request = AiohttpRequest(pool_size=1, pool_timeout=0.1, connect_timeout=0.1)
    await request.initialize()
    url = f"{base_url}{TOKEN}/sendMessage"
    try:
        first = asyncio.create_task(request.post(url, None))
        await asyncio.sleep(0.3)
        with pytest.raises(TimedOut, match="Pool timeout"):
            await request.post(url, None)
        await first
        assert arrived == 1, "the call that found no free connection was never sent"
    finally:
        await request.shutdown()
        await runner.cleanup()


async def test_nobody_listening_is_a_network_error() -> None:
    request = AiohttpRequest()
    await request.initialize()
    try:
        with pytest.raises(NetworkError, match="aiohttp"):
            await request.post(f"http://127.0.0.1:{free_port()}/bot{TOKEN}/getMe", None)
    finally:
        await request.shutdown()


async def test_it_opens_again_after_a_shutdown(double: TelegramDouble) -> None:
    request = AiohttpRequest()
    with pytest.raises(RuntimeError, match="not initialized"):
        await request.do_request(f"{double.base_url}{double.token}/getMe", "POST")
    for _ in range(2):
        async with Bot(double.token, base_url=double.base_url, request=request) as bot:
            assert (await bot.get_me()).is_bot
