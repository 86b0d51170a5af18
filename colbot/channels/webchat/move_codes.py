"""Move codes: six digits that carry a web chat conversation to another browser, once.

A code is valid for ``MOVE_CODE_TTL`` and works once. Guessing is limited three times over: a
device may get ``MAX_FAILURES_PER_DEVICE`` wrong in a window, a network address 10 (the web chat
counts those), and the whole city ``MAX_FAILURES_CITYWIDE``, so that fresh cookies buy no fresh
guesses and one guesser cannot lock everyone else out. With one code alive at a time, attackers
using the whole city-wide allowance make at most 144 x 100 = 14,400 guesses a day against a
one-in-a-million space: about a 1.4% chance a day of hitting someone's code while it lives, and
the real owner notices at once because their old page stops being them.
"""

from __future__ import annotations

import hashlib
import re
import secrets
from collections.abc import Callable
from datetime import timedelta

MOVE_CODE_DIGITS = 6
MOVE_CODE_TTL = timedelta(minutes=10)
FAILURE_WINDOW = timedelta(minutes=10)
MAX_FAILURES_PER_DEVICE = 5
MAX_FAILURES_CITYWIDE = 100
LINK_FRAGMENT = "move="

_SEPARATORS = re.compile(r"[\s\-.]+")


def new_move_code(randbelow: Callable[[int], int] = secrets.randbelow) -> str:
    """Draws a fresh code, zero-padded so every code has six digits."""
    return f"{randbelow(10**MOVE_CODE_DIGITS):0{MOVE_CODE_DIGITS}d}"


def read_move_code(text: str) -> str | None:
    """The code in what was typed ("123 456", "123-456"), or None if it isn't six digits."""
    digits = _SEPARATORS.sub("", text)
    if len(digits) == MOVE_CODE_DIGITS and digits.isascii() and digits.isdigit():
        return digits
    return None


def move_code_hash(code: str) -> str:
    """What is stored instead of the code, so a database reader can't use a live one directly."""
    return hashlib.sha256(f"colbot-move:{code}".encode()).hexdigest()


def may_try(device_failures: int, citywide_failures: int) -> bool:
    """Whether another guess is allowed, given the wrong codes in the current window."""
    return device_failures < MAX_FAILURES_PER_DEVICE and citywide_failures < MAX_FAILURES_CITYWIDE


def move_link(chat_url: str, code: str) -> str:
    """The one-time link to the chat page, carrying the code."""
    # In the fragment, which browsers never send to servers nor link previewers fetch, so only
    # the page itself (opened by the young person) spends the code.
    return f"{chat_url}#{LINK_FRAGMENT}{code}"
