"""What a checked badge says it is, in words: its name, picture, issuer, holder and date.

Read from the very document that was verified, so the checker leads with what it checked.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from colbot.openbadges.documents import EMAIL_IDENTITY
from colbot.openbadges.verdicts import Verdict, as_list


@dataclass(frozen=True)
class BadgeSummary:
    """A checked badge as a person reads it."""

    name: str
    image: str
    issuer: str
    awarded_to: str
    earned: str
    hashed_email: bool
    parts: tuple[tuple[str, str], ...] = ()  # a city badge's evidence: each badge's name and link


def _text(value: Any) -> str:
    return value.strip() if isinstance(value, str) else ""


def _image(value: Any) -> str:
    found = value.get("id") if isinstance(value, dict) else value
    image = _text(found)
    return image if image.startswith(("https://", "http://")) else ""


def _parts(evidence: Any) -> tuple[tuple[str, str], ...]:
    """The badges a city badge lists as its evidence, by name and credential link."""
    found = []
    for item in as_list(evidence):
        if isinstance(item, dict) and _text(item.get("name")) and _image(item.get("id")):
            found.append((_text(item.get("name")), _image(item.get("id"))))
    return tuple(found)


def summary_of(verdict: Verdict) -> BadgeSummary | None:
    """The summary of an OB 3.0 credential or OB 2.0 assertion; None for anything else."""
    document = verdict.document
    if not isinstance(document, dict):
        return None
    subject = document.get("credentialSubject")
    if isinstance(subject, dict):
        achievement = subject.get("achievement") or {}
        issuer = document.get("issuer")
        identifiers = [i for i in as_list(subject.get("identifier")) if isinstance(i, dict)]
        hashed_email = any(i.get("identityType") == EMAIL_IDENTITY for i in identifiers)
        return BadgeSummary(
            name=_text(achievement.get("name")) or _text(document.get("name")),
            image=_image(achievement.get("image") or document.get("image")),
            issuer=_text(issuer.get("name")) if isinstance(issuer, dict) else "",
            awarded_to=_holder(subject.get("id"), identifiers),
            earned=_text(document.get("validFrom") or document.get("issuanceDate")),
            hashed_email=hashed_email,
            parts=_parts(document.get("evidence")),
        )
    badge = document.get("badge")
    if isinstance(badge, dict) or "recipient" in document:
        badge = badge if isinstance(badge, dict) else {}
        issuer = badge.get("issuer")
        recipient = document.get("recipient") or {}
        kind = recipient.get("type") if isinstance(recipient, dict) else None
        return BadgeSummary(
            name=_text(badge.get("name")),
            image=_image(badge.get("image") or document.get("image")),
            issuer=_text(issuer.get("name")) if isinstance(issuer, dict) else "",
            awarded_to="someone identified by a hashed e-mail address"
            if kind == "email"
            else "the person who holds this badge",
            earned=_text(document.get("issuedOn")),
            hashed_email=kind == "email",
            parts=_parts(document.get("evidence")),
        )
    return None


def _holder(subject_id: Any, identifiers: list[dict[str, Any]]) -> str:
    if any(i.get("identityType") == EMAIL_IDENTITY for i in identifiers):
        return "someone identified by a hashed e-mail address"
    if _text(subject_id).startswith("did:"):
        return f"the wallet {_text(subject_id)}"
    return "the person who holds this badge"
