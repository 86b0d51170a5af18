"""A web chat page as the real one behaves: numbered messages, replies shown once and acked."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import aiohttp

REPLY_TIMEOUT_S = 20.0


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

    def __post_init__(self) -> None:
        # Each page on its own loopback address, as pupils at different homes would be.
        self.http = aiohttp.ClientSession(
            cookie_jar=aiohttp.CookieJar(unsafe=True),
            connector=aiohttp.TCPConnector(local_addr=(f"127.0.0.{10 + self.number}", 0)),
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
        while seq not in self.taken:
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
            elif frame["type"] == "refused":
                raise AssertionError(f"page {self.number} refused: {frame}")

    async def close(self) -> None:
        if self.ws is not None:
            await self.ws.close()
        await self.http.close()
