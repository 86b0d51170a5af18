"""A Telegram Bot API test double: a local aiohttp server that speaks the real wire format.

Tests run the real python-telegram-bot ``Application`` against it with
``Application.builder().token(double.token).base_url(double.base_url)``, play the people who
chat with the bot (``double.person(...)``), and read back what the bot sent them.
"""

from __future__ import annotations

import asyncio
import contextlib
import copy
import html.parser
import itertools
import json
import logging
import re
import struct
import time
import zlib
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator, Mapping
from dataclasses import dataclass, field, replace
from http import HTTPStatus
from types import TracebackType
from typing import Any, NamedTuple, Self, TypeVar

import aiohttp
import pytest_asyncio
import telegram
from aiohttp import web

log = logging.getLogger(__name__)

JSON = dict[str, Any]
Handler = Callable[["Params"], Awaitable[Any]]
T = TypeVar("T")

DEFAULT_TOKEN = "7000000001:AAH-colbot-test-double-token-0123456"
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
TEXT_LIMIT = 4096
CAPTION_LIMIT = 1024
CALLBACK_DATA_LIMIT = 64
CALLBACK_ANSWER_LIMIT = 200
COMMANDS_LIMIT = 100
HANDLED_POLL_S = 0.02
# Telegram leaves these out unless a bot names them in allowed_updates.
OPT_IN_UPDATE_TYPES = frozenset({"chat_member", "message_reaction", "message_reaction_count"})
CHAT_ACTIONS = frozenset(
    {
        "typing",
        "upload_photo",
        "record_video",
        "upload_video",
        "record_voice",
        "upload_voice",
        "upload_document",
        "choose_sticker",
        "find_location",
        "record_video_note",
        "upload_video_note",
    }
)
SCOPE_TYPES = frozenset(
    {
        "default",
        "all_private_chats",
        "all_group_chats",
        "all_chat_administrators",
        "chat",
        "chat_administrators",
        "chat_member",
    }
)
MENU_BUTTON_TYPES = frozenset({"commands", "web_app", "default"})
# Exactly one of these makes an inline button do something; text alone is not allowed.
INLINE_BUTTON_ACTIONS = (
    "callback_data",
    "url",
    "web_app",
    "login_url",
    "switch_inline_query",
    "switch_inline_query_current_chat",
    "switch_inline_query_chosen_chat",
    "copy_text",
    "callback_game",
    "pay",
)

# How PTB encodes values: strings as they are, everything else as JSON text. These names say
# which parameters to decode as what; any other parameter is plain text.
_JSON_PARAMS = frozenset(
    {
        "reply_markup",
        "allowed_updates",
        "commands",
        "scope",
        "menu_button",
        "entities",
        "caption_entities",
        "reply_parameters",
        "link_preview_options",
        "media",
        "message_ids",
    }
)
_INT_PARAMS = frozenset(
    {
        "message_id",
        "offset",
        "limit",
        "user_id",
        "max_connections",
        "cache_time",
        "reply_to_message_id",
        "message_thread_id",
        "live_period",
        "heading",
        "proximity_alert_radius",
        "duration",
        "from_chat_id",
    }
)
_FLOAT_PARAMS = frozenset({"latitude", "longitude", "horizontal_accuracy", "timeout"})
_BOOL_PARAMS = frozenset(
    {
        "drop_pending_updates",
        "show_alert",
        "disable_notification",
        "protect_content",
        "disable_web_page_preview",
        "allow_sending_without_reply",
        "has_spoiler",
        "disable_content_type_detection",
        "show_caption_above_media",
        "allow_paid_broadcast",
    }
)

_TOKEN_SHAPE = re.compile(r"\d+:[A-Za-z0-9_-]+")
_COMMAND = re.compile(r"/[A-Za-z0-9_]{1,32}(?:@[A-Za-z0-9_]{3,32})?")
_COMMAND_NAME = re.compile(r"[a-z0-9_]{1,32}")
_SECRET_TOKEN = re.compile(r"[A-Za-z0-9_-]{1,256}")
_BUTTON_URL = re.compile(r"(?:https?|tg)://\S+")
_MARKDOWN_LINK = re.compile(r"(?<!\\)\[((?:\\.|[^\]\\])*)\]\((?:\\.|[^)\\])*\)")

NOT_MODIFIED = (
    "message is not modified: specified new message content and reply markup are exactly "
    "the same as a current content and reply markup of the message"
)


def _png(width: int = 1, height: int = 1) -> bytes:
    """Builds a valid, tiny PNG so that fake photos are real images."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
        )

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    rows = b"".join(b"\x00" + b"\xff\xff\xff" * width for _ in range(height))
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(rows))
        + chunk(b"IEND", b"")
    )


TINY_PNG = _png()
FAKE_OGG = b"OggS\x00\x02" + b"\x00" * 58
FAKE_PDF = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


class ApiError(Exception):
    """A Bot API error, raised by a method handler and answered in Telegram's envelope."""

    def __init__(self, status: int, description: str, *, retry_after: int | None = None) -> None:
        super().__init__(description)
        self.status = status
        self.description = description
        self.retry_after = retry_after

    def response(self) -> web.Response:
        """Telegram's error envelope, with the HTTP status equal to error_code."""
        body: JSON = {"ok": False, "error_code": self.status, "description": self.description}
        if self.retry_after is not None:
            body["parameters"] = {"retry_after": self.retry_after}
        return web.json_response(body, status=self.status)


def _bad_request(reason: str) -> ApiError:
    """Telegram's most common answer to a mistake in the request."""
    return ApiError(400, f"Bad Request: {reason}")


def _to_int(value: Any) -> int:
    """Reads an integer that may arrive as JSON number or as form text."""
    if isinstance(value, bool):
        raise ValueError("a boolean is not an integer")
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str):
        return int(value.strip())
    raise ValueError(f"not an integer: {value!r}")


def _to_float(value: Any) -> float:
    """Reads a number that may arrive as JSON number or as form text."""
    if isinstance(value, bool):
        raise ValueError("a boolean is not a number")
    if isinstance(value, int | float):
        return float(value)
    if isinstance(value, str):
        return float(value.strip())
    raise ValueError(f"not a number: {value!r}")


def _to_bool(value: Any) -> bool:
    """Reads a flag the lenient way Telegram does: true/false, 1/0, any case."""
    if isinstance(value, bool):
        return value
    if isinstance(value, int):
        return value != 0
    if isinstance(value, str) and value.strip().lower() in {"true", "1"}:
        return True
    if isinstance(value, str) and value.strip().lower() in {"false", "0", ""}:
        return False
    raise ValueError(f"not a boolean: {value!r}")


def _to_json(value: Any) -> Any:
    """Decodes a JSON-serialised parameter; a JSON body may already hold the object."""
    return json.loads(value) if isinstance(value, str) else value


def _decode(name: str, value: Any) -> Any:
    """Gives a parameter its natural Python type, for ApiCall records."""
    if name in ("chat_id", "from_chat_id"):
        return value if isinstance(value, str) and value.startswith("@") else _to_int(value)
    if name in _JSON_PARAMS:
        return _to_json(value)
    if name in _INT_PARAMS:
        return _to_int(value)
    if name in _FLOAT_PARAMS:
        return _to_float(value)
    if name in _BOOL_PARAMS:
        return _to_bool(value)
    return value


@dataclass(frozen=True)
class UploadedFile:
    """A file the bot uploaded with multipart/form-data, kept byte for byte."""

    field: str
    filename: str
    content: bytes
    content_type: str


