"""Recipients are named by salted hashes, so a badge does not publish a young person's email."""

from __future__ import annotations

import hashlib
import hmac
import secrets

SHA256_PREFIX = "sha256$"
MD5_PREFIX = "md5$"
SALT_BYTES = 16


def new_salt() -> str:
    """A fresh random salt for one badge's recipient hash."""
    return secrets.token_hex(SALT_BYTES)


def normalise_email(email: str) -> str:
    """Emails are compared without case or surrounding space."""
    return email.strip().lower()


def hash_identity(identity: str, salt: str | None) -> str:
    """'sha256$' + hex(sha256(identity + salt)), the form both OB 2.0 and OB 3.0 use."""
    digest = hashlib.sha256((identity + (salt or "")).encode("utf-8")).hexdigest()
    return SHA256_PREFIX + digest


def identity_matches(claimed: str, hashed: bool, salt: str | None, candidate: str) -> bool:
    """Whether a badge's recipient identity names the candidate (exactly, or as an email)."""
    options = {candidate, normalise_email(candidate)}
    if not hashed:
        return any(hmac.compare_digest(claimed.strip().lower(), option) for option in options)
    algorithm, _, expected = claimed.partition("$")
    for option in options:
        data = (option + (salt or "")).encode("utf-8")
        if algorithm.lower() == "sha256":
            actual = hashlib.sha256(data).hexdigest()
        elif algorithm.lower() == "md5":
            # OB 2.0 still allows md5 recipient hashes; reading them is not a security decision.
            actual = hashlib.md5(data, usedforsecurity=False).hexdigest()
        else:
            return False
        if hmac.compare_digest(actual, expected.lower()):
            return True
    return False
