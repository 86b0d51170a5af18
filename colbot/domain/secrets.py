"""One-time secrets (invites, sign-in links): only a hash is ever stored, never the secret."""

from __future__ import annotations

import hashlib


def hash_secret(secret: str) -> str:
    """What colbot keeps of a secret it handed out, to recognise it when it comes back."""
    return hashlib.sha256(secret.encode()).hexdigest()
