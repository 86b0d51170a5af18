"""Personal data out of every log line: one filter on the root logger's handlers.

A filter on a handler sees the records of every logger that reaches it (python-telegram-bot's,
httpx's, aiohttp's, apscheduler's and colbot's own) at every level, so DEBUG dumps of updates and
Bot API calls come out with their message text, names, ids and places masked, as do e-mail
addresses, completion codes, sign-in links, secrets in URLs and dumps, and bot tokens, wherever
they occur. Masking happens once per record, on the formatted message and any traceback; a record
with nothing to mask is left exactly as it was.
"""

from __future__ import annotations

import logging
import re

from colbot.codes import format as code_format

EMAIL = "[redacted e-mail]"
CODE = "[redacted code]"
TEXT = "[redacted text]"
TELEGRAM_ID = "[redacted id]"
PLACE = "[redacted place]"
SECRET = "[redacted secret]"  # noqa: S105 (a marker)
BOT_TOKEN = "[redacted bot token]"  # noqa: S105 (a marker)
SIGN_IN = "[redacted sign-in link]"
VALUE = "[redacted value]"

# aiosqlite prints each query's parameters at DEBUG, which no pattern can tell apart from SQL.
RAW_VALUE_LOGGERS = ("aiosqlite",)

# A string as JSON or Python's repr writes it; one cut short by a truncated dump runs to the end.
_QUOTED = r"""'(?:[^'\\]|\\.)*(?:'|\Z)|"(?:[^"\\]|\\.)*(?:"|\Z)"""
_NUMBER = r"""["']?-?\d+(?:\.\d+)?["']?"""
# `"key": value` (JSON), `'key': value` (a dict's repr) and `key=value` (an object's repr).
_KEY = r"""\b(?:{})["']?\s*[:=]\s*"""
_TEXT_KEYS = "text|caption|query|first_name|last_name|username|phone_number|vcard|bio|email"
_ID_KEYS = "id|chat_id|user_id|from_chat_id|sender_chat_id"
_PLACE_KEYS = "latitude|longitude"
_CREDENTIAL_KEYS = "[a-z_]*(?:token|secret|password)|colbot_device"
# Unquoted `key=value` in a query string or a Cookie header: values of these names are masked.
_QUERY_KEYS = f"t|start|code|[a-z_]*key|{_CREDENTIAL_KEYS}|{_TEXT_KEYS}|{_ID_KEYS}|{_PLACE_KEYS}"
# A value without quotes, unless it is None or a marker already in place.
_BARE = r"""(?!(?:None|True|False)\b|\[redacted )[^\s&;"'#,)}\]]+"""

# The value runs to the ")" before PostgreSQL's own words, so a key holding ")" is masked whole.
_KEY_DETAIL = r"(\b[Kk]ey \([^)]*\)=\()[^\n]*?(?=\)(?:\s+already|\s+is\s|\s+conflicts|\.?$))"

