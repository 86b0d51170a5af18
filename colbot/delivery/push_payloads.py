"""Web Push without the I/O: reading a browser's subscription and what a notification says.

A subscription is what `PushManager.subscribe()` gives the page (the Push API's
`PushSubscription.toJSON()`): an endpoint at the browser's push service and the two keys of
RFC 8291 that encrypt what is sent there.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

MAX_ENDPOINT_LENGTH = 2048
P256DH_BYTES = 65  # an uncompressed P-256 point
AUTH_BYTES = 16
NOTIFICATION_BODY_CHARACTERS = 140
# Push services keep at most one pending message per topic: a phone that was off for a while
# wakes to the latest news from colbot, not a pile of them.
TOPIC = "colbot"
# A notification still in transit after this long is dropped by the push service: a reminder
# that reaches a phone hours late, perhaps at night, would do more harm than good.
TIME_TO_LIVE_S = 4 * 3600


class BadSubscription(ValueError):
    """What the page sent is not a push subscription colbot can use."""


@dataclass(frozen=True)
class Subscription:
    """Where to send a browser's notifications, and the keys that encrypt them."""

    endpoint: str
    p256dh: str
    auth: str

    @property
    def endpoint_hash(self) -> str:
        """A fixed-length key for the endpoint, which can be a long URL."""
        return endpoint_hash(self.endpoint)

    def as_info(self) -> dict[str, Any]:
        """The shape pywebpush takes."""
        return {"endpoint": self.endpoint, "keys": {"p256dh": self.p256dh, "auth": self.auth}}


def endpoint_hash(endpoint: str) -> str:
    """The key an endpoint is stored under."""
    return hashlib.sha256(endpoint.encode()).hexdigest()


def b64url(raw: bytes) -> str:
    """Unpadded base64url, the form Web Push writes keys in."""
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")


def _key_bytes(value: object, size: int, name: str) -> bytes:
    if not isinstance(value, str) or not value:
        raise BadSubscription(f"keys.{name} is missing")
    try:
        raw = base64.urlsafe_b64decode(value + "=" * (-len(value) % 4))
    except (binascii.Error, ValueError) as error:
        raise BadSubscription(f"keys.{name} is not base64url") from error
    if len(raw) != size:
        raise BadSubscription(f"keys.{name} should be {size} bytes, not {len(raw)}")
    return raw


def read_subscription(data: object) -> Subscription:
    """A subscription from the page's JSON, checked so that nothing odd is stored or sent to."""
    if not isinstance(data, dict):
        raise BadSubscription("expected a JSON object")
    endpoint = data.get("endpoint")
    if not isinstance(endpoint, str) or not 0 < len(endpoint) <= MAX_ENDPOINT_LENGTH:
        raise BadSubscription("endpoint is missing or too long")
    parts = urlsplit(endpoint)
    if parts.scheme not in {"https", "http"} or not parts.hostname:
        raise BadSubscription("endpoint is not a web address")
    keys = data.get("keys")
    if not isinstance(keys, dict):
        raise BadSubscription("keys are missing")
    p256dh = _key_bytes(keys.get("p256dh"), P256DH_BYTES, "p256dh")
    if p256dh[0] != 0x04:
        raise BadSubscription("keys.p256dh is not an uncompressed P-256 point")
    auth = _key_bytes(keys.get("auth"), AUTH_BYTES, "auth")
    return Subscription(endpoint=endpoint, p256dh=b64url(p256dh), auth=b64url(auth))


def notification(title: str, text: str, url: str) -> bytes:
    """What the service worker shows: a title, the message's first line, and where a tap goes."""
    first_line = next((line.strip() for line in text.splitlines() if line.strip()), "")
    if len(first_line) > NOTIFICATION_BODY_CHARACTERS:
        first_line = first_line[: NOTIFICATION_BODY_CHARACTERS - 1].rstrip() + "…"
    body = {"title": title, "body": first_line, "url": url, "tag": TOPIC}
    return json.dumps(body, ensure_ascii=False).encode()
