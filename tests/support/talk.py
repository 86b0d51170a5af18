"""A person talking to the engine directly, the way every channel does."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any

import aiohttp

from colbot.channels.webchat import channel as webchat
from colbot.chat.engine import Engine
from colbot.chat.messages import Attachment, Button, Inbound, InboundKind, Outbound
from tests.doubles.telegram import Person, SentMessage
from tests.support.handled import HandledUpdates

if TYPE_CHECKING:
    from colbot.app import Colbot


class Transcript:
    """What the bot said to one person, in order, with the lookups tests need."""

    history: list[Outbound]

    def recent(self, count: int = 12) -> str:
        """The text of the last few replies, joined, for assertions that don't care about order."""
        return "\n".join(m.text for m in self.history[-count:])

    @property
    def last(self) -> Outbound:
        return self.history[-1]

    def last_text(self) -> str:
        return self.history[-1].text

    def find_button(self, label: str, on: Outbound | None) -> tuple[Button, Outbound]:
        """The first button whose label contains `label`, on the given or latest message."""
        messages = [on] if on else [m for m in reversed(self.history) if m.buttons]
        for message in messages:
            for row in message.buttons:
                for button in row:
                    if label in button.label:
                        return button, message
        raise AssertionError(f"no button {label!r} on {[m.button_labels() for m in messages[:1]]}")


class Talker(Transcript):
    """Sends neutral events as one person and remembers the replies."""

    def __init__(
        self, engine: Engine, chat_id: str = "p1", channel: str = "console", first_name: str = "Sam"
    ) -> None:
        self.engine = engine
        self.chat_id = chat_id
        self.channel = channel
        self.first_name = first_name
        self.history: list[Outbound] = []

    async def _send(self, **fields: object) -> list[Outbound]:
        inbound = Inbound(
            channel=self.channel, chat_id=self.chat_id, first_name=self.first_name, **fields
        )  # type: ignore[arg-type]
        replies = await self.engine.handle(inbound)
        self.history.extend(replies)
        return replies

    async def say(self, text: str) -> list[Outbound]:
        if text.startswith("/"):
            command, *args = text[1:].split()
            return await self._send(
                kind=InboundKind.COMMAND, text=text, command=command, args=tuple(args)
            )
        return await self._send(kind=InboundKind.TEXT, text=text)

    async def press(self, label: str, on: Outbound | None = None) -> list[Outbound]:
        """Presses the button whose label contains `label` on the given or latest message."""
        button, _ = self.find_button(label, on)
        return await self._send(kind=InboundKind.BUTTON, button_data=button.data)

    async def press_data(self, data: str) -> list[Outbound]:
        return await self._send(kind=InboundKind.BUTTON, button_data=data)

    async def share_location(self, latitude: float, longitude: float) -> list[Outbound]:
        return await self._send(kind=InboundKind.LOCATION, latitude=latitude, longitude=longitude)

    async def send_other(self, kind: str) -> list[Outbound]:
        return await self._send(kind=InboundKind.OTHER, other=kind)


REPLY_TIMEOUT_S = 10.0
CALL_ME = "Call me"
# Once colbot has handled the update its replies are all sent; this catches a late edit or two.
QUIET_AFTER_HANDLED_S = 0.05
POLL_S = 0.02