class Params:
    """One request's parameters, however PTB encoded them, read with Telegram's coercions."""

    def __init__(self, values: Mapping[str, Any], files: Mapping[str, UploadedFile]) -> None:
        self.values: JSON = {name: value for name, value in values.items() if value is not None}
        self.files: dict[str, UploadedFile] = dict(files)

    def __contains__(self, name: object) -> bool:
        return name in self.values

    def decoded(self) -> JSON:
        """All parameters with natural types where they parse, raw where they do not."""
        decoded: JSON = {}
        for name, value in self.values.items():
            try:
                decoded[name] = _decode(name, value)
            except (ValueError, TypeError):
                decoded[name] = value
        return decoded

    def text(self, name: str) -> str | None:
        """A text parameter, or None when absent."""
        value = self.values.get(name)
        if value is None or isinstance(value, str):
            return value
        return json.dumps(value)

    def integer(self, name: str) -> int | None:
        """An integer parameter, or None when absent."""
        return self._typed(name, _to_int)

    def number(self, name: str) -> float | None:
        """A float parameter, or None when absent."""
        return self._typed(name, _to_float)

    def flag(self, name: str) -> bool:
        """A boolean parameter, False when absent."""
        return bool(self._typed(name, _to_bool))

    def json(self, name: str, error: str | None = None) -> Any:
        """A JSON-serialised parameter, decoded; None when absent."""
        if name not in self.values:
            return None
        try:
            return _to_json(self.values[name])
        except ValueError as exc:
            raise _bad_request(error or f"can't parse {name} JSON object") from exc

    def chat_id(self, name: str = "chat_id") -> int | str | None:
        """A chat id: an integer, or a public @username as text."""
        value = self.values.get(name)
        if value is None or value == "":
            return None
        if isinstance(value, str) and value.startswith("@"):
            return value
        try:
            return _to_int(value)
        except (ValueError, TypeError) as exc:
            raise _bad_request("chat not found") from exc

    def input_file(self, name: str) -> UploadedFile | str | None:
        """A file parameter: an upload (direct field or attach://), or a file_id/URL string."""
        value = self.values.get(name)
        if isinstance(value, str) and value.startswith("attach://"):
            attached = self.files.get(value.removeprefix("attach://"))
            if attached is None:
                raise _bad_request(f"file {value} not found in the request")
            return attached
        if value is None:
            return self.files.get(name)
        return self.text(name)

    def _typed(self, name: str, convert: Callable[[Any], T]) -> T | None:
        value = self.values.get(name)
        if value is None:
            return None
        try:
            return convert(value)
        except (ValueError, TypeError) as exc:
            raise _bad_request(f"invalid {name} specified") from exc


async def _read_params(request: web.Request) -> Params:
    """Reads query, form, multipart or JSON parameters exactly as the Bot API accepts them."""
    values: JSON = dict(request.query)
    files: dict[str, UploadedFile] = {}
    if request.content_type == "application/json":
        raw = await request.read()
        if raw.strip():
            try:
                body = json.loads(raw)
            except ValueError as exc:
                raise _bad_request("can't parse JSON encoded request") from exc
            if not isinstance(body, dict):
                raise _bad_request("JSON request must be an object")
            values.update(body)
    elif request.content_type == "multipart/form-data":
        reader = await request.multipart()
        while (part := await reader.next()) is not None:
            if not isinstance(part, aiohttp.BodyPartReader) or part.name is None:
                continue
            if part.filename is not None:
                content = bytes(await part.read(decode=True))
                content_type = part.headers.get(aiohttp.hdrs.CONTENT_TYPE, "")
                files[part.name] = UploadedFile(
                    part.name, part.filename, content, content_type or "application/octet-stream"
                )
            else:
                values[part.name] = await part.text()
    elif request.content_type == "application/x-www-form-urlencoded":
        form = await request.post()
        values.update({name: value for name, value in form.items() if isinstance(value, str)})
    return Params(values, files)


class _TextOnly(html.parser.HTMLParser):
    """Collects the visible text of Telegram-flavoured HTML."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []

    def handle_data(self, data: str) -> None:
        self.parts.append(data)


def _strip_markdown(text: str, *, v2: bool) -> str:
    """Approximates the text Telegram shows for Markdown: markers and escapes removed."""
    text = _MARKDOWN_LINK.sub(lambda match: match.group(1), text)
    markers = "*_~|`" if v2 else "*_`"
    out: list[str] = []
    index = 0
    while index < len(text):
        char = text[index]
        if char == "\\" and index + 1 < len(text):
            out.append(text[index + 1])
            index += 2
            continue
        at_line_start = index == 0 or text[index - 1] == "\n"
        if char not in markers and not (v2 and char == ">" and at_line_start):
            out.append(char)
        index += 1
    return "".join(out)


def _plain_text(text: str, parse_mode: str | None) -> str:
    """The text a reader sees once Telegram has applied the parse_mode."""
    mode = (parse_mode or "").lower()
    if mode == "":
        return text
    if mode == "html":
        parser = _TextOnly()
        parser.feed(text)
        parser.close()
        return "".join(parser.parts)
    if mode in ("markdown", "markdownv2"):
        return _strip_markdown(text, v2=mode == "markdownv2")
    raise _bad_request(f"unsupported parse_mode {parse_mode}")


def _utf16_len(text: str) -> int:
    """Entity offsets and lengths count UTF-16 code units, as Telegram does."""
    return len(text.encode("utf-16-le")) // 2


def _chat_of(update: JSON) -> int | None:
    """The chat an update comes from, as PTB's effective_chat sees it."""
    for kind, payload in update.items():
        if kind == "update_id" or not isinstance(payload, dict):
            continue
        if kind == "callback_query":
            payload = payload.get("message") or {}
        chat = payload.get("chat")
        return int(chat["id"]) if isinstance(chat, dict) else None
    return None


def _command_entity(text: str) -> JSON | None:
    """The bot_command entity Telegram adds when a message starts with /command[@bot]."""
    match = _COMMAND.match(text)
    if match is None:
        return None
    return {"type": "bot_command", "offset": 0, "length": _utf16_len(match.group())}


def _image_size(content: bytes | None) -> tuple[int, int]:
    """A PNG's real size, or a plausible photo size for anything else."""
    if content and content[:8] == b"\x89PNG\r\n\x1a\n" and len(content) >= 24:
        width, height = struct.unpack(">II", content[16:24])
        return int(width), int(height)
    return 640, 480


def _inline_buttons(markup: JSON | None) -> Iterator[JSON]:
    """Every button of an inline keyboard, row by row."""
    if not markup or not isinstance(markup.get("inline_keyboard"), list):
        return
    for row in markup["inline_keyboard"]:
        yield from row


def _button_target(button: JSON) -> str | None:
    """What an inline button carries: its callback_data, else its URL, else None."""
    for key in ("callback_data", "url"):
        if isinstance(button.get(key), str):
            return str(button[key])
    for key in ("web_app", "login_url"):
        if isinstance(button.get(key), dict):
            return str(button[key].get("url"))
    return None


def _is_inline(markup: JSON | None) -> bool:
    return bool(markup) and "inline_keyboard" in (markup or {})


