"""did:key for Ed25519: the DID a wallet makes from its own key, read without any network."""

from __future__ import annotations

from cryptography.hazmat.primitives.asymmetric import ed25519

from colbot.openbadges.errors import BadgeError
from colbot.openbadges.multibase import ed25519_from_multikey

DID_KEY_PREFIX = "did:key:"
ED25519_FINGERPRINT_PREFIX = "z6Mk"
MAX_DID_LENGTH = 100


def public_key_of(did: str) -> ed25519.Ed25519PublicKey:
    """The Ed25519 key a did:key names; anything else (another method or key type) is refused."""
    fingerprint = did.removeprefix(DID_KEY_PREFIX)
    if (
        len(did) > MAX_DID_LENGTH
        or fingerprint == did
        or not fingerprint.startswith(ED25519_FINGERPRINT_PREFIX)
    ):
        raise BadgeError(f"{did[:MAX_DID_LENGTH]!r} is not an Ed25519 did:key")
    return ed25519.Ed25519PublicKey.from_public_bytes(ed25519_from_multikey(fingerprint))


def key_id(did: str) -> str:
    """The did:key document's one verification method: the DID, '#', its own fingerprint."""
    return f"{did}#{did.removeprefix(DID_KEY_PREFIX)}"
