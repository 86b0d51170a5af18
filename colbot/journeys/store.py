"""Learning journeys: the secret link a young person shares, and what it shows."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from colbot.journeys.shared import NAME, NEWEST_FIRST, humanised, text_of
from colbot.storage.models import IssuedBadge, Journey, YoungPerson

SLUG_BYTES = 24  # 192 random bits: the link is the only key to the page
NICKNAME = "nickname"
PASSIONS = "passions"


def new_slug() -> str:
    """A fresh unguessable link id, URL-safe as it is."""
    return secrets.token_urlsafe(SLUG_BYTES)


async def journey_for(session: AsyncSession, person: YoungPerson, now: datetime) -> Journey:
    """The person's journey, made on first use with sharing off."""
    journey = await session.scalar(select(Journey).where(Journey.young_person_id == person.id))
    if journey is None:
        journey = Journey(
            young_person_id=person.id,
            slug=new_slug(),
            sharing=False,
            show_nickname=True,
            show_passions=True,
            hidden_badge_ids=[],
            created_at=now,
        )
        session.add(journey)
        await session.flush()
    return journey


def set_sharing(journey: Journey, on: bool) -> None:
    """Turns the public page on or off; off, the link answers like one that never existed."""
    journey.sharing = on


def replace_link(journey: Journey) -> str:
    """Gives the journey a new link; the old one stops working when this commits."""
    journey.slug = new_slug()
    return journey.slug


def toggle_part(journey: Journey, part: str) -> bool:
    """Shows or hides the nickname or the passions; says whether it is now shown."""
    if part == NICKNAME:
        journey.show_nickname = not journey.show_nickname
        return journey.show_nickname
    if part == PASSIONS:
        journey.show_passions = not journey.show_passions
        return journey.show_passions
    raise ValueError(f"unknown journey part {part!r}")


def toggle_badge(journey: Journey, public_id: str) -> bool:
    """Shows or hides one badge; says whether it is now shown."""
    hidden = list(journey.hidden_badge_ids or [])
    if public_id in hidden:
        hidden.remove(public_id)
    else:
        hidden.append(public_id)
    journey.hidden_badge_ids = hidden  # a new list, so the JSON column is written
    return public_id not in hidden


@dataclass(frozen=True)
class BadgeChoice:
    """One of a person's badges, as the chat lists it for showing or hiding."""

    public_id: str
    name: str
    issued_at: datetime


async def badge_choices(session: AsyncSession, person: YoungPerson) -> list[BadgeChoice]:
    """The person's badges that are not revoked, newest first."""
    rows = await session.execute(
        select(IssuedBadge.public_id, IssuedBadge.badge_class_id, NAME, IssuedBadge.issued_at)
        .where(IssuedBadge.young_person_id == person.id, IssuedBadge.revoked_at.is_(None))
        .order_by(*NEWEST_FIRST)
    )
    return [
        BadgeChoice(
            row.public_id, text_of(row.name) or humanised(row.badge_class_id), row.issued_at
        )
        for row in rows
    ]