def _check_inline_keyboard(rows: Any) -> None:
    """Rejects inline keyboards Telegram would reject, chiefly over-long callback_data."""
    if not isinstance(rows, list) or not all(isinstance(row, list) for row in rows):
        raise _bad_request("can't parse inline keyboard markup: rows must be Arrays")
    for button in itertools.chain.from_iterable(rows):
        if not isinstance(button, dict) or not isinstance(button.get("text"), str):
            raise _bad_request('can\'t parse inline keyboard button: Field "text" must be String')
        if not any(key in button for key in INLINE_BUTTON_ACTIONS):
            raise _bad_request("text buttons are unallowed in the inline keyboard")
        if "callback_data" in button:
            data = button["callback_data"]
            if not isinstance(data, str) or not 1 <= len(data.encode()) <= CALLBACK_DATA_LIMIT:
                raise _bad_request("BUTTON_DATA_INVALID")
        if "url" in button and not (
            isinstance(button["url"], str) and _BUTTON_URL.fullmatch(button["url"])
        ):
            raise _bad_request("BUTTON_URL_INVALID")


def _check_reply_keyboard(rows: Any) -> None:
    """Rejects reply keyboards whose buttons have no text."""
    if not isinstance(rows, list) or not all(isinstance(row, list) for row in rows):
        raise _bad_request("can't parse keyboard markup: rows must be Arrays")
    for button in itertools.chain.from_iterable(rows):
        text = button if isinstance(button, str) else (button or {}).get("text")
        if not isinstance(text, str) or not text:
            raise _bad_request("can't parse keyboard button: Text must be non-empty")


class Button(NamedTuple):
    """An inline button as the person sees it: its label and its callback_data or URL."""

    text: str
    data: str | None


class BotCommand(NamedTuple):
    """One entry of the bot's command menu."""

    command: str
    description: str


@dataclass(frozen=True)
class StoredFile:
    """A file the double knows by file_id: uploaded by the bot or sent by a person."""

    file_id: str
    file_unique_id: str
    content: bytes | None
    filename: str
    mime_type: str
    path: str
    url: str | None = None

    @property
    def size(self) -> int:
        return len(self.content or b"")


@dataclass(frozen=True)
class MessageEdit:
    """One edit the bot made to a message it had sent."""

    method: str
    body: str | None
    reply_markup: JSON | None
    date: int


@dataclass(eq=False)
class SentMessage:
    """A message the bot sent into a chat, kept current as the bot edits or deletes it."""

    chat: Chat = field(repr=False)
    message_id: int
    method: str
    date: int
    raw: JSON = field(repr=False)
    text: str | None = None
    caption: str | None = None
    source: str | None = None  # text or caption exactly as sent, before parse_mode
    parse_mode: str | None = None
    reply_markup: JSON | None = None
    photo: bytes | None = field(default=None, repr=False)
    document: bytes | None = field(default=None, repr=False)
    filename: str | None = None
    mime_type: str | None = None
    file_id: str | None = None
    location: tuple[float, float] | None = None
    reply_to_message_id: int | None = None
    edits: list[MessageEdit] = field(default_factory=list)
    deleted: bool = False

    @property
    def chat_id(self) -> int:
        return self.chat.id

    @property
    def body(self) -> str:
        """The text, or the caption of a media message, or ''."""
        return self.text if self.text is not None else (self.caption or "")

    @property
    def buttons(self) -> list[list[Button]]:
        """The inline keyboard as rows of (label, callback_data or URL)."""
        if not _is_inline(self.reply_markup):
            return []
        assert self.reply_markup is not None
        return [
            [Button(str(button.get("text", "")), _button_target(button)) for button in row]
            for row in self.reply_markup["inline_keyboard"]
        ]

    @property
    def labels(self) -> list[str]:
        """Every inline button label, in reading order."""
        return [button.text for row in self.buttons for button in row]

    @property
    def keyboard(self) -> list[list[str]] | None:
        """The reply keyboard this message brought up, as rows of labels."""
        rows = (self.reply_markup or {}).get("keyboard")
        if not isinstance(rows, list):
            return None
        return [[b if isinstance(b, str) else str(b.get("text", "")) for b in row] for row in rows]

    @property
    def removes_keyboard(self) -> bool:
        return bool((self.reply_markup or {}).get("remove_keyboard"))

    @property
    def edited(self) -> bool:
        return bool(self.edits)


@dataclass(frozen=True)
class CallbackAnswer:
    """The bot's answerCallbackQuery to one button press."""

    query_id: str
    data: str | None
    message_id: int | None
    text: str | None
    show_alert: bool
    url: str | None
    cache_time: int | None


@dataclass
class ApiCall:
    """One request the bot made, for assertions about what it asked Telegram to do."""

    method: str
    params: JSON
    files: dict[str, UploadedFile]
    at: float
    chat: Chat | None = field(default=None, repr=False)
    status: int | None = None
    result: Any = field(default=None, repr=False)
    error: str | None = None

    @property
    def chat_id(self) -> int | str | None:
        value = self.params.get("chat_id")
        return value if isinstance(value, int | str) else None

    @property
    def ok(self) -> bool:
        return self.status == HTTPStatus.OK


@dataclass(frozen=True)
class WebhookDelivery:
    """One attempt to POST an update to the bot's webhook."""

    update_id: int
    url: str
    attempt: int
    status: int | None
    error: str | None


@dataclass
class WebhookState:
    """The webhook as setWebhook left it; url '' means long polling."""

    url: str = ""
    secret_token: str | None = None
    max_connections: int = 40
    ip_address: str | None = None
    allowed_updates: list[str] | None = None
    last_error_date: int | None = None
    last_error_message: str | None = None


@dataclass
class _Fault:
    method: str
    status: int
    description: str
    retry_after: int | None
    remaining: int
    chat_id: int | str | None

    def matches(self, method: str, chat_id: int | str | None) -> bool:
        if self.method not in ("*", method.lower()):
            return False
        return self.chat_id is None or self.chat_id == chat_id


@dataclass
class _Delay:
    seconds: float
    remaining: int | None


@dataclass
class _Query:
    person: Person
    data: str | None
    message_id: int | None
    answered: bool = False


@dataclass
class _Ok:
    """A successful result that Telegram sends with a description (setWebhook and friends)."""

    result: Any
    description: str


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


