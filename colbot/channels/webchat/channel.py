"""The web chat channel: WebSocket frames in and out, kept in the database until acknowledged."""

from __future__ import annotations

import asyncio
import hashlib
import logging
import secrets
import time
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from aiohttp import WSCloseCode, web
from sqlalchemy import bindparam, delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from colbot import metrics
from colbot.channels.webchat import moves as device_moves
from colbot.channels.webchat.move_codes import (
    FAILURE_WINDOW,
    MOVE_CODE_TTL,
    move_link,
    read_move_code,
)
from colbot.channels.webchat.moves import Moved, MoveOutcome
from colbot.chat.engine import ChatLocks, Engine, conversation_lock
from colbot.chat.messages import Attachment, Button, Inbound, InboundKind, Outbound
from colbot.clock import Clock
from colbot.delivery.web_push import WebPusher
from colbot.runtime import notices
from colbot.storage.database import Database
from colbot.storage.models import ConversationState, WebChatFile, WebChatInbound, WebChatMessage
from colbot.storage.models.webchat import WEB_CHAT_CHANNEL
from colbot.storage.upsert import CompiledOnce, InsertOf
from colbot.web.ratelimit import ClientLimits

log = logging.getLogger(__name__)

CHANNEL = WEB_CHAT_CHANNEL
MIN_AGE = 13
CHAT_ID_LENGTH = 32
MAX_TEXT_BYTES = 2000
MOVE_FAILURES_PER_ADDRESS = 10
UNSEEN_KEPT = timedelta(days=30)
MOVE_COMMAND = "move"
FILES_PATH = "/chat/files"
FILE_TOKEN_BYTES = 24
FILENAME_MAX = 200
# The PostgreSQL channel on which a process says it kept a message for a chat ("ORIGIN CHAT").
KEPT_NOTICES = "colbot_webchat"


@dataclass(frozen=True)
class KeptFile:
    """A kept picture or file, as its chat's browser fetches it."""

    filename: str
    mime_type: str
    content: bytes


def chat_id_for(device_token: str) -> str:
    """The chat identity of a device; the token itself is never stored."""
    return hashlib.sha256(device_token.encode()).hexdigest()[:CHAT_ID_LENGTH]


def is_move(inbound: Inbound) -> bool:
    """Whether a message asks for a move code or types one (the web chat's own command)."""
    return inbound.kind is InboundKind.COMMAND and inbound.command == MOVE_COMMAND


def _shows_anything(outbound: Outbound) -> bool:
    """Whether a message has something for the page to show (a bare menu update counts)."""
    return bool(outbound.text or outbound.image or outbound.file or outbound.menu is not None)


def _button(button: Button) -> dict[str, str]:
    return {"label": button.label, "data": button.data, "url": button.url}


def file_url(token: str) -> str:
    """Where the chat's own browser fetches a kept picture or file."""
    return f"{FILES_PATH}/{token}"


def _attachment(attachment: Attachment, token: str) -> dict[str, str]:
    return {
        "filename": attachment.filename,
        "mime_type": attachment.mime_type,
        "url": file_url(token),
    }


def to_payload(outbound: Outbound, tokens: Mapping[str, str]) -> dict[str, Any]:
    """Renders one message for the page: text, chips, links, and its kept files' addresses."""
    payload: dict[str, Any] = {
        "text": outbound.text,
        "buttons": [[_button(b) for b in row] for row in outbound.buttons],
        "links": [_button(b) for b in outbound.links],
    }
    if outbound.image is not None:
        payload["image"] = _attachment(outbound.image, tokens["image"])
    if outbound.file is not None:
        payload["file"] = _attachment(outbound.file, tokens["file"])
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


def _note_seq(insert: InsertOf) -> Any:
    noting = insert(WebChatInbound).values(chat_id=bindparam("chat_id"), last_seq=bindparam("seq"))
    return noting.on_conflict_do_update(
        index_elements=[WebChatInbound.chat_id],
        set_={"last_seq": noting.excluded.last_seq},
        where=WebChatInbound.last_seq < noting.excluded.last_seq,
    ).returning(WebChatInbound.chat_id)


