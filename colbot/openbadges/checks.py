"""The outcome of one verification step, so a verdict can say exactly what failed and why."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Check:
    """One named verification step: whether it passed, and a sentence a person can read."""

    name: str
    passed: bool
    detail: str


def first_failure(checks: list[Check]) -> Check | None:
    """The check to quote when explaining why something is not valid."""
    return next((check for check in checks if not check.passed), None)
