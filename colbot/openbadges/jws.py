"""OB 2.0 signed badges: an Assertion as the payload of a compact RS256 JWS."""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from cryptography.hazmat.primitives.asymmetric import rsa
from joserfc import jws
from joserfc.errors import JoseError
from joserfc.jwk import RSAKey

from colbot.openbadges.errors import BadgeError, SignatureError
from colbot.openbadges.keys import RS256, rsa_public_from_pem
from colbot.openbadges.multibase import b64url_decode

ALGORITHMS = [RS256]
COMPACT_JWS = re.compile(r"^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$")


@dataclass(frozen=True)
class Compact:
    """The readable parts of a compact JWS, before anyone has checked its signature."""

    header: dict[str, Any]
    payload: dict[str, Any]


def looks_compact(text: str) -> bool:
    """Whether text has the shape header.payload.signature."""
    return bool(COMPACT_JWS.match(text.strip()))


def read_compact(token: str) -> Compact:
    """Decodes a compact JWS's header and JSON payload without verifying anything."""
    token = token.strip()
    if not looks_compact(token):
        raise BadgeError("not a compact JWS (expected header.payload.signature)")
    header_part, payload_part, _ = token.split(".")
    try:
        header = json.loads(b64url_decode(header_part))
        payload = json.loads(b64url_decode(payload_part))
    except (ValueError, UnicodeDecodeError) as error:
        raise BadgeError(f"the JWS header or payload is not JSON: {error}") from error
    if not isinstance(header, dict) or not isinstance(payload, dict):
        raise BadgeError("the JWS header and payload must be JSON objects")
    return Compact(header=header, payload=payload)


def json_bytes(document: Mapping[str, Any]) -> bytes:
    """Compact UTF-8 JSON, the bytes that get signed."""
    return json.dumps(document, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def sign_assertion(assertion: Mapping[str, Any], private_key: rsa.RSAPrivateKey) -> str:
    """Signs an OB 2.0 Assertion as a compact JWS with RS256."""
    key = RSAKey.import_key(private_key)
    return jws.serialize_compact({"alg": RS256}, json_bytes(assertion), key, algorithms=ALGORITHMS)


def verify_assertion(token: str, public_key_pem: str | bytes) -> dict[str, Any]:
    """The Assertion inside a JWS, if its RS256 signature matches the PEM key."""
    try:
        key = RSAKey.import_key(rsa_public_from_pem(public_key_pem))
    except (BadgeError, JoseError) as error:
        raise SignatureError(f"the key is not a usable RSA public key: {error}") from error
    try:
        signed = jws.deserialize_compact(token.strip(), key, algorithms=ALGORITHMS)
    except JoseError as error:
        raise SignatureError(
            "the RS256 signature does not match the key: "
            "the badge was changed after signing, or signed with another key"
        ) from error
    try:
        payload = json.loads(signed.payload)
    except (ValueError, UnicodeDecodeError) as error:
        raise SignatureError("the signed payload is not JSON") from error
    if not isinstance(payload, dict):
        raise SignatureError("the signed payload is not a JSON object")
    return payload
