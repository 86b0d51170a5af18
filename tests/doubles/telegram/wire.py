"""The Bot API as it is on the wire: parameters, limits, keyboards and the records of calls."""

from __future__ import annotations

import html.parser
import itertools
import json
import logging
import re
import struct
import zlib
from collections.abc import Awaitable, Callable, Iterator, Mapping
from dataclasses import dataclass, field
from http import HTTPStatus
from typing import TYPE_CHECKING, Any, NamedTuple, TypeVar

import aiohttp
from aiohttp import web

if TYPE_CHECKING:
    from tests.doubles.telegram.people import Chat


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


# JPEG start-of-frame markers, which carry the size (0xC4, 0xC8 and 0xCC are other segments).
_JPEG_FRAMES = frozenset(range(0xC0, 0xD0)) - {0xC4, 0xC8, 0xCC}


def _jpeg_size(content: bytes) -> tuple[int, int] | None:
    """A JPEG's size, read from its start-of-frame segment."""
    position = 2
    while position + 9 <= len(content) and content[position] == 0xFF:
        marker = content[position + 1]
        if marker in _JPEG_FRAMES:
            height, width = struct.unpack(">HH", content[position + 5 : position + 9])
            return int(width), int(height)
        (length,) = struct.unpack(">H", content[position + 2 : position + 4])
        position += 2 + length
    return None


def _image_size(content: bytes | None) -> tuple[int, int]:
    """A PNG's or JPEG's real size, or a plausible photo size for anything else."""
    if content and content[:8] == b"\x89PNG\r\n\x1a\n" and len(content) >= 24:
        width, height = struct.unpack(">II", content[16:24])
        return int(width), int(height)
    if content and content[:2] == b"\xff\xd8" and (size := _jpeg_size(content)) is not None:
        return size
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
    thumbnail: bytes | None = field(default=None, repr=False)  # a document's preview, as sent
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
