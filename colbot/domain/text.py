"""Cleaning what people type, so that odd characters never reach storage or matching."""

from __future__ import annotations

import re
import unicodedata

_INVISIBLE = re.compile("[\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u206f\ufeff]")
_SPACES = re.compile(r"\s+")


def clean(text: str) -> str:
    """Drops invisible and control characters and folds runs of white space."""
    text = unicodedata.normalize("NFC", _INVISIBLE.sub("", text))
    text = "".join(ch for ch in text if unicodedata.category(ch) != "Cc" or ch in "\n\t")
    return _SPACES.sub(" ", text).strip()


def folded(text: str) -> str:
    """A form for comparing typed answers: cleaned, lower case, without emoji or punctuation."""
    kept = "".join(
        ch if unicodedata.category(ch)[0] in "LN" else " " for ch in clean(text).casefold()
    )
    return _SPACES.sub(" ", kept).strip()


def valid_nickname(text: str, max_length: int) -> str | None:
    """A cleaned nickname, or None if it has no letters or is too long."""
    name = clean(text).replace("\n", " ")
    if not 1 <= len(name) <= max_length:
        return None
    if not any(unicodedata.category(ch).startswith("L") for ch in name):
        return None
    return name
