"""Clients that trickle their headers or body, or send malformed ones: no hold, no page."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator
from pathlib import Path

import aiohttp
import pytest
from aiohttp import web

from colbot.app import Colbot, build_app
from colbot.clock import FrozenClock
from colbot.settings import Settings
from colbot.web.server import make_web_app
from colbot.web.slow_clients import TIMEOUTS_KEY, TOO_SLOW, ClientTimeouts
from tests.support.demo import copy_demo, free_port

QUICK = ClientTimeouts(headers_s=0.5, body_grace_s=0.5, slowest_body_bytes_per_s=10**9)


@pytest.fixture
async def serving(
    settings: Settings, clock: FrozenClock, demo_database: Path
) -> AsyncIterator[Colbot]:
    """colbot serving on loopback, with timeouts short enough to wait out in a test."""
    copy_demo(settings.data_dir, demo_database)
    app = build_app(settings, clock=clock)
    app.web_app[TIMEOUTS_KEY] = QUICK
    await app.start()
    try:
        yield app
    finally:
        await app.stop()


async def read_all_or_reset(reader: asyncio.StreamReader) -> bytes:
    """What the server sent before it closed the connection."""
    try:
        return await asyncio.wait_for(reader.read(), timeout=10)
    except ConnectionResetError:
        return b""


async def close(writer: asyncio.StreamWriter) -> None:
    """Closes our end, whether or not colbot already closed its own."""
    writer.close()
    with contextlib.suppress(ConnectionError):
        await writer.wait_closed()


async def test_headers_trickled_a_byte_at_a_time_are_cut_off(serving: Colbot) -> None:
    settings = serving.settings
    reader, writer = await asyncio.open_connection(settings.host, settings.port)
    request = b"GET /healthz HTTP/1.1\r\nHost: colbot\r\nX-Slow: "
    sent = 0
    try:
        for byte in request:
            writer.write(bytes([byte]))
            await writer.drain()
            sent += 1
            # Each pause alone is a tenth of the headers' allowance, so colbot hangs up midway.
            await asyncio.sleep(QUICK.headers_s / 10)
            if reader.at_eof():
                break
    except ConnectionError:
        pass
    assert await read_all_or_reset(reader) == b""
    assert sent < len(request)
    await close(writer)
    url = f"http://{settings.host}:{settings.port}/healthz"
    async with aiohttp.ClientSession() as client, client.get(url) as response:
        assert response.status == 200


async def test_a_body_trickled_too_slowly_gets_a_kind_408(serving: Colbot) -> None:
    settings = serving.settings
    reader, writer = await asyncio.open_connection(settings.host, settings.port)
    writer.write(
        b"POST /verify HTTP/1.1\r\nHost: colbot\r\n"
        b"Content-Type: application/x-www-form-urlencoded\r\nContent-Length: 100\r\n\r\nurl="
    )
    await writer.drain()
    head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), timeout=10)
    length = int(
        next(line for line in head.split(b"\r\n") if line.startswith(b"Content-Length")).split(
            b":"
        )[1]
    )
    body = await asyncio.wait_for(reader.readexactly(length), timeout=10)
    await close(writer)
    assert head.startswith(b"HTTP/1.1 408")
    assert b"Connection: close" in head
    assert body == TOO_SLOW.encode()


async def test_a_handler_slower_than_the_body_deadline_is_not_cut_short() -> None:
    """The deadline is for the body arriving; once it has, the handler may take its time."""

    async def slow_echo(request: web.Request) -> web.Response:
        body = await request.read()
        await asyncio.sleep(QUICK.body_grace_s * 2)
        return web.Response(body=body)

    app = make_web_app(database=None, timeouts=QUICK)  # type: ignore[arg-type]
    app.router.add_post("/echo", slow_echo)
    runner = web.AppRunner(app)
    await runner.setup()
    port = free_port()
    await web.TCPSite(runner, "127.0.0.1", port).start()
    try:
        url = f"http://127.0.0.1:{port}/echo"
        async with aiohttp.ClientSession() as client, client.post(url, data=b"x" * 5000) as answer:
            assert answer.status == 200
            assert await answer.read() == b"x" * 5000
    finally:
        await runner.cleanup()


async def test_oversized_headers_are_refused_without_an_error_in_the_log(
    serving: Colbot, caplog: pytest.LogCaptureFixture
) -> None:
    settings = serving.settings
    caplog.set_level(logging.INFO, logger="aiohttp.server")
    reader, writer = await asyncio.open_connection(settings.host, settings.port)
    writer.write(b"GET /healthz HTTP/1.1\r\nHost: colbot\r\nX-Big: " + b"a" * 20_000 + b"\r\n\r\n")
    await writer.drain()
    answer = await read_all_or_reset(reader)
    await close(writer)
    assert answer.startswith(b"HTTP/1.0 400") or answer.startswith(b"HTTP/1.1 400")
    server_records = [each for each in caplog.records if each.name == "aiohttp.server"]
    assert server_records, "the refusal is still logged, as one line"
    assert all(each.levelno < logging.WARNING for each in server_records)
    assert all(each.exc_info is None for each in server_records)
    assert "LineTooLong" in server_records[-1].getMessage()