# Each pattern runs only on text holding one of its triggers, so most lines cost a few `in`s.
_KEY_VALUE = ("=", "':", '":')
_PATTERNS: tuple[tuple[tuple[str, ...], re.Pattern[str], str], ...] = (
    (("/dashboard/sign-in?",), re.compile(r"(/dashboard/sign-in\?)[^\s\"'<>]*"), SIGN_IN),
    # A venue page's address holds its code, a kept web chat file's its token, typos and all.
    (("/c/",), re.compile(r"(/c/)[^\s\"'<>?#/]+"), CODE),
    (("/chat/files/",), re.compile(r"(/chat/files/)[^\s\"'<>?#/]+"), SECRET),
    (_KEY_VALUE, re.compile(rf"({_KEY.format(_TEXT_KEYS)})(?:{_QUOTED})"), TEXT),
    (_KEY_VALUE, re.compile(rf"({_KEY.format(_ID_KEYS)}){_NUMBER}"), TELEGRAM_ID),
    (_KEY_VALUE, re.compile(rf"({_KEY.format(_PLACE_KEYS)}){_NUMBER}"), PLACE),
    (_KEY_VALUE, re.compile(rf"({_KEY.format(_CREDENTIAL_KEYS)})(?:{_QUOTED}|{_BARE})"), SECRET),
    (("=",), re.compile(rf"((?:^|(?<=[?&;\s]))(?:{_QUERY_KEYS})=){_BARE}"), SECRET),
    ((":",), re.compile(r"((?<!\d))\d{5,}:[\w-]{30,}"), BOT_TOKEN),
    # PostgreSQL's DETAIL line quotes the key: "Key (public_id)=(telegram-81…) already exists".
    (
        ("Key (", "key ("),
        re.compile(
            r"(\b[Kk]ey \([^)]*\)=\()[^\n]*?(?=\)(?:\s+already|\s+is\s|\s+conflicts|\.?$))", re.M
        ),
        VALUE,
    ),
    # Any script: a young person's address may be josé@exemplo.pt.
    (("@",), re.compile(r"((?<![\w.%+-]))[\w.%+-]+@[\w-]+(?:\.[\w-]+)*\.\w{2,}"), EMAIL),
)
# Every start of something code-shaped, overlapping: "hello KX7PQ-2MDAS" holds two candidates.
_CODE_CANDIDATE = re.compile(
    r"(?<![A-Za-z0-9])(?=([A-Za-z0-9]{5}[-\s._]?[A-Za-z0-9]{5})(?![A-Za-z0-9]))"
)
# Tracebacks are formatted as the standard formatters would, before masking, and kept on the record.
_TRACEBACKS = logging.Formatter()
_MASKED = "_colbot_redacted"


def _mask_codes(text: str) -> str:
    """Replaces every completion code (as colbot tells one from chat) with the code marker.

    Overlapping candidates are masked together: in "hello 7X7PQ-2MDAS", "hello 7X7PQ" has a
    code's shape too, and masking it alone would leave "-2MDAS" showing.
    """
    spans: list[list[int]] = []
    for candidate in _CODE_CANDIDATE.finditer(text):
        code = candidate.group(1)
        if code_format.looks_like_code(code):
            start, end = candidate.start(), candidate.start() + len(code)
            if spans and start < spans[-1][1]:
                spans[-1][1] = max(spans[-1][1], end)
            else:
                spans.append([start, end])
    if not spans:
        return text
    pieces: list[str] = []
    done = 0
    for start, end in spans:
        pieces += (text[done:start], CODE)
        done = end
    pieces.append(text[done:])
    return "".join(pieces)


def redact(text: str) -> str:
    """The text with every piece of personal data or secret in it replaced by a marker."""
    for triggers, pattern, marker in _PATTERNS:
        if any(trigger in text for trigger in triggers):
            # The pattern's one group is what stays: the key, the path, or nothing.
            text = pattern.sub(rf"\g<1>{marker}", text)
    return _mask_codes(text)


class RedactingFilter(logging.Filter):
    """Masks personal data in a record's message and traceback; never drops a record."""

    def filter(self, record: logging.LogRecord) -> bool:
        if getattr(record, _MASKED, False):
            return True
        setattr(record, _MASKED, True)
        try:
            message = record.getMessage()
        except Exception:
            # Arguments that don't fit the format: shown beside it, masked, rather than lost.
            message = f"{record.msg} {record.args!r}"
        masked = redact(message)
        if masked != message:
            record.msg, record.args = masked, None
        if record.exc_info and not record.exc_text:
            record.exc_text = _TRACEBACKS.formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = redact(record.exc_text)
        return True


REDACTION = RedactingFilter()


def install(root: logging.Logger | None = None) -> None:
    """Masks every record that the root logger's handlers emit, whichever logger it came from.

    Call it once the handlers are in place; a handler added later is not covered.
    """
    for handler in (root or logging.getLogger()).handlers:
        if REDACTION not in handler.filters:
            handler.addFilter(REDACTION)
    for name in RAW_VALUE_LOGGERS:
        raw = logging.getLogger(name)
        raw.setLevel(max(logging.INFO, raw.level))


def uninstall(root: logging.Logger | None = None) -> None:
    """Takes the filter off the root logger's handlers again (tests share their handlers)."""
    for handler in (root or logging.getLogger()).handlers:
        handler.removeFilter(REDACTION)
