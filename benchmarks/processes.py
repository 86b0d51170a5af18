"""One city, several processes: the web chat across three colbot processes on PostgreSQL.

Three measurements, each on a fresh database on the given server:

* push: PAGES open pages spread over three `colbot serve` processes (connected straight to
  them); this script is a fourth colbot (build_app on the same database) and keeps one message
  for each page through the web chat channel's own `send_to`, one every few milliseconds.
  Latency runs from just before `send_to` (which commits and NOTIFYs) until the page, on another
  process, has the frame.
* proxy: the same web chat load (SESSIONS pages through Caddy with deploy/Caddyfile, each sending
  a message every 0.6-1.0 s and waiting for the server's word that it took it) in front of one
  process, then of three.
* rolling restart: the three-process load again while each process in turn gets SIGTERM and is
  started again; messages lost, answered twice, and the longest gap a page saw.

    python benchmarks/processes.py --postgres postgresql+asyncpg://user@host:port/db
        [--pages 1000] [--sessions 150] [--duration 20] [--every S] [--runs push,proxy,restart]

Issue 18's load for several processes: `--runs proxy --sessions 1000 --every 3` (the web chat
load of benchmarks/webchat.py, a message every 3 s from each of 1,000 pages).
"""

from __future__ import annotations

import argparse
import asyncio
import secrets
import statistics
import sys
import tempfile
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import aiohttp
from harness import REPOSITORY, add_runs_option, free_port
from load import pg_database
from sqlalchemy.engine import make_url

sys.path.insert(0, str(REPOSITORY))

from colbot.app import build_app
from colbot.chat.messages import Outbound
from colbot.settings import load_settings
from tests.support.pages import PAUSE_S, ReconnectingPage, loopback_address
from tests.support.processes import Processes
from tests.support.proxy import caddy

RUNS = ("push", "proxy", "restart")
CONNECT_BATCH = 50
SEND_GAP_S = 0.005


def _percentiles(values: list[float]) -> tuple[float, float]:
    ordered = sorted(values)
    if not ordered:
        return float("nan"), float("nan")
    return statistics.median(ordered), ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))]


@asynccontextmanager
async def _database(server: str) -> AsyncIterator[str]:
    name = f"colbot_processes_{secrets.token_hex(4)}"
    pg_database(server, "create", name)
    try:
        yield make_url(server).set(database=name).render_as_string(hide_password=False)
    finally:
        pg_database(server, "drop", name)


@asynccontextmanager
async def _city(url: str, count: int, proxy_port: int | None = None) -> AsyncIterator[Processes]:
    folder = Path(tempfile.mkdtemp(prefix="colbot-processes-bench-"))
    city = Processes(folder / "data", count, public_port=proxy_port, database_url=url)
    await city.start()
    try:
        yield city
    finally:
        await city.stop()


@asynccontextmanager
async def _proxied_city(server: str, count: int, proxy_port: int) -> AsyncIterator[str]:
    """`count` processes on a fresh database behind Caddy; yields Caddy's address."""
    async with (
        _database(server) as url,
        _city(url, count, proxy_port) as city,
        caddy(proxy_port, city.ports, city.data_dir.parent / "caddy") as address,
    ):
        yield address


async def _open_page(base: str, number: int) -> tuple[aiohttp.ClientSession, str, object]:
    client = aiohttp.ClientSession(
        cookie_jar=aiohttp.CookieJar(unsafe=True),
        connector=aiohttp.TCPConnector(local_addr=(loopback_address(number), 0)),
    )
    async with client.get(f"{base}/chat") as response:
        await response.read()
    token = next(c.value for c in client.cookie_jar if c.key == "colbot_device")
    ws = await client.ws_connect(f"{base}/chat/ws", headers={"Origin": base})
    await ws.send_json({"type": "hello", "ack": 0})
    return client, token, ws


async def push_run(server: str, pages: int) -> str:
    """A message kept by this process for each of `pages` pages open on three others."""
    from colbot.channels.webchat.channel import chat_id_for

    async with _database(server) as url, _city(url, 3) as city:
        opened = []
        for start in range(0, pages, CONNECT_BATCH):
            opened += await asyncio.gather(
                *(
                    _open_page(city.url(n % 3), n)
                    for n in range(start, min(pages, start + CONNECT_BATCH))
                )
            )
        settings = load_settings(
            {"COLBOT_DATABASE_URL": url, "COLBOT_DATA_DIR": str(city.data_dir)}
        )
        maker = build_app(settings)
        assert maker.webchat is not None
        arrived: dict[str, float] = {}

        async def read(ws: aiohttp.ClientWebSocketResponse, chat_id: str) -> None:
            async for message in ws:
                frame = message.json()
                if frame.get("type") == "message" and frame.get("text", "").startswith("bench"):
                    arrived[chat_id] = time.monotonic()
                    await ws.send_json({"type": "ack", "id": frame["id"]})
                    return

        chats = [chat_id_for(token) for _, token, _ in opened]
        readers = [
            asyncio.create_task(read(ws, chat))  # type: ignore[arg-type]
            for (_, _, ws), chat in zip(opened, chats, strict=True)
        ]
        sent: dict[str, float] = {}
        began = time.monotonic()
        for chat in chats:
            sent[chat] = time.monotonic()
            await maker.webchat.send_to(chat, Outbound(f"bench {chat[:6]}"))
            await asyncio.sleep(SEND_GAP_S)
        await asyncio.wait_for(asyncio.gather(*readers), 60)
        seconds = time.monotonic() - began
        noticed = await city.metric("colbot_webchat_noticed_total")
        await maker.database.dispose()
        for client, _, ws in opened:
            await ws.close()  # type: ignore[attr-defined]
            await client.close()
    p50, p99 = _percentiles([arrived[c] - sent[c] for c in chats])
    line = (
        f"| push from a fourth process to {pages} pages on three | {pages / seconds:.0f}/s "
        f"| {p50 * 1000:.0f} ms | {p99 * 1000:.0f} ms | {len(arrived)} of {pages} arrived, "
        f"{noticed:.0f} pushed on notice |"
    )
    print(line, flush=True)
    return line