class TelegramTalker(Transcript):
    """The same conversation as Talker, through the real PTB Application and the Bot API double."""

    def __init__(self, person: Person, channel_colbot: Colbot) -> None:
        self.person = person
        self.engine = channel_colbot.engine
        self.handled = HandledUpdates.of(channel_colbot)
        self.channel = "telegram"
        self.chat_id = str(person.id)
        self.history: list[Outbound] = []
        self._sent: dict[int, SentMessage] = {}

    def _outbound(self, message: SentMessage, edit: bool = False) -> Outbound:
        buttons = tuple(
            tuple(Button(b.text, b.data or "") for b in row) for row in (message.buttons or [])
        )
        image = (
            Attachment(message.filename or "photo.png", message.photo, "image/png")
            if message.photo
            else None
        )
        file = (
            Attachment(message.filename or "file", message.document, message.mime_type or "")
            if message.document
            else None
        )
        outbound = Outbound(
            text=message.text or message.caption or "",
            buttons=buttons,
            image=image,
            file=file,
            edit=edit,
        )
        self._sent[id(outbound)] = message
        return outbound

    async def _act(self, action: Awaitable[object]) -> list[Outbound]:
        """Acts, then waits until colbot has handled the update and its answer has gone quiet.

        Waiting for the update to be handled, not for a pause between messages, keeps a slow
        machine from splitting one answer across two steps.
        """
        before = {m.message_id: len(m.edits) for m in self.person.messages}
        chat = self.person.chat.id
        handled = self.handled.by_chat[chat] + 1
        await action
        loop = asyncio.get_running_loop()
        deadline = loop.time() + REPLY_TIMEOUT_S
        seen, calm_since = self._changes(before), loop.time()
        while loop.time() < deadline:
            await asyncio.sleep(POLL_S)
            changes = self._changes(before)
            if changes != seen:
                seen, calm_since = changes, loop.time()
            elif (
                self.handled.by_chat[chat] >= handled
                and loop.time() - calm_since >= QUIET_AFTER_HANDLED_S
            ):
                break
        replies = [
            self._outbound(m, edit=True)
            for m in self.person.messages
            if m.message_id in before and len(m.edits) > before[m.message_id]
        ]
        replies += [
            self._outbound(m)
            for m in self.person.messages
            if m.message_id not in before and (m.text or m.caption or m.photo or m.document)
        ]
        self.history.extend(replies)
        return replies

    def _changes(self, before: dict[int, int]) -> int:
        return sum(
            1 if m.message_id not in before else len(m.edits) - before[m.message_id]
            for m in self.person.messages
        )

    async def say(self, text: str) -> list[Outbound]:
        return await self._act(self.person.send(text))

    async def press(self, label: str, on: Outbound | None = None) -> list[Outbound]:
        button, message = self.find_button(label, on)
        return await self._act(self.person.press(button.label, self._sent[id(message)]))

    async def press_data(self, data: str) -> list[Outbound]:
        if not data:
            return await self._act(self.person.press_raw("??"))
        return await self._act(self.person.press_raw(data))

    async def share_location(self, latitude: float, longitude: float) -> list[Outbound]:
        return await self._act(self.person.share_location(latitude, longitude))

    async def send_other(self, kind: str) -> list[Outbound]:
        senders = {
            "sticker": self.person.send_sticker,
            "photo": self.person.send_photo,
            "voice": self.person.send_voice,
            "contact": self.person.send_contact,
        }
        return await self._act(senders[kind]())


