"""One family of exceptions so callers can tell badge problems from bugs."""

from __future__ import annotations


class BadgeError(ValueError):
    """Something about a badge, key or image is not acceptable."""


class UnknownContextError(BadgeError):
    """A JSON-LD context was asked for that colbot does not pin."""


class DroppedTermError(BadgeError):
    """JSON-LD expansion would silently lose part of a document, so signing it would lie."""

    def __init__(self, term: str, why: str = "no context in @context defines it") -> None:
        super().__init__(f"JSON-LD expansion would drop {term!r}: {why}")
        self.term = term


class CanonicalisationError(BadgeError):
    """A document could not be turned into canonical N-Quads."""


class CanonicalisationBudgetError(CanonicalisationError):
    """A document needs more canonicalisation work than any real badge does: a poison graph."""


class SignatureError(BadgeError):
    """A signature does not verify, or cannot be checked at all."""


class BakingError(BadgeError):
    """An image cannot be baked or unbaked."""


class InputTooLargeError(BakingError):
    """An input is over the size colbot is willing to read."""
