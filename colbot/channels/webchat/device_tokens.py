"""Device tokens colbot made itself: a random part and colbot's own MAC of it.

A browser becomes a web chat device only through the chat page's handshake, so a made-up
cookie is refused rather than given a new chat (and a row) on every guess.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
import secrets
from pathlib import Path

RANDOM_BYTES = 24
MAC_BYTES = 16
KEY_BYTES = 32
SEPARATOR = "."
DEVICE_KEY_FILE = "webchat-devices.key"


def new_token(key: bytes) -> str:
    """A fresh token for a browser that opened the chat page."""
    random_part = secrets.token_urlsafe(RANDOM_BYTES)
    return f"{random_part}{SEPARATOR}{_mac(key, random_part)}"


def genuine(key: bytes, token: str) -> bool:
    """Whether colbot made this token (compared in constant time)."""
    random_part, separator, mac = token.rpartition(SEPARATOR)
    return bool(separator and random_part) and hmac.compare_digest(mac, _mac(key, random_part))


def _mac(key: bytes, random_part: str) -> str:
    digest = hmac.new(key, random_part.encode(), hashlib.sha256).digest()[:MAC_BYTES]
    return base64.urlsafe_b64encode(digest).decode().rstrip("=")


def load_or_create_key(path: Path) -> bytes:
    """The key every process of this colbot shares, made once in its data folder (mode 0600)."""
    if not path.is_file():
        path.parent.mkdir(parents=True, exist_ok=True)
        draft = path.with_name(f".{path.name}.{secrets.token_hex(8)}")
        descriptor = os.open(draft, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "wb") as file:
            file.write(secrets.token_bytes(KEY_BYTES))
        try:
            os.link(draft, path)  # atomic: of processes starting together, the first one wins
        except FileExistsError:
            pass
        finally:
            draft.unlink()
    return path.read_bytes()
