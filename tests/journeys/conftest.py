"""A colbot with a stand-in issuer, and young people whose journeys have real signed badges."""

from __future__ import annotations

from datetime import timedelta

import pytest

from colbot.app import Colbot
from colbot.journeys import store as journeys
from colbot.openbadges.keys import IssuerKeys
from colbot.people import store as people
from colbot.storage.models import YoungPersonPassion
from colbot.web.site import add_document_source
from tests.support.demo import TEST_NOW
from tests.support.issuer import BIKE_REPAIR, CODING, StandInIssuer
from tests.support.journeys import SECRET_AREA, SECRET_EMAIL, Make, Owner


@pytest.fixture(scope="session")
def issuer_keys() -> IssuerKeys:
    return IssuerKeys.generate()


@pytest.fixture
def issuer(colbot: Colbot, issuer_keys: IssuerKeys) -> StandInIssuer:
    issuer = StandInIssuer(issuer_keys, colbot.database, colbot.settings.public_url)
    add_document_source(colbot.web_app, issuer.source)
    return issuer


@pytest.fixture
def make_owner(colbot: Colbot, issuer: StandInIssuer) -> Make:
    """Makes a young person with a full profile, a shared journey and some badges."""

    async def make(
        nickname: str = "Sammy",
        badges: int = 2,
        sharing: bool = True,
        passions: tuple[str, ...] = ("music", "coding"),
        chat_id: str = "owner",
    ) -> Owner:
        async with colbot.database.transaction() as session:
            person = await people.create(session, "telegram", chat_id, "en", TEST_NOW)
            person.nickname = nickname
            person.age = 17
            person.area_id = SECRET_AREA
            person.latitude, person.longitude = 52.123456, -1.654321
            person.email = SECRET_EMAIL
            for passion in passions:
                session.add(
                    YoungPersonPassion(
                        young_person_id=person.id, passion_id=passion, chosen_at=TEST_NOW
                    )
                )
            journey = await journeys.journey_for(session, person, TEST_NOW)
            journeys.set_sharing(journey, sharing)
            slug = journey.slug
        issued = []
        for number in range(badges):
            kind = (BIKE_REPAIR, CODING)[number % 2]
            when = TEST_NOW - timedelta(days=30 * (badges - number))
            badge = await issuer.issue(
                person, kind, 2.5 + number, when, narrative=f"Session {number + 1} at the club"
            )
            issued.append(badge.public_id)
        return Owner(person, slug, issued)

    return make
