"""How does the web chat hold up with many young people chatting at once?

Starts colbot (demo city, temporary folder) on a free port, opens SESSIONS web chat sessions
(page for the cookie, then the WebSocket), and has each send /help every INTERVAL seconds, with
jitter, for DURATION seconds. A reply's latency runs from sending to the server's word that it
took the message (its replies are pushed before that). Prints replies per second and p50/p99,
beside the same load sent to the engine directly (the test double every channel shares).
The Telegram channel's figures come from benchmarks under the Telegram double; not run here.

    python benchmarks/webchat.py [--sessions 1000] [--interval 3] [--duration 20]
"""

from __future__ import annotations

import argparse
import asyncio
import random
import socket
import statistics
import tempfile
import time
from pathlib import Path

import aiohttp

from colbot.app import build_app
from colbot.core.messages import Inbound, InboundKind
from colbot.settings import load_settings

CONNECT_BATCH = 50


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _report(name: str, latencies: list[float], seconds: float) -> None:
    ordered = sorted(latencies)
    p99 = ordered[int(len(ordered) * 0.99) - 1] if ordered else float("nan")
    print(
        f"{name:>12}: {len(ordered) / seconds:8.1f} replies/s  "
        f"p50 {statistics.median(ordered) * 1000:7.1f} ms  p99 {p99 * 1000:7.1f} ms  "
        f"({len(ordered)} replies)"
    )


async def _session(
    session: aiohttp.ClientSession, base: str, interval: float, until: float, out: list[float]
) -> None:
    ws = await session.ws_connect(f"{base}/chat/ws", headers={"Origin": base})
    await ws.send_json({"type": "hello", "ack": 0})
    seq = 0
    await asyncio.sleep(random.uniform(0, interval))
    while time.monotonic() < until:
        seq += 1
        started = time.monotonic()
        await ws.send_json({"type": "text", "text": "/help", "seq": seq})
        while True:
            frame = await ws.receive_json()
            if frame["type"] == "message":
                await ws.send_json({"type": "ack", "id": frame["id"]})
            elif frame["type"] in {"taken", "refused"} and frame["seq"] == seq:
                break
        out.append(time.monotonic() - started)
        await asyncio.sleep(max(0.0, interval * random.uniform(0.8, 1.2)))
    await ws.close()


async def main(sessions: int, interval: float, duration: float) -> None:
    folder = Path(tempfile.mkdtemp(prefix="colbot-webchat-bench-"))
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    settings = load_settings({}, data_dir=folder, port=port, public_url=base)
    app = build_app(settings, demo=True)
    await app.start()
    try:
        clients = [
            aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True))
            for _ in range(sessions)
        ]
        for start in range(0, sessions, CONNECT_BATCH):
            batch = clients[start : start + CONNECT_BATCH]
            await asyncio.gather(*(c.get(f"{base}/chat") for c in batch))
        web: list[float] = []
        began = time.monotonic()
        until = began + duration
        await asyncio.gather(*(_session(c, base, interval, until, web) for c in clients))
        _report("webchat", web, time.monotonic() - began)
        await asyncio.gather(*(c.close() for c in clients))

        direct: list[float] = []

        async def person(number: int) -> None:
            await asyncio.sleep(random.uniform(0, interval))
            while time.monotonic() < stop:
                started = time.monotonic()
                await app.engine.handle(
                    Inbound("console", f"bench-{number}", InboundKind.COMMAND, "/help", "help")
                )
                direct.append(time.monotonic() - started)
                await asyncio.sleep(max(0.0, interval * random.uniform(0.8, 1.2)))

        began = time.monotonic()
        stop = began + duration
        await asyncio.gather(*(person(n) for n in range(sessions)))
        _report("engine", direct, time.monotonic() - began)
    finally:
        await app.stop()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sessions", type=int, default=1000)
    parser.add_argument("--interval", type=float, default=3.0)
    parser.add_argument("--duration", type=float, default=20.0)
    arguments = parser.parse_args()
    asyncio.run(main(arguments.sessions, arguments.interval, arguments.duration))
