"""Cross-site request checks for forms that change something: the sender's origin and a token.

A page on another site can make a browser POST to colbot with colbot's cookies attached; it can
neither make the browser claim colbot's origin nor read the token colbot's own forms carry (a
double-submit cookie: the same random value in an HttpOnly cookie and in a hidden form field).
"""

from __future__ import annotations

import enum
import hmac
import re
import secrets
from collections.abc import Mapping
from urllib.parse import urlsplit

from aiohttp import web

COOKIE = "colbot_csrf"
FIELD = "csrf"
TOKEN_BYTES = 32
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
DEFAULT_PORTS = {"http": 80, "https": 443}
WELL_FORMED = re.compile(r"[A-Za-z0-9_-]{43}")  # what token_urlsafe(32) gives


class Refusal(enum.StrEnum):
    """Why a request that would change something was refused."""

    ELSEWHERE = "elsewhere"  # another site's page sent it
    UNSAID = "unsaid"  # the browser said neither Origin nor Referer
    UNMATCHED = "unmatched"  # the form's token is missing or is not this browser's


def origin(url: str) -> str | None:
    """A URL's origin as scheme://host:port with the port always written, or None if it has none."""
    parts = urlsplit(url.strip())
    try:
        port = parts.port
    except ValueError:
        return None
    if parts.scheme not in DEFAULT_PORTS or not parts.hostname:
        return None
    host = f"[{parts.hostname}]" if ":" in parts.hostname else parts.hostname
    return f"{parts.scheme}://{host}:{port or DEFAULT_PORTS[parts.scheme]}"


def check_origin(headers: Mapping[str, str], own: str) -> Refusal | None:
    """Whether the browser says the request came from colbot's own origin (Origin, else Referer)."""
    said = headers.get("Origin") or headers.get("Referer")
    if not said:
        return Refusal.UNSAID
    # An opaque origin ("null": a sandboxed frame, a data: URL) is nobody's, so never ours.
    return None if origin(said) == origin(own) else Refusal.ELSEWHERE


def check_token(cookie: str | None, field: str | None) -> Refusal | None:
    """Whether the form carries this browser's token, compared in constant time."""
    if not cookie or not field or WELL_FORMED.fullmatch(cookie) is None:
        return Refusal.UNMATCHED
    same = hmac.compare_digest(cookie.encode(), field.encode())
    return None if same else Refusal.UNMATCHED


def token_for(request: web.Request) -> str:
    """The browser's token: the one its cookie already holds, so other open tabs keep working."""
    kept = request.cookies.get(COOKIE, "")
    return kept if WELL_FORMED.fullmatch(kept) else secrets.token_urlsafe(TOKEN_BYTES)


def keep_token(response: web.StreamResponse, token: str, path: str, secure: bool) -> None:
    """Gives the browser its token as a cookie no script can read and no other site can send."""
    response.set_cookie(COOKIE, token, path=path, httponly=True, samesite="Strict", secure=secure)
