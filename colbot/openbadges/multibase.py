"""Multibase and Multikey encodings, written out so that no extra dependency is needed."""

from __future__ import annotations

import base64

from colbot.openbadges.errors import BadgeError

BASE58_ALPHABET = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"
BASE58_INDEX = {char: value for value, char in enumerate(BASE58_ALPHABET)}
BASE58BTC_PREFIX = "z"
BASE64URL_PREFIX = "u"
ED25519_PUB_MULTICODEC = b"\xed\x01"
ED25519_PUBLIC_KEY_BYTES = 32


def base58_encode(data: bytes) -> str:
    """Bitcoin-alphabet base58, keeping leading zero bytes as '1's."""
    zeros = len(data) - len(data.lstrip(b"\0"))
    number = int.from_bytes(data, "big")
    digits: list[str] = []
    while number:
        number, remainder = divmod(number, 58)
        digits.append(BASE58_ALPHABET[remainder])
    return "1" * zeros + "".join(reversed(digits))


def base58_decode(text: str) -> bytes:
    """The inverse of base58_encode; rejects characters outside the alphabet."""
    number = 0
    for char in text:
        if char not in BASE58_INDEX:
            raise BadgeError(f"{char!r} is not a base58btc character")
        number = number * 58 + BASE58_INDEX[char]
    zeros = len(text) - len(text.lstrip("1"))
    body = number.to_bytes((number.bit_length() + 7) // 8, "big") if number else b""
    return b"\0" * zeros + body


def encode_base58btc(data: bytes) -> str:
    """Multibase base58btc: 'z' then base58."""
    return BASE58BTC_PREFIX + base58_encode(data)


def decode_base58btc(text: str) -> bytes:
    """Reads a 'z'-prefixed multibase value."""
    if not text.startswith(BASE58BTC_PREFIX):
        raise BadgeError(f"expected a multibase base58btc value starting with 'z': {text[:16]!r}")
    return base58_decode(text[len(BASE58BTC_PREFIX) :])


def encode_base64url(data: bytes) -> str:
    """Multibase base64url without padding: 'u' then the text."""
    return BASE64URL_PREFIX + base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def decode_base64url(text: str) -> bytes:
    """Reads a 'u'-prefixed multibase base64url value (padding optional)."""
    if not text.startswith(BASE64URL_PREFIX):
        raise BadgeError("expected a multibase base64url value starting with 'u'")
    return b64url_decode(text[len(BASE64URL_PREFIX) :])


def b64url_decode(text: str) -> bytes:
    """Plain base64url with or without padding, strictly."""
    padded = text + "=" * (-len(text) % 4)
    try:
        return base64.urlsafe_b64decode(padded.encode("ascii"))
    except (ValueError, UnicodeEncodeError) as error:
        raise BadgeError("not valid base64url") from error


def ed25519_multikey(raw_public_key: bytes) -> str:
    """An Ed25519 public key as a Multikey publicKeyMultibase (z6Mk...)."""
    if len(raw_public_key) != ED25519_PUBLIC_KEY_BYTES:
        raise BadgeError("an Ed25519 public key is 32 bytes")
    return encode_base58btc(ED25519_PUB_MULTICODEC + raw_public_key)


def ed25519_from_multikey(multikey: str) -> bytes:
    """The raw 32-byte Ed25519 key inside a publicKeyMultibase."""
    decoded = decode_base58btc(multikey)
    if not decoded.startswith(ED25519_PUB_MULTICODEC):
        raise BadgeError("publicKeyMultibase is not an Ed25519 public key (no 0xed01 header)")
    raw = decoded[len(ED25519_PUB_MULTICODEC) :]
    if len(raw) != ED25519_PUBLIC_KEY_BYTES:
        raise BadgeError("publicKeyMultibase holds a key of the wrong length")
    return raw
