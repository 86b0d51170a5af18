"""Where a venue card's QR code leads: colbot's own page, which offers Telegram and the web chat.

A phone without Telegram can't follow a ``t.me`` link anywhere useful, so the QR holds
``{public_url}/c/{CODE}``; that page offers the unchanged Telegram deep link
(``https://t.me/<bot>?start=c_CODE``) and the web chat carrying the same payload.
"""

from __future__ import annotations

from colbot.codes import format as code_format

VENUE_PREFIX = "/c/"


def venue_link(public_url: str, code: str) -> str:
    """The address a venue card's QR holds."""
    canonical = code_format.normalise(code)
    if canonical is None:
        raise ValueError("not a code")
    return f"{public_url.rstrip('/')}{VENUE_PREFIX}{canonical}"


def web_chat_link(public_url: str, code: str) -> str:
    """The web chat, told to redeem the code as soon as it opens."""
    return f"{public_url.rstrip('/')}/chat?start={code_format.deep_link_payload(code)}"
