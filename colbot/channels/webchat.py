"""The web chat channel: WebSocket frames in and out, kept in the database until acknowledged."""

from __future__ import annotations

import base64
import hashlib
import logging
from collections import deque
from collections.abc import Callable
from typing import Any

from aiohttp import web
from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from colbot.clock import Clock
from colbot.core.engine import ChatLocks, Engine
from colbot.core.messages import Attachment, Button, Inbound, InboundKind, Outbound
from colbot.storage.database import Database
from colbot.storage.models import WebChatInbound, WebChatMessage

log = logging.getLogger(__name__)

CHANNEL = "webchat"
MIN_AGE = 13
CHAT_ID_LENGTH = 32
MAX_TEXT_BYTES = 2000
RATE_WINDOW_S = 10.0
RATE_MAX_MESSAGES = 20


def chat_id_for(device_token: str) -> str:
    """The chat identity of a device; the token itself is never stored."""
    return hashlib.sha256(device_token.encode()).hexdigest()[:CHAT_ID_LENGTH]


def _button(button: Button) -> dict[str, str]:
    return {"label": button.label, "data": button.data, "url": button.url}


def _attachment(attachment: Attachment) -> dict[str, str]:
    return {
        "filename": attachment.filename,
        "mime_type": attachment.mime_type,
        "base64": base64.b64encode(attachment.content).decode("ascii"),
    }


def to_payload(outbound: Outbound) -> dict[str, Any]:
    """Renders one message for the page: text, chips, links, and attachments carried inline."""
    payload: dict[str, Any] = {
        "text": outbound.text,
        "buttons": [[_button(b) for b in row] for row in outbound.buttons],
        "links": [_button(b) for b in outbound.links],
    }
    if outbound.image is not None:
        payload["image"] = _attachment(outbound.image)
    if outbound.file is not None:
        payload["file"] = _attachment(outbound.file)
    if outbound.menu is not None:
        payload["menu"] = [list(item) for item in outbound.menu]
    if outbound.location_button:
        payload["location_button"] = outbound.location_button
    return payload


def to_inbound(chat_id: str, frame: dict[str, Any]) -> Inbound | None:
    """Reads one frame from the page: typed text, a slash command or a tapped chip."""
    common: dict[str, Any] = {"channel": CHANNEL, "chat_id": chat_id}
    kind = frame.get("type")
    if kind == "button" and isinstance(frame.get("data"), str):
        return Inbound(kind=InboundKind.BUTTON, button_data=frame["data"], **common)
    if kind == "location":
        lat, lon = frame.get("latitude"), frame.get("longitude")
        if isinstance(lat, int | float) and isinstance(lon, int | float):
            return Inbound(
                kind=InboundKind.LOCATION, latitude=float(lat), longitude=float(lon), **common
            )
        return None
    if kind == "other" and isinstance(frame.get("other"), str):
        return Inbound(kind=InboundKind.OTHER, other=frame["other"], **common)
    if kind != "text" or not isinstance(frame.get("text"), str):
        return None
    text = frame["text"].strip()
    if text.startswith("/") and len(text) > 1:
        command, *args = text[1:].split()
        return Inbound(
            kind=InboundKind.COMMAND, text=text, command=command.lower(), args=tuple(args), **common
        )
    return Inbound(kind=InboundKind.TEXT, text=text, **common)


class RateLimit:
    """At most a few messages in a sliding window, per open session."""

    def __init__(self, monotonic: Callable[[], float], most: int = RATE_MAX_MESSAGES) -> None:
        self._monotonic = monotonic
        self.most = most
        self._times: deque[float] = deque()

    def allow(self) -> bool:
        """Counts one message, saying whether it fits the window."""
        now = self._monotonic()
        while self._times and now - self._times[0] > RATE_WINDOW_S:
            self._times.popleft()
        if len(self._times) >= self.most:
            return False
        self._times.append(now)
        return True


