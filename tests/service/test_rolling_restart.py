"""A rolling restart of three `colbot serve` processes behind Caddy (deploy/Caddyfile), under load.

Pages keep talking through the proxy the way the real page does: numbered messages, resent
after a reconnect until the server says it took them, replies acknowledged and shown once by
number. Each process in turn gets SIGTERM (as systemd sends it), finishes what it holds, tells
its pages to reconnect and is started again. Every message is then answered exactly once.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path

import aiohttp
import pytest

from tests.support import databases, pages
from tests.support.demo import free_port
from tests.support.processes import Processes
from tests.support.proxy import caddy

pytestmark = databases.SEVERAL_PROCESSES

PROCESSES = 3
PAGES = 18
SETTLE_S = 2.0


@pytest.fixture
async def city(tmp_path: Path) -> AsyncIterator[tuple[Processes, str]]:
    """Three processes behind Caddy on one address."""
    proxy_port = free_port()
    processes = Processes(tmp_path / "data", PROCESSES, public_port=proxy_port)
    try:
        await processes.start()
        async with caddy(proxy_port, processes.ports, tmp_path / "caddy") as address:
            yield processes, address
    finally:
        await processes.stop()


async def test_a_rolling_restart_under_load_loses_nothing_and_answers_nothing_twice(
    city: tuple[Processes, str],
) -> None:
    processes, address = city
    async with aiohttp.ClientSession() as client, client.get(f"{address}/readyz") as ready:
        assert (await ready.json())["processes"] == f"one of {PROCESSES}"
    tabs = [pages.ReconnectingPage(address, number) for number in range(PAGES)]
    until = asyncio.Event()
    talking = [asyncio.create_task(page.talk(until)) for page in tabs]
    try:
        await asyncio.sleep(SETTLE_S)
        for index in range(PROCESSES):
            await processes.restart(index)
            await asyncio.sleep(SETTLE_S)
        until.set()
        await asyncio.wait_for(asyncio.gather(*talking), 120)
    finally:
        until.set()
        for task in talking:
            task.cancel()
        await asyncio.gather(*talking, return_exceptions=True)
        await asyncio.gather(*(page.close() for page in tabs))
    sent = sum(page.next_seq - 1 for page in tabs)
    for page in tabs:
        assert page.taken == set(range(1, page.next_seq)), f"page {page.number} lost a message"
        assert len(page.shown) == page.next_seq - 1, (
            f"page {page.number} sent {page.next_seq - 1} messages and was answered "
            f"{len(page.shown)} times"
        )
    assert sum(page.reconnects for page in tabs) > 0, "the restarts moved pages"
    print(
        f"\n{sent} messages from {PAGES} pages over a rolling restart of {PROCESSES} processes: "
        f"lost 0, answered twice 0; {sum(p.reconnects for p in tabs)} reconnects, longest gap "
        f"{max(p.longest_gap_s for p in tabs):.2f} s"
    )
