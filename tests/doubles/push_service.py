"""A Web Push service double on loopback, and a browser's side of a push subscription.

Browsers' push services (Mozilla's autopush, Google's FCM, Apple's) can't be reached from here,
so this stands in for one, speaking RFC 8030: it takes `POST /push/<id>` with a VAPID
`Authorization` header (RFC 8292) and an aes128gcm body (RFC 8188, 8291). It checks the VAPID
token with PyJWT and decrypts the body with `cryptography` as a browser would, so colbot's
sending (pywebpush) is checked by code other than its own.
"""

from __future__ import annotations

import base64
import json
import os
import secrets
import struct
from dataclasses import dataclass, field
from typing import Any

import jwt
from aiohttp import web
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF


def b64url(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")


def unb64url(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _hkdf(salt: bytes, ikm: bytes, info: bytes, length: int) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=length, salt=salt, info=info).derive(ikm)


@dataclass
class BrowserKeys:
    """What a browser makes when a page subscribes: a P-256 key pair and an auth secret."""

    private: ec.EllipticCurvePrivateKey = field(
        default_factory=lambda: ec.generate_private_key(ec.SECP256R1())
    )
    auth: bytes = field(default_factory=lambda: os.urandom(16))

    @property
    def public(self) -> bytes:
        return self.private.public_key().public_bytes(
            serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
        )

    def subscription(self, endpoint: str) -> dict[str, Any]:
        """`PushSubscription.toJSON()`, as the page posts it."""
        return {
            "endpoint": endpoint,
            "expirationTime": None,
            "keys": {"p256dh": b64url(self.public), "auth": b64url(self.auth)},
        }

    def decrypt(self, body: bytes) -> bytes:
        """Opens an aes128gcm message (RFC 8291 section 3.4, RFC 8188 section 2)."""
        salt, record_size, id_length = body[:16], struct.unpack("!I", body[16:20])[0], body[20]
        server_public = body[21 : 21 + id_length]
        records = body[21 + id_length :]
        assert len(records) <= record_size, "one record is plenty for a notification"
        shared = self.private.exchange(
            ec.ECDH(), ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), server_public)
        )
        ikm = _hkdf(self.auth, shared, b"WebPush: info\x00" + self.public + server_public, 32)
        key = _hkdf(salt, ikm, b"Content-Encoding: aes128gcm\x00", 16)
        nonce = _hkdf(salt, ikm, b"Content-Encoding: nonce\x00", 12)
        padded = AESGCM(key).decrypt(nonce, records, None)
        unpadded = padded.rstrip(b"\x00")
        assert unpadded.endswith(b"\x02"), "the last record ends with the delimiter 2"
        return unpadded[:-1]


@dataclass
class Push:
    """One notification the double accepted, opened."""

    subscription_id: str
    headers: dict[str, str]  # names in lower case
    claims: dict[str, Any]
    message: dict[str, Any]


class PushServiceDouble:
    """A push service: hands out endpoints, checks VAPID, decrypts, and can refuse or forget."""

    def __init__(self) -> None:
        self.pushes: list[Push] = []
        self.refusals: list[tuple[str, int, str]] = []
        self.browsers: dict[str, BrowserKeys] = {}
        self.gone: set[str] = set()
        self.status = 201
        self._runner: web.AppRunner | None = None
        self.base_url = ""

    async def __aenter__(self) -> PushServiceDouble:
        app = web.Application()
        app.router.add_post("/push/{id}", self._push)
        self._runner = web.AppRunner(app)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        port = self._runner.addresses[0][1]
        self.base_url = f"http://127.0.0.1:{port}"
        return self

    async def __aexit__(self, *exc: object) -> None:
        assert self._runner is not None
        await self._runner.cleanup()

    def new_browser(self) -> tuple[dict[str, Any], BrowserKeys]:
        """A subscription at this service, as a browser would make it."""
        subscription_id = secrets.token_urlsafe(16)
        keys = BrowserKeys()
        self.browsers[subscription_id] = keys
        return keys.subscription(f"{self.base_url}/push/{subscription_id}"), keys

    def pushes_to(self, subscription: dict[str, Any]) -> list[Push]:
        wanted = subscription["endpoint"].rsplit("/", 1)[1]
        return [p for p in self.pushes if p.subscription_id == wanted]

    def _refuse(self, subscription_id: str, status: int, why: str) -> web.Response:
        self.refusals.append((subscription_id, status, why))
        return web.Response(status=status, text=why)

    async def _push(self, request: web.Request) -> web.Response:
        subscription_id = request.match_info["id"]
        keys = self.browsers.get(subscription_id)
        if keys is None or subscription_id in self.gone:
            return self._refuse(subscription_id, 410, "subscription has expired or was removed")
        scheme, _, credentials = request.headers.get("Authorization", "").partition(" ")
        fields = dict(part.strip().split("=", 1) for part in credentials.split(",") if "=" in part)
        if scheme != "vapid" or "t" not in fields or "k" not in fields:
            return self._refuse(subscription_id, 401, "VAPID authorization missing")
        server_key = ec.EllipticCurvePublicKey.from_encoded_point(
            ec.SECP256R1(), unb64url(fields["k"])
        )
        try:
            claims = jwt.decode(
                fields["t"], key=server_key, algorithms=["ES256"], audience=self.base_url
            )
        except jwt.PyJWTError as error:
            return self._refuse(subscription_id, 403, f"VAPID token refused: {error}")
        if request.headers.get("Content-Encoding") != "aes128gcm" or "TTL" not in request.headers:
            return self._refuse(subscription_id, 400, "aes128gcm body and TTL header required")
        if self.status >= 300:
            return self._refuse(subscription_id, self.status, "refused on purpose")
        message = json.loads(keys.decrypt(await request.read()))
        headers = {name.lower(): value for name, value in request.headers.items()}
        self.pushes.append(Push(subscription_id, headers, claims, message))
        return web.Response(status=201, headers={"Location": f"/message/{len(self.pushes)}"})
