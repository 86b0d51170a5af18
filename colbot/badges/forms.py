"""The forms a badge is issued in: what journeys show and what a checker verifies."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class SignedForms:
    """A badge's signed documents, exactly as issued."""

    ob2_assertion_jws: str | None
    ob3_credential: dict[str, Any] | None
    ob3_jwt: str | None