class WebChatChannel:
    """Talks to the engine for web chat devices; replies wait in the database until acked."""

    def __init__(self, engine: Engine, database: Database, clock: Clock) -> None:
        self.engine = engine
        self.database = database
        self.clock = clock
        self.sockets: dict[str, set[web.WebSocketResponse]] = {}
        self.locks = ChatLocks()
        self.rate_max_messages = RATE_MAX_MESSAGES

    def render(self, key: str) -> str:
        """One line of the web chat's wording."""
        return self.engine.content.render(key, **self.engine.base_context)

    async def take(self, chat_id: str, frame: dict[str, Any]) -> None:
        """Handles one message from a device once, however often a reconnecting page resends it."""
        seq = frame.get("seq")
        if not isinstance(seq, int):
            return

        async def work() -> None:
            async with self.database.transaction() as session:
                row = await session.get(WebChatInbound, chat_id)
                if row is not None and seq <= row.last_seq:
                    return
                if row is None:
                    session.add(WebChatInbound(chat_id=chat_id, last_seq=seq))
                else:
                    row.last_seq = seq
            inbound = to_inbound(chat_id, frame)
            replies = await self.engine.handle(inbound) if inbound is not None else []
            await self._store(chat_id, replies)

        await self.locks.run((CHANNEL, chat_id), work)
        await self.push(chat_id)
        await self._notify(chat_id, {"type": "taken", "seq": seq})

    async def send_to(self, chat_id: str, outbound: Outbound) -> None:
        """Keeps a message colbot started itself (the outbox); pushes it if the page is open."""
        await self._store(chat_id, [outbound])
        await self.push(chat_id)

    async def store_in(self, session: AsyncSession, chat_id: str, outbound: Outbound) -> None:
        """Keeps an outbox message in the outbox's own transaction, so it is kept exactly once."""
        if outbound.text or outbound.image or outbound.file or outbound.menu is not None:
            session.add(
                WebChatMessage(
                    chat_id=chat_id, payload=to_payload(outbound), created_at=self.clock.now()
                )
            )

    async def _store(self, chat_id: str, replies: list[Outbound]) -> None:
        shown = [r for r in replies if r.text or r.image or r.file or r.menu is not None]
        if not shown:
            return
        now = self.clock.now()
        async with self.database.transaction() as session:
            for outbound in shown:
                session.add(
                    WebChatMessage(chat_id=chat_id, payload=to_payload(outbound), created_at=now)
                )

    async def ack(self, chat_id: str, upto: int) -> None:
        """Forgets the messages the page says it has shown."""
        async with self.database.transaction() as session:
            await session.execute(
                delete(WebChatMessage).where(
                    WebChatMessage.chat_id == chat_id, WebChatMessage.id <= upto
                )
            )

    async def pending(self, chat_id: str) -> list[dict[str, Any]]:
        """Frames for the messages the page has not acknowledged yet, in order."""
        async with self.database.reading() as session:
            result = await session.execute(
                select(WebChatMessage.id, WebChatMessage.payload)
                .where(WebChatMessage.chat_id == chat_id)
                .order_by(WebChatMessage.id)
            )
            return [{"type": "message", "id": id_, **payload} for id_, payload in result]

    async def push(self, chat_id: str, only: web.WebSocketResponse | None = None) -> None:
        """Sends every unacknowledged message to the chat's open pages; the page drops repeats."""
        sockets = [only] if only is not None else list(self.sockets.get(chat_id, ()))
        if not sockets:
            return
        messages = await self.pending(chat_id)
        for ws in sockets:
            for frame in messages:
                if ws.closed:
                    break
                await ws.send_json(frame)

    async def _notify(self, chat_id: str, frame: dict[str, Any]) -> None:
        for ws in list(self.sockets.get(chat_id, ())):
            if not ws.closed:
                await ws.send_json(frame)

    def opened(self, chat_id: str, ws: web.WebSocketResponse) -> None:
        """Remembers an open page so replies and reminders reach it at once."""
        self.sockets.setdefault(chat_id, set()).add(ws)

    def closed(self, chat_id: str, ws: web.WebSocketResponse) -> None:
        """Forgets a page whose connection ended."""
        sockets = self.sockets.get(chat_id)
        if sockets is None:
            return
        sockets.discard(ws)
        if not sockets:
            del self.sockets[chat_id]