# A message's number, noted on every message, so compiled once (see CompiledOnce).
NOTE_SEQ = CompiledOnce(_note_seq)


class _HandledOnce:
    """A page's message is handled once: its number is noted in the same transaction as its
    handling and replies, so a kill before the commit leaves the resend to be handled."""

    def __init__(self, channel: WebChatChannel, chat_id: str, seq: int) -> None:
        self.channel = channel
        self.chat_id = chat_id
        self.seq = seq

    async def seen_before(self, session: AsyncSession, hold: tuple[str, ...]) -> bool:
        """Whether the page sent this message before; if not, it is noted as taken now."""
        await self.channel.database.hold(session, *hold)
        # One statement: a row comes back only when this number is new (inserted or raised).
        taken = await session.scalar(NOTE_SEQ(session), {"chat_id": self.chat_id, "seq": self.seq})
        if taken is None:
            return True
        await self.channel.forget_acked(self.chat_id, session)
        return False

    async def keep(self, session: AsyncSession, replies: list[Outbound]) -> None:
        """Keeps the replies for the page in the turn's own transaction."""
        now = self.channel.clock.now()
        for outbound in replies:
            if _shows_anything(outbound):
                await self.channel._keep(session, self.chat_id, outbound, now)


class WebChatChannel:
    """Talks to the engine for web chat devices; replies wait in the database until acked."""

    def __init__(
        self,
        engine: Engine,
        database: Database,
        clock: Clock,
        pusher: WebPusher | None = None,
        origin: str = "",
    ) -> None:
        self.engine = engine
        self.database = database
        self.clock = clock
        self.pusher = pusher
        # This process's name in the notices it sends, so it needn't act on its own.
        self.origin = origin
        self.pushes = ChatLocks()
        self._heard: set[asyncio.Task[None]] = set()
        # The newest message each chat was notified of, so that one message rings once.
        self.rung: dict[str, int] = {}
        self.sockets: dict[str, set[web.WebSocketResponse]] = {}
        self.locks = ChatLocks()
        # Wrong move codes per network address, so one guesser can't spend the city's allowance.
        self.move_failures = ClientLimits(
            MOVE_FAILURES_PER_ADDRESS, FAILURE_WINDOW.total_seconds(), time.monotonic
        )
        self._known: set[str] = set()
        self.acked: dict[str, int] = {}

    def render(self, key: str, **context: Any) -> str:
        """One line of the web chat's wording."""
        return self.engine.content.render(key, **self.engine.base_context, **context)

    @property
    def chat_url(self) -> str:
        """The chat page's public address, as the engine hands it out."""
        return str(self.engine.base_context.get("web_chat_url", "/chat"))

    async def known(self, chat_id: str) -> bool:
        """Whether a device already has a chat here (a device from before tokens were signed)."""
        if chat_id in self._known:
            return True
        async with self.database.reading() as session:
            found = await session.scalar(
                select(WebChatInbound.chat_id).where(WebChatInbound.chat_id == chat_id)
            ) or await session.scalar(
                select(ConversationState.chat_id).where(
                    ConversationState.channel == CHANNEL, ConversationState.chat_id == chat_id
                )
            )
        if found:
            self._known.add(chat_id)
        return bool(found)

    async def forget_unseen(self, now: datetime) -> None:
        """Replies no page came back for are not kept for ever."""
        async with self.database.transaction() as session:
            await session.execute(
                delete(WebChatMessage).where(WebChatMessage.created_at < now - UNSEEN_KEPT)
            )

    async def take(
        self,
        chat_id: str,
        frame: dict[str, Any],
        device: str | None = None,
        address: str = "",
    ) -> None:
        """Handles one message from a device once, however often a reconnecting page resends it."""
        seq = frame.get("seq")
        if not isinstance(seq, int):
            return
        moved: Moved | None = None

        async def work() -> None:
            nonlocal moved
            inbound = to_inbound(chat_id, frame)
            once = _HandledOnce(self, chat_id, seq)
            if inbound is not None and not (device is not None and is_move(inbound)):
                await self.engine.handle(inbound, once)
                return
            async with self.database.transaction() as session:
                if await once.seen_before(session, conversation_lock(CHANNEL, chat_id)):
                    return
                if device is not None and inbound is not None:
                    moved = await self._move(session, device, chat_id, inbound.args, seq, address)

        await self.locks.run((CHANNEL, chat_id), work)
        await self.push(chat_id)
        await self._notify(chat_id, {"type": "taken", "seq": seq})
        if moved is not None and moved.outcome is MoveOutcome.MOVED:
            await self._resume(moved.chat_id)
            await self._hand_over(moved)

    async def ask_again(self, chat_id: str) -> None:
        """A reloaded page: the open question again, with buttons that work (nothing else)."""
        again = Inbound(kind=InboundKind.RESUME, channel=CHANNEL, chat_id=chat_id)

        async def work() -> None:
            await self._store(chat_id, await self.engine.handle(again))

        await self.locks.run((CHANNEL, chat_id), work)
        await self.push(chat_id)

    async def menu(self, chat_id: str) -> dict[str, Any]:
        """The frame that fills the page's command menu with what this chat's speaker may use."""
        commands = await self.engine.menu_of(CHANNEL, chat_id)
        return {"type": "menu", "commands": [list(item) for item in commands]}

    async def _resume(self, chat_id: str) -> None:
        """Asks the moved chat's open question again, so the new browser sees where they were."""
        start = Inbound(
            kind=InboundKind.COMMAND,
            text="/start",
            command="start",
            channel=CHANNEL,
            chat_id=chat_id,
        )

        async def work() -> None:
            await self._store(chat_id, await self.engine.handle(start))

        await self.locks.run((CHANNEL, chat_id), work)

    async def _move(
        self,
        session: AsyncSession,
        device: str,
        chat_id: str,
        args: tuple[str, ...],
        seq: int,
        address: str = "",
    ) -> Moved | None:
        """Gives this chat a move code, or moves this browser to the chat whose code it types."""
        now = self.clock.now()
        minutes = int(MOVE_CODE_TTL.total_seconds() // 60)
        if not args:
            code = await device_moves.issue(session, chat_id, now)
            text = self.render(
                "webchat_move.code",
                code=code,
                link=move_link(self.chat_url, code),
                minutes=minutes,
            )
            await self._keep(session, chat_id, Outbound(text), now)
            return None
        typed = read_move_code(" ".join(args))
        if self.move_failures.exhausted(address):
            moved = Moved(MoveOutcome.THROTTLED)
        elif typed is None:
            moved = Moved(MoveOutcome.WRONG)
        else:
            moved = await device_moves.redeem(session, device, chat_id, typed, seq, now)
        if moved.outcome is MoveOutcome.WRONG:
            self.move_failures.allow(address)
        if moved.outcome is MoveOutcome.MOVED:
            await self._keep(
                session, moved.chat_id, Outbound(self.render("webchat_move.moved_here")), now
            )
        else:
            key = f"webchat_move.{moved.outcome.value}"
            await self._keep(session, chat_id, Outbound(self.render(key, minutes=minutes)), now)
        return moved

    async def _hand_over(self, moved: Moved) -> None:
        """Tells the old pages they are no longer the chat and the new page to reload as it."""
        away = {"type": "moved_away", "text": self.render("webchat_move.moved_away")}
        for chat_id, frame in ((moved.chat_id, away), (moved.left_chat_id, {"type": "moved_here"})):
            for ws in list(self.sockets.get(chat_id, ())):
                if not ws.closed:
                    await ws.send_json(frame)
                    await ws.close()

    async def resolve(self, device: str) -> tuple[str, dict[str, Any] | None]:
        """The chat a browser is, and a frame to tell it first if its conversation moved away."""
        async with self.database.reading() as session:
            chat_id, moved_away = await device_moves.resolve(session, device)
        if not moved_away:
            return chat_id, None
        async with self.database.transaction() as session:
            await device_moves.told_moved_away(session, device)
        return chat_id, {"type": "moved_away", "text": self.render("webchat_move.moved_away")}

    async def _keep(
        self, session: AsyncSession, chat_id: str, outbound: Outbound, now: datetime
    ) -> None:
        """Keeps a message for the page, and its pictures and files for reloads to come.

        On PostgreSQL the chat's messages are kept one transaction at a time (the conversation's
        own lock, which a turn already holds), so their numbers are committed in order and a page
        that has seen one has seen every earlier one; the commit tells every process.
        """
        if self.database.is_postgres:
            announced = session.info.setdefault(KEPT_NOTICES, set())
            if chat_id not in announced:
                announced.add(chat_id)
                await self.database.hold(session, *conversation_lock(CHANNEL, chat_id))
                await notices.announce(session, KEPT_NOTICES, f"{self.origin} {chat_id}")
        tokens: dict[str, str] = {}
        for slot, attachment in (("image", outbound.image), ("file", outbound.file)):
            if attachment is not None:
                tokens[slot] = secrets.token_urlsafe(FILE_TOKEN_BYTES)
                session.add(
                    WebChatFile(
                        chat_id=chat_id,
                        token=tokens[slot],
                        filename=attachment.filename[:FILENAME_MAX],
                        mime_type=attachment.mime_type,
                        content=attachment.content,
                        created_at=now,
                    )
                )
        payload = to_payload(outbound, tokens)
        session.add(WebChatMessage(chat_id=chat_id, payload=payload, created_at=now))

    async def kept_file(self, chat_id: str, token: str) -> KeptFile | None:
        """A picture or file kept for this chat; another chat's token finds nothing."""
        async with self.database.reading() as session:
            row = (
                await session.execute(
                    select(WebChatFile.filename, WebChatFile.mime_type, WebChatFile.content).where(
                        WebChatFile.token == token, WebChatFile.chat_id == chat_id
                    )
                )
            ).first()
        return None if row is None else KeptFile(*row)

    async def send_to(self, chat_id: str, outbound: Outbound) -> None:
        """Keeps a message colbot started itself; shows it on the open page or rings the phone."""
        await self._store(chat_id, [outbound])
        await self.shown(chat_id)

    async def shown(self, chat_id: str) -> None:
        """After colbot kept a message it started: to the open page at once, else a Web Push.

        Only messages colbot starts ring (the outbox's, after its quiet hours); replies don't.
        """
        if self.sockets.get(chat_id):
            await self.push(chat_id)
            return
        if self.pusher is None:
            return
        async with self.database.reading() as session:
            newest = (
                await session.execute(
                    select(WebChatMessage.id, WebChatMessage.payload)
                    .where(
                        WebChatMessage.chat_id == chat_id,
                        WebChatMessage.id
                        > max(self.acked.get(chat_id, 0), self.rung.get(chat_id, 0)),
                    )
                    .order_by(WebChatMessage.id.desc())
                    .limit(1)
                )
            ).first()
        if newest is None:
            return
        message_id, payload = newest
        self.rung[chat_id] = message_id
        text = str(payload.get("text") or "") or self.render("webchat.push_no_text")
        self.pusher.ring(chat_id, self.render("webchat.push_title"), text, self.chat_url)

    async def store_in(self, session: AsyncSession, chat_id: str, outbound: Outbound) -> None:
        """Keeps an outbox message in the outbox's own transaction, so it is kept exactly once."""
        if _shows_anything(outbound):
            await self._keep(session, chat_id, outbound, self.clock.now())

    async def _store(self, chat_id: str, replies: list[Outbound]) -> None:
        shown = [r for r in replies if _shows_anything(r)]
        if not shown:
            return
        now = self.clock.now()
        async with self.database.transaction() as session:
            for outbound in shown:
                await self._keep(session, chat_id, outbound, now)

    async def ack(self, chat_id: str, upto: int) -> None:
        """Notes the messages the page says it has shown; they are deleted with its next write.

        A write for every ack was a quarter of the web chat's writes, and SQLite has one writer.
        """
        if upto > self.acked.get(chat_id, 0):
            self.acked[chat_id] = upto

    async def forget_acked(self, chat_id: str, session: AsyncSession | None = None) -> None:
        """Deletes what the page has acknowledged, in the given transaction or a new one."""
        upto = self.acked.pop(chat_id, 0)
        if not upto:
            return
        forget = delete(WebChatMessage).where(
            WebChatMessage.chat_id == chat_id, WebChatMessage.id <= upto
        )
        if session is not None:
            await session.execute(forget)
            return
        async with self.database.transaction() as own:
            await own.execute(forget)

    async def pending(self, chat_id: str) -> list[dict[str, Any]]:
        """Frames for the messages the page has not acknowledged yet, in order."""
        async with self.database.reading() as session:
            result = await session.execute(
                select(WebChatMessage.id, WebChatMessage.payload)
                .where(
                    WebChatMessage.chat_id == chat_id,
                    WebChatMessage.id > self.acked.get(chat_id, 0),
                )
                .order_by(WebChatMessage.id)
            )
            return [{"type": "message", "id": id_, **payload} for id_, payload in result]

    async def push(self, chat_id: str, only: web.WebSocketResponse | None = None) -> None:
        """Sends every unacknowledged message to the chat's open pages; the page drops repeats.

        One push at a time per chat, so a page never sees a newer message before an older one.
        """

        async def work() -> None:
            sockets = [only] if only is not None else list(self.sockets.get(chat_id, ()))
            if not sockets:
                return
            messages = await self.pending(chat_id)
            for ws in sockets:
                for frame in messages:
                    if ws.closed:
                        break
                    await ws.send_json(frame)

        await self.pushes.run((CHANNEL, chat_id), work)

    def heard(self, notice: str) -> None:
        """Another process kept a message for a chat: push it if that chat's page is open here."""
        origin, _, chat_id = notice.partition(" ")
        if origin == self.origin or chat_id not in self.sockets:
            return
        metrics.WEBCHAT_NOTICED.inc()
        task = asyncio.create_task(self._push_quietly(chat_id))
        self._heard.add(task)
        task.add_done_callback(self._heard.discard)

    async def catch_up(self) -> None:
        """Pushes to every open page what it has not acknowledged: notices may have been missed."""
        await asyncio.gather(*(self._push_quietly(chat_id) for chat_id in list(self.sockets)))

    async def _push_quietly(self, chat_id: str) -> None:
        try:
            await self.push(chat_id)
        except Exception:
            # The page has its messages the next time it connects or colbot pushes.
            log.warning("could not push to an open page", exc_info=True)

    async def _notify(self, chat_id: str, frame: dict[str, Any]) -> None:
        for ws in list(self.sockets.get(chat_id, ())):
            if not ws.closed:
                await ws.send_json(frame)

    async def close_pages(self) -> None:
        """Tells every open page this process is restarting (1012), so it reconnects at once,
        to another process behind the proxy, and a restart needn't wait on it."""
        pages = [ws for chat in self.sockets.values() for ws in chat if not ws.closed]
        await asyncio.gather(
            *(ws.close(code=WSCloseCode.SERVICE_RESTART, message=b"restarting") for ws in pages)
        )

    def opened(self, chat_id: str, ws: web.WebSocketResponse) -> None:
        """Remembers an open page so replies and reminders reach it at once."""
        self.sockets.setdefault(chat_id, set()).add(ws)
        self.rung.pop(chat_id, None)

    def closed(self, chat_id: str, ws: web.WebSocketResponse) -> None:
        """Forgets a page whose connection ended."""
        sockets = self.sockets.get(chat_id)
        if sockets is None:
            return
        sockets.discard(ws)
        if not sockets:
            del self.sockets[chat_id]
