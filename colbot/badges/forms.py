"""The forms a badge is issued in: what journeys show and what a checker verifies."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from typing import Any

FILENAME_UNSAFE = re.compile(r"[^a-z0-9]+")
MAX_FILENAME_STEM = 60
FALLBACK_STEM = "badge"


@dataclass(frozen=True)
class SignedForms:
    """A badge's signed documents, exactly as issued."""

    ob2_assertion_jws: str | None
    ob3_credential: dict[str, Any] | None
    ob3_jwt: str | None


def download_name(title: str, extension: str) -> str:
    """A name any phone or computer saves a badge under, from its title: bike-repair.png."""
    plain = unicodedata.normalize("NFKD", title).encode("ascii", "ignore").decode("ascii")
    stem = FILENAME_UNSAFE.sub("-", plain.lower()).strip("-")[:MAX_FILENAME_STEM].rstrip("-")
    return f"{stem or FALLBACK_STEM}.{extension}"