class TelegramDouble:
    """A fake Telegram Bot API server on 127.0.0.1 for the real python-telegram-bot to talk to."""

    def __init__(
        self,
        token: str = DEFAULT_TOKEN,
        *,
        username: str = "colbot_test_bot",
        first_name: str = "Colbot",
        quiet_period: float = 0.2,
        webhook_attempts: int = 5,
        webhook_backoff: float = 0.05,
        webhook_timeout: float = 5.0,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.token = token
        self.bot_id = int(token.split(":", 1)[0])
        self.bot_user: JSON = {
            "id": self.bot_id,
            "is_bot": True,
            "first_name": first_name,
            "username": username,
        }
        self.quiet_period = quiet_period
        # Set by a test that can see inside the bot: how many updates from a chat it has finished
        # handling. replies_to then also waits for the bot to finish, not only for quiet.
        self.handled_in: Callable[[int], int] | None = None
        self.webhook_attempts = webhook_attempts
        self.webhook_backoff = webhook_backoff
        self.webhook_timeout = webhook_timeout
        self._clock = clock

        self.calls: list[ApiCall] = []
        self.updates: list[JSON] = []  # every update ever made, delivered or not
        self.dropped_updates: list[JSON] = []  # left out by allowed_updates
        self.undelivered_updates: list[JSON] = []  # webhook gave up on them
        self.webhook = WebhookState()
        self.webhook_deliveries: list[WebhookDelivery] = []
        self.files: dict[str, StoredFile] = {}
        self.internal_errors: list[BaseException] = []

        self._chats: dict[int, Chat] = {}
        self._people: dict[int, Person] = {}
        self._pending: list[JSON] = []
        self._handed_out: set[int] = set()
        self._next_update_id = 100_000_001
        self._allowed_updates: frozenset[str] | None = None
        self._poller = 0
        self._queries: dict[str, _Query] = {}
        self._commands: dict[tuple[str, int | None, int | None, str], list[BotCommand]] = {}
        self._menu_buttons: dict[int | None, JSON] = {}
        self._blocked: set[int] = set()
        self._faults: list[_Fault] = []
        self._delays: dict[str, _Delay] = {}
        self._ids = itertools.count(1)
        self._user_ids = itertools.count(1_000_001)
        self._group_ids = itertools.count(1)
        self.logged_out = False
        self.closed = False

        self._signal = _Signal()
        self._stopping = asyncio.Event()
        self._runner: web.AppRunner | None = None
        self._session: aiohttp.ClientSession | None = None
        self._worker: asyncio.Task[None] | None = None
        self._port: int | None = None
        self._handlers: dict[str, tuple[str, Handler]] = {
            name.lower(): (name, handler)
            for name, handler in (
                ("getMe", self._get_me),
                ("logOut", self._log_out),
                ("close", self._close),
                ("getUpdates", self._get_updates),
                ("setWebhook", self._set_webhook),
                ("deleteWebhook", self._delete_webhook),
                ("getWebhookInfo", self._get_webhook_info),
                ("sendMessage", self._send_message),
                ("sendPhoto", self._send_photo),
                ("sendDocument", self._send_document),
                ("sendLocation", self._send_location),
                ("sendChatAction", self._send_chat_action),
                ("editMessageText", self._edit_message_text),
                ("editMessageCaption", self._edit_message_caption),
                ("editMessageReplyMarkup", self._edit_message_reply_markup),
                ("deleteMessage", self._delete_message),
                ("deleteMessages", self._delete_messages),
                ("answerCallbackQuery", self._answer_callback_query),
                ("setMyCommands", self._set_my_commands),
                ("getMyCommands", self._get_my_commands),
                ("deleteMyCommands", self._delete_my_commands),
                ("setChatMenuButton", self._set_chat_menu_button),
                ("getChatMenuButton", self._get_chat_menu_button),
                ("getFile", self._get_file),
            )
        }

    # ---- lifecycle -------------------------------------------------------------------------

    async def start(self) -> None:
        """Starts serving on a free port and starts the webhook sender."""
        if self._runner is not None:
            raise RuntimeError("this TelegramDouble is already started")
        self._stopping.clear()
        app = web.Application()
        app.router.add_route("*", "/bot{token}/{method}", self._handle_api)
        app.router.add_get("/file/bot{token}/{path:.+}", self._handle_file)
        self._runner = web.AppRunner(app, access_log=None, shutdown_timeout=1.0)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self._port = int(self._runner.addresses[0][1])
        self._session = aiohttp.ClientSession(
            timeout=aiohttp.ClientTimeout(total=self.webhook_timeout)
        )
        self._worker = asyncio.create_task(self._send_webhooks(), name="telegram-double-webhook")

    async def stop(self) -> None:
        """Ends long polls and slow responses, stops the webhook sender and the server."""
        self._stopping.set()
        self._signal.fire()
        if self._worker is not None:
            self._worker.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._worker
            self._worker = None
        if self._session is not None:
            await self._session.close()
            self._session = None
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None
            self._port = None

    async def __aenter__(self) -> Self:
        await self.start()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        await self.stop()
        if exc is None and self.internal_errors:
            raise RuntimeError("the Telegram double itself failed") from self.internal_errors[0]

    @property
    def port(self) -> int:
        if self._port is None:
            raise RuntimeError("start the TelegramDouble first")
        return self._port

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def base_url(self) -> str:
        """What to pass to ApplicationBuilder.base_url (PTB appends token and method)."""
        return f"{self.url}/bot"

    @property
    def base_file_url(self) -> str:
        """What to pass to ApplicationBuilder.base_file_url, for downloads after getFile."""
        return f"{self.url}/file/bot"

    def now(self) -> int:
        """Telegram's dates are Unix seconds."""
        return int(self._clock())

    # ---- the people and chats -------------------------------------------------------------

    def person(
        self,
        first_name: str = "Sam",
        user_id: int | None = None,
        language_code: str | None = "en",
        username: str | None = None,
        *,
        last_name: str | None = None,
    ) -> Person:
        """Someone who has started the bot and chats with it privately."""
        uid = user_id if user_id is not None else next(self._user_ids)
        if uid in self._chats:
            raise ValueError(f"user id {uid} is taken")
        user: JSON = {"id": uid, "is_bot": False, "first_name": first_name}
        chat_data: JSON = {"id": uid, "type": "private", "first_name": first_name}
        for key, value in (("last_name", last_name), ("username", username)):
            if value is not None:
                user[key] = chat_data[key] = value
        if language_code is not None:
            user["language_code"] = language_code
        person = Person(self, user, self._add_chat(chat_data))
        self._people[uid] = person
        return person

    def group(
        self, title: str = "Test group", *, supergroup: bool = True, username: str | None = None
    ) -> Chat:
        """A group the bot is in, for messages that do not belong in a one-to-one chat."""
        n = next(self._group_ids)
        chat_id = -(1_001_000_000_000 + n) if supergroup else -(4_000_000_000 + n)
        kind = "supergroup" if supergroup else "group"
        data: JSON = {"id": chat_id, "type": kind, "title": title}
        if username is not None:
            data["username"] = username
        return self._add_chat(data)

    def channel(self, title: str = "Test channel", *, username: str | None = None) -> Chat:
        """A channel the bot is in, for channel_post updates."""
        n = next(self._group_ids)
        data: JSON = {"id": -(1_002_000_000_000 + n), "type": "channel", "title": title}
        if username is not None:
            data["username"] = username
        return self._add_chat(data)

    def chat(self, chat_id: int | str) -> Chat:
        """A chat the double knows, by id or @username."""
        chat = self._find_chat(chat_id)
        if chat is None:
            raise KeyError(chat_id)
        return chat

    # ---- updates -----------------------------------------------------------------------------

    async def push_update(self, update: JSON) -> JSON:
        """Queues any raw update (inline_query, my_chat_member...); update_id is filled in."""
        kinds = [key for key in update if key != "update_id"]
        if len(kinds) != 1:
            raise ValueError(f"an update has exactly one payload besides update_id, got {kinds}")
        payload = copy.deepcopy(update[kinds[0]])
        queued = self.enqueue(kinds[0], payload, update_id=update.get("update_id"))
        await asyncio.sleep(0)
        return queued

    def enqueue(self, kind: str, payload: JSON, *, update_id: int | None = None) -> JSON:
        """Makes an update and queues it for getUpdates or the webhook."""
        if update_id is None:
            update_id = self._next_update_id
        self._next_update_id = max(self._next_update_id, update_id + 1)
        update = {"update_id": update_id, kind: copy.deepcopy(payload)}
        self.updates.append(update)
        if self._wants(kind):
            self._pending.append(update)
            self._signal.fire()
        else:
            self.dropped_updates.append(update)
        return update

    def _wants(self, kind: str) -> bool:
        """Whether allowed_updates lets this kind of update be made at all, as on Telegram."""
        if self._allowed_updates is None:
            return kind not in OPT_IN_UPDATE_TYPES
        return kind in self._allowed_updates

    @property
    def pending_updates(self) -> list[JSON]:
        """Updates not yet confirmed by getUpdates' offset nor delivered to the webhook."""
        return list(self._pending)

    async def wait_delivered(self, timeout: float = 5.0) -> None:
        """Waits until the bot has fetched or received every queued update."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while any(u["update_id"] not in self._handed_out for u in self._pending):
            if loop.time() >= deadline:
                raise AssertionError(f"updates not delivered within {timeout}s: {self._pending}")
            await self._signal.wait(deadline - loop.time())

    # ---- fault injection --------------------------------------------------------------------

    def fail_next(
        self,
        method: str,
        status: int,
        description: str | None = None,
        retry_after: int | None = None,
        times: int = 1,
        *,
        chat_id: int | str | None = None,
    ) -> None:
        """Makes the next `times` calls of a method ('*' for any) fail with this error."""
        if status == HTTPStatus.TOO_MANY_REQUESTS and retry_after is None:
            retry_after = 1
        if description is None:
            description = {
                400: "Bad Request",
                403: "Forbidden",
                429: f"Too Many Requests: retry after {retry_after}",
            }.get(status) or HTTPStatus(status).phrase
        self._faults.append(
            _Fault(method.lower(), status, description, retry_after, times, chat_id)
        )

    def delay(self, method: str, seconds: float, *, times: int | None = None) -> None:
        """Makes a method ('*' for any) answer `seconds` late; 0 seconds ends the delay."""
        if seconds <= 0:
            self._delays.pop(method.lower(), None)
        else:
            self._delays[method.lower()] = _Delay(seconds, times)

    def clear_faults(self) -> None:
        """Forgets every pending failure and delay."""
        self._faults.clear()
        self._delays.clear()

    def block(self, who: Person | int, *, notify: bool = False) -> None:
        """The person blocks the bot: sends to them now get 403; notify adds my_chat_member."""
        user_id = who.id if isinstance(who, Person) else who
        self._blocked.add(user_id)
        person = self._people.get(user_id)
        if notify and person is not None:
            self._membership_update(person, "member", {"status": "kicked", "until_date": 0})

    def unblock(self, who: Person | int, *, notify: bool = False) -> None:
        """The person unblocks (restarts) the bot."""
        user_id = who.id if isinstance(who, Person) else who
        self._blocked.discard(user_id)
        person = self._people.get(user_id)
        if notify and person is not None:
            self._membership_update(person, "kicked", {"status": "member"})

    @property
    def blocked(self) -> frozenset[int]:
        return frozenset(self._blocked)

    # ---- reading what the bot did -----------------------------------------------------------

    def calls_to(self, method: str) -> list[ApiCall]:
        """The calls of one method, oldest first (method names are case-insensitive)."""
        return [call for call in self.calls if call.method.lower() == method.lower()]

    def commands(
        self,
        scope_chat_id: int | None = None,
        *,
        scope_type: str | None = None,
        user_id: int | None = None,
        language_code: str = "",
    ) -> list[BotCommand]:
        """The command menu set for one scope: default, or a chat's when scope_chat_id is given."""
        kind = scope_type or ("chat" if scope_chat_id is not None else "default")
        return list(self._commands.get((kind, scope_chat_id, user_id, language_code), []))

    def menu_button(self, chat_id: int | None = None) -> JSON | None:
        """The menu button set for a chat (None: the default one)."""
        return self._menu_buttons.get(chat_id)

    # ---- helpers shared with Person and Chat -----------------------------------------------

    def store_file(
        self, content: bytes | None, filename: str, mime_type: str, kind: str
    ) -> StoredFile:
        """Registers a file under a fresh file_id, so getFile and re-sending by id work."""
        n = next(self._ids)
        suffix = filename.rsplit(".", 1)[-1] if "." in filename else "bin"
        stored = StoredFile(
            file_id=f"{kind.upper()}-file-{n:06d}",
            file_unique_id=f"uq{n:06d}",
            content=content,
            filename=filename,
            mime_type=mime_type,
            path=f"{kind}s/file_{n}.{suffix}",
        )
        self.files[stored.file_id] = stored
        return stored

    @staticmethod
    def photo_size(stored: StoredFile, width: int, height: int) -> JSON:
        return {
            "file_id": stored.file_id,
            "file_unique_id": stored.file_unique_id,
            "width": width,
            "height": height,
            "file_size": stored.size,
        }

    @staticmethod
    def document(stored: StoredFile) -> JSON:
        return {
            "file_id": stored.file_id,
            "file_unique_id": stored.file_unique_id,
            "file_name": stored.filename,
            "mime_type": stored.mime_type,
            "file_size": stored.size,
        }

    def new_callback_query(self, person: Person, data: str | None, message_id: int) -> str:
        """A fresh callback query id, remembered so answerCallbackQuery can be checked."""
        query_id = str(person.id * 1_000_000 + next(self._ids))
        self._queries[query_id] = _Query(person, data, message_id)
        return query_id

    def _add_chat(self, data: JSON) -> Chat:
        chat = Chat(self, data)
        self._chats[chat.id] = chat
        return chat

    def _find_chat(self, chat_id: int | str) -> Chat | None:
        if isinstance(chat_id, str) and chat_id.startswith("@"):
            name = chat_id[1:].lower()
            return next(
                (
                    c
                    for c in self._chats.values()
                    if str(c.data.get("username", "")).lower() == name
                ),
                None,
            )
        try:
            return self._chats.get(_to_int(chat_id))
        except ValueError:
            return None

    def _membership_update(self, person: Person, old: str, new: JSON) -> None:
        self.enqueue(
            "my_chat_member",
            {
                "chat": person.chat.data,
                "from": person.user,
                "date": self.now(),
                "old_chat_member": {"user": self.bot_user, "status": old},
                "new_chat_member": {"user": self.bot_user, **new},
            },
        )

    # ---- HTTP --------------------------------------------------------------------------------

    async def _handle_api(self, request: web.Request) -> web.Response:
        """Answers {base_url}{token}/{method} the way api.telegram.org does."""
        token, name = request.match_info["token"], request.match_info["method"]
        if token != self.token:
            shaped = _TOKEN_SHAPE.fullmatch(token)
            return (
                ApiError(401, "Unauthorized") if shaped else ApiError(404, "Not Found")
            ).response()
        entry = self._handlers.get(name.lower())
        try:
            params = await _read_params(request)
        except ApiError as error:
            return error.response()
        method = entry[0] if entry else name
        call = ApiCall(method, params.decoded(), dict(params.files), self._clock())
        call.chat = self._find_chat(call.chat_id) if call.chat_id is not None else None
        self.calls.append(call)
        try:
            await self._slow_down(method)
            self._maybe_fail(method, call)
            if entry is None:
                raise ApiError(404, self._not_found(name))
            outcome = await entry[1](params)
        except ApiError as error:
            call.status, call.error = error.status, error.description
            return error.response()
        except Exception as exc:
            log.exception("the Telegram double failed on %s", method)
            self.internal_errors.append(exc)
            call.status, call.error = 500, f"Internal Server Error: {exc!r}"
            return ApiError(500, call.error).response()
        result, description = (
            (outcome.result, outcome.description) if isinstance(outcome, _Ok) else (outcome, None)
        )
        call.status, call.result = int(HTTPStatus.OK), result
        body: JSON = {"ok": True, "result": result}
        if description:
            body["description"] = description
        return web.json_response(body)

    async def _handle_file(self, request: web.Request) -> web.StreamResponse:
        """Serves file downloads, as api.telegram.org/file/bot<token>/<file_path> does."""
        path = request.match_info["path"]
        stored = next((f for f in self.files.values() if f.path == path), None)
        if request.match_info["token"] != self.token or stored is None or stored.content is None:
            raise web.HTTPNotFound()
        return web.Response(body=stored.content, content_type=stored.mime_type)

    @staticmethod
    def _not_found(name: str) -> str:
        """Telegram's plain 404, or a hint when the method is real but not faked here."""
        snake = re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower()
        if name != name.lower() and callable(getattr(telegram.Bot, snake, None)):
            return f"Not Found: {name} is not implemented by the Telegram test double"
        return "Not Found"

    async def _slow_down(self, method: str) -> None:
        slow = self._delays.get(method.lower()) or self._delays.get("*")
        if slow is None:
            return
        if slow.remaining is not None:
            slow.remaining -= 1
            if slow.remaining <= 0:
                self._delays = {k: v for k, v in self._delays.items() if v is not slow}
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._stopping.wait(), slow.seconds)

    def _maybe_fail(self, method: str, call: ApiCall) -> None:
        for fault in self._faults:
            if fault.matches(method, call.chat_id):
                fault.remaining -= 1
                if fault.remaining <= 0:
                    self._faults.remove(fault)
                raise ApiError(fault.status, fault.description, retry_after=fault.retry_after)

    # ---- webhook delivery --------------------------------------------------------------------

    async def _send_webhooks(self) -> None:
        """Posts queued updates to the webhook one at a time, in order, retrying failures."""
        while True:
            if not self.webhook.url or not self._pending:
                await self._signal.wait(None)
                continue
            try:
                await self._deliver(self._pending[0])
            except Exception as exc:  # a bug here must not silently stop all deliveries
                log.exception("the Telegram double failed to deliver a webhook")
                self.internal_errors.append(exc)
                return

    async def _deliver(self, update: JSON) -> None:
        for attempt in range(1, self.webhook_attempts + 1):
            hook = self.webhook
            if not hook.url or not any(u is update for u in self._pending):
                return  # webhook removed or update dropped meanwhile
            status, error = await self._post_update(hook, update)
            self.webhook_deliveries.append(
                WebhookDelivery(update["update_id"], hook.url, attempt, status, error)
            )
            if error is None:
                self._handed_out.add(update["update_id"])
                self._forget(update)
                return
            hook.last_error_date, hook.last_error_message = self.now(), error
            if attempt < self.webhook_attempts:
                await asyncio.sleep(self.webhook_backoff * 2 ** (attempt - 1))
        self.undelivered_updates.append(update)
        self._forget(update)

    async def _post_update(self, hook: WebhookState, update: JSON) -> tuple[int | None, str | None]:
        assert self._session is not None
        headers: dict[str, str] = {aiohttp.hdrs.CONTENT_TYPE: "application/json"}
        if hook.secret_token:
            headers[SECRET_HEADER] = hook.secret_token
        try:
            async with self._session.post(
                hook.url, data=json.dumps(update).encode(), headers=headers
            ) as response:
                await response.read()
        except TimeoutError:
            return None, "Connection timed out"
        except aiohttp.ClientError as exc:
            return None, f"Connection failed: {exc}"
        if 200 <= response.status < 300:
            return response.status, None
        return (
            response.status,
            f"Wrong response from the webhook: {response.status} {response.reason}",
        )

    def _forget(self, update: JSON) -> None:
        self._pending = [u for u in self._pending if u is not update]
        self._signal.fire()

    # ---- Bot API methods ---------------------------------------------------------------------

    async def _get_me(self, params: Params) -> JSON:
        return {
            **self.bot_user,
            "can_join_groups": True,
            "can_read_all_group_messages": False,
            "supports_inline_queries": False,
            "can_connect_to_business": False,
            "has_main_web_app": False,
        }

    async def _log_out(self, params: Params) -> bool:
        self.logged_out = True
        return True

    async def _close(self, params: Params) -> bool:
        self.closed = True
        return True

    async def _get_updates(self, params: Params) -> list[JSON]:
        """Long polling: confirms updates below offset, then waits up to timeout for some."""
        if self.webhook.url:
            raise ApiError(
                409,
                "Conflict: can't use getUpdates method while webhook is active; "
                "use deleteWebhook to delete the webhook first",
            )
        offset = params.integer("offset") or 0
        limit = min(max(params.integer("limit") or 100, 1), 100)
        timeout = max(params.number("timeout") or 0.0, 0.0)
        if "allowed_updates" in params:
            self._set_allowed_updates(params.json("allowed_updates"))
        if offset > 0:
            self._pending = [u for u in self._pending if u["update_id"] >= offset]
        elif offset < 0:
            self._pending = self._pending[offset:]
        self._poller += 1
        me = self._poller
        self._signal.fire()  # an older long poll now ends with 409, as on Telegram
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            if self._poller != me:
                raise ApiError(
                    409,
                    "Conflict: terminated by other getUpdates request; "
                    "make sure that only one bot instance is running",
                )
            batch = self._pending[:limit]
            remaining = deadline - loop.time()
            if batch or remaining <= 0 or self._stopping.is_set() or self.webhook.url:
                self._handed_out.update(u["update_id"] for u in batch)
                self._signal.fire()
                return batch
            await self._signal.wait(remaining)

    def _set_allowed_updates(self, value: Any) -> None:
        if not isinstance(value, list) or not all(isinstance(kind, str) for kind in value):
            raise _bad_request("can't parse allowed updates")
        self._allowed_updates = frozenset(value) if value else None

    async def _set_webhook(self, params: Params) -> _Ok:
        url = params.text("url") or ""
        if not url:
            return await self._delete_webhook(params)
        if not url.startswith(("https://", "http://")):
            raise _bad_request("bad webhook: An HTTPS URL must be provided for webhook")
        secret = params.text("secret_token")
        if secret is not None and not _SECRET_TOKEN.fullmatch(secret):
            raise _bad_request("secret token contains unallowed characters")
        max_connections = params.integer("max_connections") or 40
        if not 1 <= max_connections <= 100:
            raise _bad_request("bad webhook: max_connections must be between 1 and 100")
        allowed = params.json("allowed_updates")
        if "allowed_updates" in params:
            self._set_allowed_updates(allowed)
        if params.flag("drop_pending_updates"):
            self._pending.clear()
        already = self.webhook.url == url
        self.webhook = WebhookState(
            url=url,
            secret_token=secret,
            max_connections=max_connections,
            ip_address=params.text("ip_address"),
            allowed_updates=allowed if isinstance(allowed, list) else None,
        )
        self._signal.fire()
        return _Ok(True, "Webhook is already set" if already else "Webhook was set")

    async def _delete_webhook(self, params: Params) -> _Ok:
        if params.flag("drop_pending_updates"):
            self._pending.clear()
        had = bool(self.webhook.url)
        self.webhook = WebhookState()
        self._signal.fire()
        return _Ok(True, "Webhook was deleted" if had else "Webhook is already deleted")

    async def _get_webhook_info(self, params: Params) -> JSON:
        hook = self.webhook
        info: JSON = {
            "url": hook.url,
            "has_custom_certificate": False,
            "pending_update_count": len(self._pending),
        }
        if hook.url:
            info["max_connections"] = hook.max_connections
            if hook.ip_address:
                info["ip_address"] = hook.ip_address
            if hook.allowed_updates is not None:
                info["allowed_updates"] = hook.allowed_updates
        if hook.last_error_date is not None:
            info["last_error_date"] = hook.last_error_date
            info["last_error_message"] = hook.last_error_message
        return info

    def _target_chat(self, params: Params) -> Chat:
        """The chat a method acts on; a person who blocked the bot answers 403."""
        chat_id = params.chat_id()
        if chat_id is None:
            raise _bad_request("chat_id is empty")
        chat = self._find_chat(chat_id)
        if chat is None:
            raise _bad_request("chat not found")
        if chat.id in self._blocked:
            raise ApiError(403, "Forbidden: bot was blocked by the user")
        return chat

    def _reply_markup(self, params: Params, *, inline_only: bool = False) -> JSON | None:
        if "reply_markup" not in params:
            return None
        unparsable = "can't parse reply keyboard markup JSON object"
        markup = params.json("reply_markup", unparsable)
        if not isinstance(markup, dict):
            raise _bad_request(unparsable)
        if "inline_keyboard" in markup:
            _check_inline_keyboard(markup["inline_keyboard"])
        elif inline_only:
            raise _bad_request("inline keyboard expected")
        elif "keyboard" in markup:
            _check_reply_keyboard(markup["keyboard"])
        elif not (markup.get("remove_keyboard") or markup.get("force_reply")):
            raise _bad_request(unparsable)
        return markup

    def _reply_target(self, chat: Chat, params: Params) -> JSON | None:
        """The replied-to message (reply_parameters or the older reply_to_message_id)."""
        allow_missing = params.flag("allow_sending_without_reply")
        target_id: int | None = None
        if "reply_parameters" in params:
            reply = params.json("reply_parameters")
            if not isinstance(reply, dict) or "message_id" not in reply:
                raise _bad_request("can't parse reply parameters JSON object")
            try:
                target_id = _to_int(reply["message_id"])
            except (ValueError, TypeError) as exc:
                raise _bad_request("invalid reply parameters") from exc
            allow_missing = bool(reply.get("allow_sending_without_reply", allow_missing))
        else:
            target_id = params.integer("reply_to_message_id")
        if target_id is None:
            return None
        if target_id not in chat.log:
            if allow_missing:
                return None
            raise _bad_request("message to be replied not found")
        replied = copy.deepcopy(chat.log[target_id])
        replied.pop("reply_to_message", None)
        return replied

    def _rendered(self, params: Params, name: str) -> tuple[str | None, str | None, str | None]:
        """(visible text, text as sent, parse_mode) of a text or caption parameter."""
        source = params.text(name)
        parse_mode = params.text("parse_mode")
        if source is None:
            return None, None, parse_mode
        return _plain_text(source, parse_mode), source, parse_mode

    def _caption(self, params: Params) -> tuple[str | None, str | None, str | None]:
        caption, source, parse_mode = self._rendered(params, "caption")
        if caption is not None and len(caption) > CAPTION_LIMIT:
            raise _bad_request("message caption is too long")
        return caption, source, parse_mode

    @staticmethod
    def _checked_text(text: str | None) -> str:
        if text is None or not text.strip():
            raise _bad_request("message text is empty")
        if len(text) > TEXT_LIMIT:
            raise _bad_request("message is too long")
        return text

    def _post(self, chat: Chat, params: Params, method: str, content: JSON, **record: Any) -> JSON:
        """Puts a bot message into a chat and returns it as the Message object."""
        markup = self._reply_markup(params)
        replied = self._reply_target(chat, params)
        message: JSON = {"message_id": chat.next_message_id()}
        if chat.type == "channel":
            message["sender_chat"] = chat.data
        else:
            message["from"] = self.bot_user
        message.update(chat=chat.data, date=self.now())
        if replied is not None:
            message["reply_to_message"] = replied
        message.update({key: value for key, value in content.items() if value is not None})
        if _is_inline(markup):
            message["reply_markup"] = markup
        chat.log[message["message_id"]] = message
        chat.record(
            SentMessage(
                chat=chat,
                message_id=message["message_id"],
                method=method,
                date=message["date"],
                raw=message,
                reply_markup=markup,
                reply_to_message_id=replied["message_id"] if replied else None,
                **record,
            )
        )
        return message

    def _input_file(self, params: Params, name: str, mime_type: str) -> StoredFile:
        value = params.input_file(name)
        if value is None:
            raise _bad_request(f"there is no {name} in the request")
        if isinstance(value, UploadedFile):
            content_type = value.content_type or mime_type
            return self.store_file(value.content, value.filename, content_type, name)
        if value in self.files:
            return self.files[value]
        if value.startswith(("http://", "https://")):
            filename = value.rsplit("/", 1)[-1] or name
            stored = replace(self.store_file(None, filename, mime_type, name), url=value)
            self.files[stored.file_id] = stored
            return stored
        raise _bad_request("wrong file identifier/HTTP URL specified")

    async def _send_message(self, params: Params) -> JSON:
        chat = self._target_chat(params)
        text, source, parse_mode = self._rendered(params, "text")
        text = self._checked_text(text)
        return self._post(
            chat,
            params,
            "sendMessage",
            {"text": text},
            text=text,
            source=source,
            parse_mode=parse_mode,
        )

    async def _send_photo(self, params: Params) -> JSON:
        chat = self._target_chat(params)
        caption, source, parse_mode = self._caption(params)
        stored = self._input_file(params, "photo", "image/jpeg")
        width, height = _image_size(stored.content)
        return self._post(
            chat,
            params,
            "sendPhoto",
            {"photo": [self.photo_size(stored, width, height)], "caption": caption},
            caption=caption,
            source=source,
            parse_mode=parse_mode,
            photo=stored.content,
            filename=stored.filename,
            mime_type=stored.mime_type,
            file_id=stored.file_id,
        )

    async def _send_document(self, params: Params) -> JSON:
        chat = self._target_chat(params)
        caption, source, parse_mode = self._caption(params)
        stored = self._input_file(params, "document", "application/octet-stream")
        return self._post(
            chat,
            params,
            "sendDocument",
            {"document": self.document(stored), "caption": caption},
            caption=caption,
            source=source,
            parse_mode=parse_mode,
            document=stored.content,
            filename=stored.filename,
            mime_type=stored.mime_type,
            file_id=stored.file_id,
        )

    async def _send_location(self, params: Params) -> JSON:
        chat = self._target_chat(params)
        latitude, longitude = params.number("latitude"), params.number("longitude")
        if latitude is None or not -90 <= latitude <= 90:
            raise _bad_request("wrong latitude specified")
        if longitude is None or not -180 <= longitude <= 180:
            raise _bad_request("wrong longitude specified")
        location: JSON = {"latitude": latitude, "longitude": longitude}
        if (live_period := params.integer("live_period")) is not None:
            location["live_period"] = live_period
        return self._post(
            chat, params, "sendLocation", {"location": location}, location=(latitude, longitude)
        )

    async def _send_chat_action(self, params: Params) -> bool:
        chat = self._target_chat(params)
        action = params.text("action")
        if action not in CHAT_ACTIONS:
            raise _bad_request("wrong parameter action in request")
        chat.actions.append(action)
        return True

    def _editable(self, params: Params) -> SentMessage:
        """The bot message an edit method names, or Telegram's error for why it can't be."""
        if "inline_message_id" in params:
            raise _bad_request("inline messages are not supported by the Telegram test double")
        chat = self._target_chat(params)
        message_id = params.integer("message_id")
        if message_id is None:
            raise _bad_request("message identifier is not specified")
        sent = chat.find(message_id)
        if sent is None:
            if message_id in chat.log:
                raise _bad_request("message can't be edited")
            raise _bad_request("message to edit not found")
        return sent

    def _apply_edit(
        self, sent: SentMessage, method: str, changes: JSON, markup: JSON | None
    ) -> JSON:
        """Edits a bot message in place; an edit that changes nothing is an error."""
        before = {key: sent.raw.get(key) for key in ("text", "caption", "reply_markup")}
        after = {**before, **changes, "reply_markup": markup if _is_inline(markup) else None}
        if after == before:
            raise _bad_request(NOT_MODIFIED)
        for key, value in after.items():
            if value is None:
                sent.raw.pop(key, None)
            else:
                sent.raw[key] = value
        sent.raw["edit_date"] = self.now()
        if markup is not None or _is_inline(sent.reply_markup):
            sent.reply_markup = markup
        body = after["text"] if after["text"] is not None else after["caption"]
        sent.edits.append(MessageEdit(method, body, markup, sent.raw["edit_date"]))
        sent.chat.touch()
        return sent.raw

    async def _edit_message_text(self, params: Params) -> JSON:
        sent = self._editable(params)
        text, source, parse_mode = self._rendered(params, "text")
        text = self._checked_text(text)
        if sent.text is None:
            raise _bad_request("there is no text in the message to edit")
        markup = self._reply_markup(params, inline_only=True)
        edited = self._apply_edit(sent, "editMessageText", {"text": text}, markup)
        sent.text, sent.source, sent.parse_mode = text, source, parse_mode
        return edited

    async def _edit_message_caption(self, params: Params) -> JSON:
        sent = self._editable(params)
        caption, source, parse_mode = self._caption(params)
        if sent.text is not None:
            raise _bad_request("there is no caption in the message to edit")
        markup = self._reply_markup(params, inline_only=True)
        edited = self._apply_edit(sent, "editMessageCaption", {"caption": caption}, markup)
        sent.caption, sent.source, sent.parse_mode = caption, source, parse_mode
        return edited

    async def _edit_message_reply_markup(self, params: Params) -> JSON:
        sent = self._editable(params)
        markup = self._reply_markup(params, inline_only=True)
        return self._apply_edit(sent, "editMessageReplyMarkup", {}, markup)

    def _delete(self, chat: Chat, message_id: int) -> bool:
        if chat.log.pop(message_id, None) is None:
            return False
        sent = chat.find(message_id)
        if sent is not None:
            sent.deleted = True
        chat.touch()
        return True

    async def _delete_message(self, params: Params) -> bool:
        chat = self._target_chat(params)
        message_id = params.integer("message_id")
        if message_id is None:
            raise _bad_request("message identifier is not specified")
        if not self._delete(chat, message_id):
            raise _bad_request("message to delete not found")
        return True

    async def _delete_messages(self, params: Params) -> bool:
        chat = self._target_chat(params)
        ids = params.json("message_ids")
        if not isinstance(ids, list) or not 1 <= len(ids) <= 100:
            raise _bad_request("message_ids must be a list of 1-100 identifiers")
        for message_id in ids:
            self._delete(chat, _to_int(message_id))
        return True

    async def _answer_callback_query(self, params: Params) -> bool:
        query_id = params.text("callback_query_id") or ""
        query = self._queries.get(query_id)
        if query is None or query.answered:
            raise _bad_request(
                "query is too old and response timeout expired or query ID is invalid"
            )
        text = params.text("text")
        if text is not None and len(text) > CALLBACK_ANSWER_LIMIT:
            raise _bad_request("MESSAGE_TOO_LONG")
        query.answered = True
        query.person.callback_answers.append(
            CallbackAnswer(
                query_id=query_id,
                data=query.data,
                message_id=query.message_id,
                text=text,
                show_alert=params.flag("show_alert"),
                url=params.text("url"),
                cache_time=params.integer("cache_time"),
            )
        )
        query.person.chat.touch()
        return True

    def _scope_key(self, params: Params) -> tuple[str, int | None, int | None, str]:
        """Where a command list lives: scope type, chat, user and language."""
        scope = params.json("scope") or {"type": "default"}
        kind = scope.get("type") if isinstance(scope, dict) else None
        if kind not in SCOPE_TYPES:
            raise _bad_request("can't parse BotCommandScope: unknown type")
        assert isinstance(scope, dict)
        chat_id: int | None = None
        user_id: int | None = None
        if kind in ("chat", "chat_administrators", "chat_member"):
            chat = self._find_chat(scope.get("chat_id", ""))
            if chat is None:
                raise _bad_request("chat not found")
            chat_id = chat.id
        if kind == "chat_member":
            try:
                user_id = _to_int(scope.get("user_id"))
            except (ValueError, TypeError) as exc:
                raise _bad_request("user not found") from exc
        language = params.text("language_code") or ""
        if language and not re.fullmatch(r"[a-z]{2}", language):
            raise _bad_request("invalid language code specified")
        return str(kind), chat_id, user_id, language

    async def _set_my_commands(self, params: Params) -> bool:
        commands = params.json("commands")
        if not isinstance(commands, list):
            raise _bad_request('parameter "commands" is required')
        if len(commands) > COMMANDS_LIMIT:
            raise _bad_request("too many commands")
        menu: list[BotCommand] = []
        for entry in commands:
            name = entry.get("command") if isinstance(entry, dict) else None
            description = entry.get("description") if isinstance(entry, dict) else None
            if not isinstance(name, str) or not _COMMAND_NAME.fullmatch(name):
                raise _bad_request("BOT_COMMAND_INVALID")
            if not isinstance(description, str) or not 1 <= len(description) <= 256:
                raise _bad_request("command description must be 1-256 characters")
            menu.append(BotCommand(name, description))
        key = self._scope_key(params)
        if menu:
            self._commands[key] = menu
        else:
            self._commands.pop(key, None)
        return True

    async def _get_my_commands(self, params: Params) -> list[JSON]:
        menu = self._commands.get(self._scope_key(params), [])
        return [{"command": c.command, "description": c.description} for c in menu]

    async def _delete_my_commands(self, params: Params) -> bool:
        self._commands.pop(self._scope_key(params), None)
        return True

    async def _set_chat_menu_button(self, params: Params) -> bool:
        chat_id: int | None = None
        if "chat_id" in params:
            chat = self._target_chat(params)
            if chat.type != "private":
                raise _bad_request("menu button can be set only in private chats")
            chat_id = chat.id
        button = params.json("menu_button") or {"type": "default"}
        if not isinstance(button, dict) or button.get("type") not in MENU_BUTTON_TYPES:
            raise _bad_request("can't parse menu button JSON object")
        if button["type"] == "web_app" and not (
            button.get("text") and isinstance(button.get("web_app"), dict)
        ):
            raise _bad_request("web app menu button needs text and web_app")
        self._menu_buttons[chat_id] = button
        return True

    async def _get_chat_menu_button(self, params: Params) -> JSON:
        chat_id = self._target_chat(params).id if "chat_id" in params else None
        return (
            self._menu_buttons.get(chat_id) or self._menu_buttons.get(None) or {"type": "default"}
        )

    async def _get_file(self, params: Params) -> JSON:
        stored = self.files.get(params.text("file_id") or "")
        if stored is None or stored.content is None:
            raise _bad_request("invalid file_id")
        return {
            "file_id": stored.file_id,
            "file_unique_id": stored.file_unique_id,
            "file_size": stored.size,
            "file_path": stored.path,
        }


@pytest_asyncio.fixture
async def telegram_double() -> AsyncIterator[TelegramDouble]:
    """A started Telegram double for one test, stopped after it."""
    async with TelegramDouble() as double:
        yield double
