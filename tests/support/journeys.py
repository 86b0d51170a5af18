"""Journeys in a test: an owner with badges, their journey row, and strings that must never leak."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from sqlalchemy import select

from colbot.app import Colbot
from colbot.journeys import store as journeys
from colbot.storage.models import Journey, YoungPerson
from tests.support.demo import TEST_NOW

XSS_SCRIPT = "<script>alert(1)</script>"


XSS_ATTRIBUTE = '"><img src=x onerror=alert(1)>'


SECRET_EMAIL = "sam.secret@example.net"


SECRET_AREA = "kf-north-secret"


@dataclass
class Owner:
    """A young person with a journey, for tests."""

    person: YoungPerson
    slug: str
    badge_ids: list[str]


Make = Callable[..., Awaitable[Owner]]


async def journey_row(colbot: Colbot, owner: Owner) -> Journey:
    async with colbot.database.transaction() as session:
        journey = await session.scalar(
            select(Journey).where(Journey.young_person_id == owner.person.id)
        )
        assert journey is not None
        return journey


async def set_sharing(colbot: Colbot, owner: Owner, on: bool) -> None:
    """Switches the owner's journey sharing on or off, as the chat does."""
    async with colbot.database.transaction() as session:
        journeys.set_sharing(await journeys.journey_for(session, owner.person, TEST_NOW), on)
