"""A web chat page as the real one behaves: numbered messages, replies shown once and acked."""

from __future__ import annotations

import asyncio
import random
import time
from dataclasses import dataclass, field
from typing import Any

import aiohttp

REPLY_TIMEOUT_S = 20.0
ADDRESSES_PER_BLOCK = 240
# A message every 0.6-1.0 s per page: under the per-device limit (20 in 10 s).
PAUSE_S = (0.6, 1.0)


def loopback_address(number: int) -> str:
    """A loopback address of its own for page `number` (127.0.0.10 on), as for another home."""
    return f"127.0.{number // ADDRESSES_PER_BLOCK}.{10 + number % ADDRESSES_PER_BLOCK}"


class Dropped(Exception):
    """The socket closed under the page."""


@dataclass
class Page:
    """One browser tab on the chat: its cookie jar, its numbered messages, what it was shown."""

    base: str
    number: int
    http: aiohttp.ClientSession = field(init=False)
    ws: aiohttp.ClientWebSocketResponse | None = None
    next_seq: int = 1
    taken: set[int] = field(default_factory=set)
    shown: dict[int, str] = field(default_factory=dict)
    last_id: int = 0
    # A refusal (a fair-share limit) fails a test; a benchmark offering more than a process's
    # share counts them, and the page, as the real one does, moves on without resending.
    refusals_fail: bool = True
    refused: set[int] = field(default_factory=set)

    def __post_init__(self) -> None:
        # Each page on its own loopback address, as pupils at different homes would be.
        self.http = aiohttp.ClientSession(
            cookie_jar=aiohttp.CookieJar(unsafe=True),
            connector=aiohttp.TCPConnector(local_addr=(loopback_address(self.number), 0)),
        )

    async def connect(self) -> None:
        """Opens the chat page (for its cookie) and the socket, acking what it has shown."""
        async with self.http.get(f"{self.base}/chat") as response:
            assert response.status == 200
        self.ws = await self.http.ws_connect(f"{self.base}/chat/ws", headers={"Origin": self.base})
        await self.ws.send_json({"type": "hello", "ack": self.last_id})

    async def send(self, seq: int) -> None:
        assert self.ws is not None
        await self.ws.send_json({"type": "text", "seq": seq, "text": f"hello {self.number}.{seq}"})

    async def read_until_taken(self, seq: int) -> None:
        """Shows and acks replies until the server says it took message `seq`."""
        assert self.ws is not None
        while seq not in self.taken and seq not in self.refused:
            message = await self.ws.receive(timeout=REPLY_TIMEOUT_S)
            if message.type != aiohttp.WSMsgType.TEXT:
                raise Dropped(message.type)
            frame: dict[str, Any] = message.json()
            if frame["type"] == "message" and frame["id"] > self.last_id:
                self.shown[frame["id"]] = frame.get("text", "")
                self.last_id = frame["id"]
                await self.ws.send_json({"type": "ack", "id": frame["id"]})
            elif frame["type"] == "taken":
                self.taken.add(frame["seq"])
            elif frame["type"] == "refused" and self.refusals_fail:
                raise AssertionError(f"page {self.number} refused: {frame}")
            elif frame["type"] == "refused":
                self.refused.add(frame.get("seq"))

    async def close(self) -> None:
        if self.ws is not None:
            await self.ws.close()
        await self.http.close()


@dataclass
class ReconnectingPage(Page):
    """A page through the proxy that reconnects whenever its socket drops."""

    reconnects: int = 0
    longest_gap_s: float = 0.0
    pause_s: tuple[float, float] = PAUSE_S
    # From first sending each message to the server's word that it took it, in seconds.
    latencies: list[float] = field(default_factory=list)

    async def talk(self, until: asyncio.Event) -> None:
        """Sends a message at a time until told to stop, reconnecting through drops."""
        dropped_at: float | None = None
        first_sent: float | None = None
        while not (until.is_set() and self.next_seq - 1 in self.taken | self.refused):
            try:
                if self.ws is None or self.ws.closed:
                    await self.connect()
                seq = self.next_seq
                first_sent = first_sent or time.monotonic()
                await self.send(seq)
                await self.read_until_taken(seq)
                if seq in self.taken:
                    self.latencies.append(time.monotonic() - first_sent)
                first_sent = None
                if dropped_at is not None:
                    gap = time.monotonic() - dropped_at
                    self.longest_gap_s = max(self.longest_gap_s, gap)
                    dropped_at = None
                self.next_seq += 1
                if not until.is_set():
                    await asyncio.sleep(random.uniform(*self.pause_s))
            except (Dropped, aiohttp.ClientError, ConnectionError):
                if dropped_at is None:
                    dropped_at = time.monotonic()
                    self.reconnects += 1
                await asyncio.sleep(0.1)