class WebChatTalker(Transcript):
    """The same conversation as Talker, through the web chat's WebSocket, as the page speaks it."""

    def __init__(
        self,
        base_url: str,
        engine: Engine | None = None,
        first_name: str = "Sam",
        from_address: str | None = None,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        # Another loopback address (127.0.0.2, ...) stands for another network, such as a school.
        self.from_address = from_address
        self.first_name = first_name
        self.engine = engine
        self.channel = "webchat"
        self.chat_id = ""
        self.history: list[Outbound] = []
        self.seq = 0
        self.last_id = 0
        self.session: aiohttp.ClientSession | None = None
        self.ws: aiohttp.ClientWebSocketResponse | None = None

    async def connect(self) -> None:
        """Opens the page (for the device cookie) and then its socket, acking what it has."""
        if self.session is None:
            jar = aiohttp.CookieJar(unsafe=True)
            local = (self.from_address, 0) if self.from_address else None
            self.session = aiohttp.ClientSession(
                cookie_jar=jar, connector=aiohttp.TCPConnector(local_addr=local)
            )
            async with self.session.get(f"{self.base_url}/chat") as response:
                assert response.status == 200
            token = next(c.value for c in jar if c.key == "colbot_device")
            self.chat_id = webchat.chat_id_for(token)
        self.ws = await self.session.ws_connect(
            f"{self.base_url}/chat/ws", headers={"Origin": self.base_url}
        )
        await self.ws.send_json({"type": "hello", "ack": self.last_id})

    async def reconnect_to(self, base_url: str) -> None:
        """Drops the socket and opens one at another address, as a page behind a proxy may."""
        if self.ws is not None:
            await self.ws.close()
        self.base_url = base_url.rstrip("/")
        await self.connect()

    async def wait_for(self, words: str) -> Outbound:
        """Reads (and acks) what colbot sends, unasked, until a message holding `words` comes."""
        assert self.ws is not None
        while True:
            reply = await self.ws.receive_json(timeout=REPLY_TIMEOUT_S)
            if reply["type"] != "message":
                continue
            await self.ws.send_json({"type": "ack", "id": reply["id"]})
            if reply["id"] <= self.last_id:
                continue
            self.last_id = reply["id"]
            outbound = await self._outbound(reply)
            self.history.append(outbound)
            if words in outbound.text:
                return outbound

    async def close(self) -> None:
        if self.ws is not None:
            await self.ws.close()
        if self.session is not None:
            await self.session.close()

    async def _outbound(self, frame: dict[str, Any]) -> Outbound:
        async def attachment(data: dict[str, str] | None) -> Attachment | None:
            """Fetches a kept file as the page does: with this browser's device cookie."""
            if not data:
                return None
            assert self.session is not None
            async with self.session.get(f"{self.base_url}{data['url']}") as response:
                assert response.status == 200, f"{data['url']}: {response.status}"
                return Attachment(data["filename"], await response.read(), data["mime_type"])

        return Outbound(
            text=frame["text"],
            buttons=tuple(
                tuple(Button(b["label"], b["data"], b["url"]) for b in row)
                for row in frame["buttons"]
            ),
            links=tuple(Button(b["label"], b["data"], b["url"]) for b in frame["links"]),
            image=await attachment(frame.get("image")),
            file=await attachment(frame.get("file")),
            menu=tuple((name, text) for name, text in frame["menu"]) if "menu" in frame else None,
        )

    async def _send(self, frame: dict[str, Any]) -> list[Outbound]:
        """Sends one frame and reads until the server says it took it; each message acked once."""
        if self.ws is None:
            await self.connect()
        assert self.ws is not None
        self.seq += 1
        await self.ws.send_json({**frame, "seq": self.seq})
        return await self.read_until_taken(self.seq)

    async def _send_again(self, frame: dict[str, Any]) -> list[Outbound]:
        """Resends a frame with its old number, as a reconnecting page does."""
        assert self.ws is not None
        await self.ws.send_json(frame)
        return await self.read_until_taken(frame["seq"])

    async def read_until_taken(self, seq: int) -> list[Outbound]:
        """New messages up to the server's word that it took message `seq`."""
        assert self.ws is not None
        replies: list[Outbound] = []
        while True:
            reply = await self.ws.receive_json(timeout=REPLY_TIMEOUT_S)
            if reply["type"] == "message":
                if reply["id"] > self.last_id:
                    replies.append(await self._outbound(reply))
                    self.last_id = reply["id"]
                await self.ws.send_json({"type": "ack", "id": reply["id"]})
            elif reply["type"] in {"taken", "refused"} and reply["seq"] == seq:
                if reply["type"] == "refused":
                    replies.append(Outbound(text=reply["text"]))
                break
        self.history.extend(replies)
        return replies

    async def say(self, text: str) -> list[Outbound]:
        return await self._send({"type": "text", "text": text})

    async def press(self, label: str, on: Outbound | None = None) -> list[Outbound]:
        if label.startswith(CALL_ME) and not self._has_button(label, on):
            # The page knows no first name, so there is no "Call me" chip: the person types it.
            return await self.say(label.removeprefix(CALL_ME).strip() or self.first_name)
        button, _ = self.find_button(label, on)
        return await self._send({"type": "button", "data": button.data})

    def _has_button(self, label: str, on: Outbound | None) -> bool:
        try:
            self.find_button(label, on)
        except AssertionError:
            return False
        return True

    async def press_data(self, data: str) -> list[Outbound]:
        return await self._send({"type": "button", "data": data})

    async def share_location(self, latitude: float, longitude: float) -> list[Outbound]:
        return await self._send({"type": "location", "latitude": latitude, "longitude": longitude})

    async def send_other(self, kind: str) -> list[Outbound]:
        return await self._send({"type": "other", "other": kind})


AnyTalker = Talker | TelegramTalker | WebChatTalker
Talk = Callable[..., AnyTalker]
