"""The people and chats a test plays: they send the bot updates and read back what it sent."""

from __future__ import annotations

import asyncio
import contextlib
import copy
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from tests.doubles.telegram.wire import (
    FAKE_OGG,
    FAKE_PDF,
    HANDLED_POLL_S,
    INLINE_BUTTON_ACTIONS,
    JSON,
    TINY_PNG,
    CallbackAnswer,
    SentMessage,
    _chat_of,
    _command_entity,
    _image_size,
    _inline_buttons,
)

if TYPE_CHECKING:
    from tests.doubles.telegram.server import TelegramDouble


log = logging.getLogger(__name__)


@dataclass
class _Query:
    person: Person
    data: str | None
    message_id: int | None
    answered: bool = False


class _Signal:
    """Wakes every waiter on each change; waiters then re-check their own condition."""

    def __init__(self) -> None:
        self._event = asyncio.Event()

    def fire(self) -> None:
        self._event.set()
        self._event = asyncio.Event()

    async def wait(self, timeout: float | None) -> None:
        """Returns on the next change or after timeout seconds, whichever comes first."""
        event = self._event
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(event.wait(), None if timeout is None else max(timeout, 0))


Action = Awaitable[Any] | Callable[[], Awaitable[Any]]


class Chat:
    """A chat the bot can write to; records what the bot sent there, in order."""

    def __init__(self, double: TelegramDouble, data: JSON) -> None:
        self._double = double
        self.data = data
        self.messages: list[SentMessage] = []
        self.actions: list[str] = []
        # Every live message in the chat, from either side, by id, in wire form.
        self.log: dict[int, JSON] = {}
        self._next_message_id = 1
        self._read = 0
        self._last_activity = float("-inf")
        self._signal = _Signal()

    def __repr__(self) -> str:
        return f"Chat({self.type} {self.id} {self.title!r})"

    @property
    def id(self) -> int:
        return int(self.data["id"])

    @property
    def type(self) -> str:
        return str(self.data["type"])

    @property
    def title(self) -> str:
        return str(self.data.get("title") or self.data.get("first_name") or "")

    @property
    def instance(self) -> str:
        """The chat_instance Telegram puts in callback queries from this chat."""
        return str(4_000_000_000_000 + abs(self.id) * 7919)

    @property
    def last(self) -> SentMessage:
        """The bot's newest message here; fails the test if there is none."""
        if not self.messages:
            raise AssertionError(f"the bot has sent nothing to {self!r}")
        return self.messages[-1]

    @property
    def keyboard(self) -> list[list[str]] | None:
        """The reply keyboard currently shown, if the bot brought one up and did not remove it."""
        shown: list[list[str]] | None = None
        for sent in self.messages:
            if sent.keyboard is not None:
                shown = sent.keyboard
            elif sent.removes_keyboard:
                shown = None
        return shown

    async def post(self, text: str) -> JSON:
        """Publishes a channel post, as the channel itself."""
        if self.type != "channel":
            raise ValueError("only channels have posts; use person.send(text, chat=...)")
        message = self.new_message({"sender_chat": self.data, "text": text})
        self._double.enqueue("channel_post", message)
        await asyncio.sleep(0)
        return message

    async def add_bot(self, by: Person, status: str = "member") -> JSON:
        """Adds the bot to this group: the my_chat_member update Telegram sends then."""
        bot = self._double.bot_user
        change = {
            "chat": self.data,
            "from": by.user,
            "date": self._double.now(),
            "old_chat_member": {"user": bot, "status": "left"},
            "new_chat_member": {"user": bot, "status": status},
        }
        self._double.enqueue("my_chat_member", change)
        await asyncio.sleep(0)
        return change

    async def wait_for_messages(self, n: int = 1, timeout: float = 5.0) -> list[SentMessage]:
        """Returns the next n bot messages here that no earlier wait has returned."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while len(self.messages) < self._read + n:
            remaining = deadline - loop.time()
            if remaining <= 0:
                got = self.messages[self._read :]
                raise AssertionError(
                    f"expected {n} new message(s) from the bot in {self!r} within {timeout}s, "
                    f"got {len(got)}: {[m.body for m in got]}"
                )
            await self._signal.wait(remaining)
        batch = self.messages[self._read : self._read + n]
        self._read += n
        return batch

    async def replies_to(
        self,
        action: Action,
        *,
        timeout: float = 5.0,
        quiet: float | None = None,
        min_messages: int = 1,
    ) -> list[SentMessage]:
        """Runs an action, then returns the bot's new messages here once it has gone quiet.

        Quiet means at least min_messages new messages and then `quiet` seconds (default: the
        double's quiet_period) with no send, edit or delete here. min_messages=0 waits for quiet
        only, to check that the bot said nothing or only edited.
        """
        quiet = self._double.quiet_period if quiet is None else quiet
        loop = asyncio.get_running_loop()
        start = len(self.messages)
        handled_in = self._double.handled_in
        handled_before = handled_in(self.id) if handled_in else 0
        updates_before = len(self._double.updates)
        await (action() if callable(action) else action)
        acted_at = loop.time()
        deadline = acted_at + timeout
        ours = sum(1 for u in self._double.updates[updates_before:] if _chat_of(u) == self.id)
        while True:
            now = loop.time()
            new = self.messages[start:]
            calm_for = now - max(acted_at, self._last_activity)
            handled = handled_in is None or handled_in(self.id) >= handled_before + ours
            enough = len(new) >= min_messages
            if enough and calm_for >= quiet and handled:
                break
            if now >= deadline:
                if enough:
                    break
                raise AssertionError(
                    f"expected at least {min_messages} message(s) from the bot in {self!r} "
                    f"within {timeout}s, got {len(new)}: {[m.body for m in new]}"
                )
            if not enough:
                wait = deadline - now
            elif calm_for < quiet:
                wait = quiet - calm_for
            else:  # quiet, but the bot is still handling this chat's update
                wait = HANDLED_POLL_S
            await self._signal.wait(min(wait, deadline - now))
        self._read = max(self._read, len(self.messages))
        return list(new)

    def find(self, message_id: int) -> SentMessage | None:
        """The bot's message with this id, unless deleted."""
        for sent in reversed(self.messages):
            if sent.message_id == message_id and not sent.deleted:
                return sent
        return None

    def new_message(self, content: JSON) -> JSON:
        """A message by someone other than the bot, logged here with the next message_id."""
        message: JSON = {
            "message_id": self.next_message_id(),
            "date": self._double.now(),
            "chat": self.data,
            **content,
        }
        self.log[message["message_id"]] = message
        return message

    def next_message_id(self) -> int:
        message_id = self._next_message_id
        self._next_message_id += 1
        return message_id

    def record(self, sent: SentMessage) -> None:
        """Adds a bot message and wakes anyone waiting for it."""
        self.messages.append(sent)
        self.touch()

    def touch(self) -> None:
        """Notes bot activity here (send, edit, delete) for quiet detection."""
        self._last_activity = asyncio.get_running_loop().time()
        self._signal.fire()


class Person:
    """Someone chatting with the bot in a private chat: sends messages, presses buttons, reads."""

    def __init__(self, double: TelegramDouble, user: JSON, chat: Chat) -> None:
        self._double = double
        self.user = user
        self.chat = chat
        self.callback_answers: list[CallbackAnswer] = []
        self.pressed: list[str] = []  # callback query ids, oldest first

    def __repr__(self) -> str:
        return f"Person({self.first_name!r}, id={self.id})"

    @property
    def id(self) -> int:
        return int(self.user["id"])

    @property
    def first_name(self) -> str:
        return str(self.user["first_name"])

    @property
    def username(self) -> str | None:
        return self.user.get("username")

    @property
    def language_code(self) -> str | None:
        return self.user.get("language_code")

    @property
    def messages(self) -> list[SentMessage]:
        """Everything the bot sent this person, oldest first."""
        return self.chat.messages

    @property
    def last(self) -> SentMessage:
        """The bot's newest message to this person."""
        return self.chat.last

    @property
    def actions(self) -> list[str]:
        """Chat actions (typing, upload_photo...) the bot showed this person."""
        return self.chat.actions

    @property
    def keyboard(self) -> list[list[str]] | None:
        """The reply keyboard the bot currently shows this person."""
        return self.chat.keyboard

    @property
    def unanswered_callbacks(self) -> list[str]:
        """Ids of this person's button presses the bot never answered (spinner still on)."""
        answered = {answer.query_id for answer in self.callback_answers}
        return [query_id for query_id in self.pressed if query_id not in answered]

    async def wait_for_messages(self, n: int = 1, timeout: float = 5.0) -> list[SentMessage]:
        """Returns the next n bot messages to this person that no earlier wait has returned."""
        return await self.chat.wait_for_messages(n, timeout)

    async def replies_to(
        self,
        action: Action,
        *,
        timeout: float = 5.0,
        quiet: float | None = None,
        min_messages: int = 1,
    ) -> list[SentMessage]:
        """Runs an action, then returns the bot's new messages once it has gone quiet."""
        return await self.chat.replies_to(
            action, timeout=timeout, quiet=quiet, min_messages=min_messages
        )

    async def ask(self, text: str, *, timeout: float = 5.0) -> list[SentMessage]:
        """Sends a text and returns the bot's replies: the most common step of a chat test."""
        return await self.replies_to(self.send(text), timeout=timeout)

    async def send(
        self, text: str, *, chat: Chat | None = None, reply_to: SentMessage | int | None = None
    ) -> JSON:
        """Sends a text; a leading /command gets its bot_command entity, as Telegram does."""
        content: JSON = {"text": text}
        entity = _command_entity(text)
        if entity is not None:
            content["entities"] = [entity]
        target = chat or self.chat
        if reply_to is not None:
            message_id = reply_to if isinstance(reply_to, int) else reply_to.message_id
            if message_id not in target.log:
                raise AssertionError(f"no message {message_id} to reply to in {target!r}")
            replied = copy.deepcopy(target.log[message_id])
            replied.pop("reply_to_message", None)
            content["reply_to_message"] = replied
        return await self._say(content, chat)

    async def share_location(
        self, latitude: float, longitude: float, *, live_period: int | None = None
    ) -> JSON:
        """Shares a location, as the paper-clip menu or a request_location button does."""
        location: JSON = {"latitude": latitude, "longitude": longitude}
        if live_period is not None:
            location["live_period"] = live_period
        return await self._say({"location": location})

    async def send_sticker(self, emoji: str = "👍") -> JSON:
        """Sends a sticker."""
        stored = self._double.store_file(b"RIFF-webp", "sticker.webp", "image/webp", "sticker")
        sticker = {
            "file_id": stored.file_id,
            "file_unique_id": stored.file_unique_id,
            "type": "regular",
            "width": 512,
            "height": 512,
            "is_animated": False,
            "is_video": False,
            "emoji": emoji,
            "file_size": stored.size,
        }
        return await self._say({"sticker": sticker})

    async def send_photo(self, data: bytes = TINY_PNG, *, caption: str | None = None) -> JSON:
        """Sends a photo; the bot can download its bytes with getFile."""
        stored = self._double.store_file(data, "photo.jpg", "image/jpeg", "photo")
        width, height = _image_size(data)
        content: JSON = {"photo": [self._double.photo_size(stored, width, height)]}
        if caption is not None:
            content["caption"] = caption
        return await self._say(content)

    async def send_voice(self, duration: int = 3, data: bytes = FAKE_OGG) -> JSON:
        """Sends a voice note."""
        stored = self._double.store_file(data, "voice.ogg", "audio/ogg", "voice")
        voice = {
            "file_id": stored.file_id,
            "file_unique_id": stored.file_unique_id,
            "duration": duration,
            "mime_type": "audio/ogg",
            "file_size": stored.size,
        }
        return await self._say({"voice": voice})

    async def send_document(
        self,
        data: bytes = FAKE_PDF,
        filename: str = "notes.pdf",
        mime_type: str = "application/pdf",
        *,
        caption: str | None = None,
    ) -> JSON:
        """Sends a file."""
        stored = self._double.store_file(data, filename, mime_type, "document")
        content: JSON = {"document": self._double.document(stored)}
        if caption is not None:
            content["caption"] = caption
        return await self._say(content)

    async def send_contact(
        self,
        phone_number: str = "+447700900123",
        *,
        first_name: str | None = None,
        user_id: int | None = None,
    ) -> JSON:
        """Shares a contact: their own by default (as request_contact does), else someone else's."""
        contact: JSON = {"phone_number": phone_number, "first_name": first_name or self.first_name}
        if first_name is None:
            contact["user_id"] = self.id
        elif user_id is not None:
            contact["user_id"] = user_id
        return await self._say({"contact": contact})

    async def send_raw(self, **fields: Any) -> JSON:
        """Sends a message of any shape: fields override the defaults (write `from_` for from)."""
        chat = fields.pop("chat", None)
        if "from_" in fields:
            fields["from"] = fields.pop("from_")
        return await self._say(fields, chat if isinstance(chat, Chat) else None)

    async def edit_message(self, message: JSON | int, new_text: str) -> JSON:
        """Edits one of this person's own messages: an edited_message update."""
        message_id = message if isinstance(message, int) else int(message["message_id"])
        chat = self.chat if isinstance(message, int) else self._double.chat(message["chat"]["id"])
        original = chat.log.get(message_id)
        if original is None or original.get("from", {}).get("id") != self.id:
            raise AssertionError(f"{self!r} has no message {message_id} in {chat!r} to edit")
        edited = {**copy.deepcopy(original), "text": new_text, "edit_date": self._double.now()}
        edited.pop("entities", None)
        entity = _command_entity(new_text)
        if entity is not None:
            edited["entities"] = [entity]
        chat.log[message_id] = edited
        self._double.enqueue("edited_message", edited)
        await asyncio.sleep(0)
        return edited

    async def press(self, button: str, message: SentMessage | int | None = None) -> JSON:
        """Presses an inline button by label or callback_data: on the newest bot message that
        shows it, or on the given message (stale buttons on older messages work too)."""
        sent = self._message_with(button, message)
        target = next(b for b in _inline_buttons(sent.reply_markup) if self._is(b, button))
        if "callback_data" not in target:
            kind = next((key for key in INLINE_BUTTON_ACTIONS if key in target), "unknown")
            raise AssertionError(f"{button!r} is a {kind} button; pressing it sends no update")
        return await self._callback(str(target["callback_data"]), sent)

    async def press_raw(self, data: str, message: SentMessage | int | None = None) -> JSON:
        """Sends callback data the bot may never have offered, from a message (default: last)."""
        if message is None:
            live = [sent for sent in self.chat.messages if not sent.deleted]
            if not live:
                raise AssertionError(f"the bot has sent nothing to {self!r} to press on")
            return await self._callback(data, live[-1])
        return await self._callback(data, self._resolve(message))

    async def _say(self, content: JSON, chat: Chat | None = None) -> JSON:
        target = chat or self.chat
        if target.type == "channel":
            raise ValueError("people do not post in channels; use channel.post(...)")
        message = target.new_message({"from": self.user, **content})
        self._double.enqueue("message", message)
        await asyncio.sleep(0)
        return message

    async def _callback(self, data: str, sent: SentMessage) -> JSON:
        query_id = self._double.new_callback_query(self, data, sent.message_id)
        self.pressed.append(query_id)
        query = {
            "id": query_id,
            "from": self.user,
            "message": copy.deepcopy(sent.raw),
            "chat_instance": sent.chat.instance,
            "data": data,
        }
        self._double.enqueue("callback_query", query)
        await asyncio.sleep(0)
        return query

    @staticmethod
    def _is(button: JSON, wanted: str) -> bool:
        return wanted in (button.get("text"), button.get("callback_data"))

    def _resolve(self, message: SentMessage | int) -> SentMessage:
        if isinstance(message, SentMessage):
            sent = message
        else:
            found = next((m for m in self.chat.messages if m.message_id == message), None)
            if found is None:
                raise AssertionError(f"the bot never sent message {message} to {self!r}")
            sent = found
        if sent.deleted:
            raise AssertionError(f"message {sent.message_id} was deleted; nothing to press")
        return sent

    def _message_with(self, button: str, message: SentMessage | int | None) -> SentMessage:
        if message is not None:
            sent = self._resolve(message)
            if not any(self._is(b, button) for b in _inline_buttons(sent.reply_markup)):
                raise AssertionError(
                    f"message {sent.message_id} has no button {button!r}; it has {sent.buttons}"
                )
            return sent
        for sent in reversed(self.chat.messages):
            if not sent.deleted and any(
                self._is(b, button) for b in _inline_buttons(sent.reply_markup)
            ):
                return sent
        seen = [label for m in self.chat.messages if not m.deleted for label in m.labels]
        raise AssertionError(f"no bot message to {self!r} has a button {button!r}; seen {seen}")