async def _load(
    address: str,
    sessions: int,
    duration: float,
    during: object = None,
    pause_s: tuple[float, float] = PAUSE_S,
    refusals_fail: bool = True,
) -> tuple[list[ReconnectingPage], float]:
    tabs = [
        ReconnectingPage(address, n, pause_s=pause_s, refusals_fail=refusals_fail)
        for n in range(sessions)
    ]
    until = asyncio.Event()
    began = time.monotonic()
    talking = [asyncio.create_task(tab.talk(until)) for tab in tabs]
    if during is not None:
        await during()  # type: ignore[operator]
    else:
        await asyncio.sleep(duration)
    until.set()
    await asyncio.wait_for(asyncio.gather(*talking), 120)
    seconds = time.monotonic() - began
    await asyncio.gather(*(tab.close() for tab in tabs))
    return tabs, seconds


async def proxy_runs(
    server: str, sessions: int, duration: float, pause_s: tuple[float, float] = PAUSE_S
) -> list[str]:
    """The same load through Caddy to one process, then three."""
    lines = []
    rates = {}
    print(
        f"{sessions} pages, a message each every {pause_s[0]:g}-{pause_s[1]:g} s "
        f"(offered about {2 * sessions / sum(pause_s):.0f}/s), for {duration:g} s",
        flush=True,
    )
    for count in (1, 3):
        proxy_port = free_port()
        async with _proxied_city(server, count, proxy_port) as address:
            # Offered more than a process's share, it is refused kindly: counted, not a failure.
            tabs, seconds = await _load(
                address, sessions, duration, pause_s=pause_s, refusals_fail=False
            )
        latencies = [value for tab in tabs for value in tab.latencies]
        p50, p99 = _percentiles(latencies)
        rates[count] = len(latencies) / seconds
        # Past a process's city-wide share (webchat's CITY_WIDE).
        refused = sum(len(tab.refused) for tab in tabs)
        lines.append(
            f"| through Caddy, {count} process{'es' if count > 1 else ''} | "
            f"{rates[count]:.0f}/s | {p50 * 1000:.0f} ms | {p99 * 1000:.0f} ms | {sessions} pages "
            f"| {refused} refused |"
        )
        print(lines[-1], flush=True)
    lines.append(f"three processes against one: {rates[3] / rates[1]:.2f}x the rate")
    print(lines[-1], flush=True)
    return lines


async def restart_run(server: str, sessions: int, duration: float) -> list[str]:
    """The three-process load while each process in turn is stopped and started again."""
    lines = []
    proxy_port = free_port()
    async with _database(server) as url, _city(url, 3, proxy_port) as city:
        caddy_home = city.data_dir.parent / "caddy"
        async with caddy(proxy_port, city.ports, caddy_home) as address:

            async def restarts() -> None:
                await asyncio.sleep(duration / 4)
                for index in range(3):
                    await city.restart(index)
                    await asyncio.sleep(duration / 4)

            tabs, seconds = await _load(address, sessions, duration, restarts)
    sent = sum(tab.next_seq - 1 for tab in tabs)
    lost = sum(len(set(range(1, tab.next_seq)) - tab.taken) for tab in tabs)
    twice = sum(max(0, len(tab.shown) - (tab.next_seq - 1)) for tab in tabs)
    short = sum(max(0, (tab.next_seq - 1) - len(tab.shown)) for tab in tabs)
    gap = max(tab.longest_gap_s for tab in tabs)
    p50, p99 = _percentiles([value for tab in tabs for value in tab.latencies])
    lines.append(
        f"| rolling restart of 3 under the load | {sent} messages in {seconds:.0f} s "
        f"| p50 {p50 * 1000:.0f} ms, p99 {p99 * 1000:.0f} ms | lost {lost + short}, answered twice "
        f"{twice}, {sum(tab.reconnects for tab in tabs)} reconnects, longest gap {gap:.2f} s |"
    )
    print(lines[-1], flush=True)
    return lines


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--postgres", required=True, help="a PostgreSQL server URL to use")
    parser.add_argument("--pages", type=int, default=1000)
    parser.add_argument("--sessions", type=int, default=150)
    parser.add_argument("--duration", type=float, default=20.0)
    parser.add_argument(
        "--every",
        type=float,
        help="seconds between one page's messages, with 20%% jitter (default: 0.6-1.0 s)",
    )
    add_runs_option(parser, RUNS, in_order=False)
    args = parser.parse_args()
    runs = args.runs
    pause_s = PAUSE_S if args.every is None else (args.every * 0.8, args.every * 1.2)
    if "push" in runs:
        await push_run(args.postgres, args.pages)
    if "proxy" in runs:
        await proxy_runs(args.postgres, args.sessions, args.duration, pause_s)
    if "restart" in runs:
        await restart_run(args.postgres, args.sessions, args.duration)


if __name__ == "__main__":
    asyncio.run(main())
