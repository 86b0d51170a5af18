"""Journeys as a service: unguessable links, sharing, what shows, and reading them cheaply."""

from __future__ import annotations

import base64
from datetime import timedelta

import pytest
from sqlalchemy import text

from colbot.app import Colbot
from colbot.journeys import store as journeys
from colbot.journeys.shared import (
    PublicJourney,
    public_journey,
    read_public_journey,
    shared_badge,
)
from colbot.storage.readers import sqlite_reader
from tests.support import databases
from tests.support.demo import TEST_NOW
from tests.support.issuer import StandInIssuer
from tests.support.journeys import Make, Owner, journey_row, statements_run

MIN_SLUG_BITS = 128


async def both_ways(
    colbot: Colbot, slug: str, with_documents: bool = False
) -> PublicJourney | None:
    """Reads a journey through the async session and through the sqlite3 reader; they agree."""
    async with colbot.database.reading() as session:
        through_session = await public_journey(session, slug, with_documents)
    if databases.ON_POSTGRES:
        return through_session  # the sqlite3 reader is SQLite's alone
    reader = sqlite_reader(colbot.database)
    assert reader is not None
    try:
        through_reader = await reader.run(lambda c: read_public_journey(c, slug, with_documents))
    finally:
        reader.close()
    assert through_session == through_reader
    return through_reader


def test_slugs_carry_at_least_128_random_bits() -> None:
    slugs = {journeys.new_slug() for _ in range(2_000)}
    assert len(slugs) == 2_000
    for slug in list(slugs)[:50]:
        raw = base64.urlsafe_b64decode(slug + "=" * (-len(slug) % 4))
        assert len(raw) * 8 >= MIN_SLUG_BITS
        assert slug.replace("-", "").replace("_", "").isalnum()


async def test_a_new_journey_is_private_until_shared(colbot: Colbot, make_owner: Make) -> None:
    owner = await make_owner(sharing=False)
    assert await both_ways(colbot, owner.slug) is None
    async with colbot.database.transaction() as session:
        journey = await journeys.journey_for(session, owner.person, TEST_NOW)
        journeys.set_sharing(journey, True)
    shown = await both_ways(colbot, owner.slug)
    assert shown is not None and shown.nickname == "Sammy"
    assert shown.passion_ids == ("coding", "music")
    assert [b.name for b in shown.badges] == ["Game Jam", "Bike Repair"]  # newest first
    assert shown.total_hours == pytest.approx(2.5 + 3.5)
    assert shown.badges[0].issuer == "Kensalfield City of Learning"
    assert shown.badges[0].what == "Session 2 at the club"


async def test_a_new_link_retires_the_old_one_at_once(colbot: Colbot, make_owner: Make) -> None:
    owner = await make_owner()
    async with colbot.database.transaction() as session:
        journey = await journeys.journey_for(session, owner.person, TEST_NOW)
        new = journeys.replace_link(journey)
    assert new != owner.slug
    assert await both_ways(colbot, owner.slug) is None
    assert await both_ways(colbot, new) is not None


async def test_hidden_parts_and_badges_do_not_show(colbot: Colbot, make_owner: Make) -> None:
    owner = await make_owner(badges=3)
    async with colbot.database.transaction() as session:
        journey = await journeys.journey_for(session, owner.person, TEST_NOW)
        assert journeys.toggle_part(journey, journeys.NICKNAME) is False
        assert journeys.toggle_part(journey, journeys.PASSIONS) is False
        assert journeys.toggle_badge(journey, owner.badge_ids[0]) is False
    shown = await both_ways(colbot, owner.slug, with_documents=True)
    assert shown is not None
    assert shown.nickname is None and shown.passion_ids == ()
    assert owner.badge_ids[0] not in {b.public_id for b in shown.badges}
    assert set(shown.documents) == {b.public_id for b in shown.badges}
    assert shown.total_hours == pytest.approx(3.5 + 4.5)
    async with colbot.database.transaction() as session:
        journey = await journeys.journey_for(session, owner.person, TEST_NOW)
        assert journeys.toggle_badge(journey, owner.badge_ids[0]) is True
    shown = await both_ways(colbot, owner.slug)
    assert shown is not None and len(shown.badges) == 3


async def test_revoked_badges_leave_the_page_but_can_still_be_checked(
    colbot: Colbot, make_owner: Make, issuer: StandInIssuer
) -> None:
    owner = await make_owner(badges=2)
    await issuer.revoke(owner.badge_ids[0], TEST_NOW + timedelta(hours=1))
    shown = await both_ways(colbot, owner.slug)
    assert shown is not None and [b.public_id for b in shown.badges] == [owner.badge_ids[1]]
    async with colbot.database.reading() as session:
        found = await shared_badge(session, owner.slug, owner.badge_ids[0])
    assert found is not None and found[0].revoked


async def test_reading_a_journey_costs_the_same_few_queries_whatever_its_size(
    colbot: Colbot, make_owner: Make
) -> None:
    small = await make_owner(badges=1, chat_id="small")
    large = await make_owner(badges=8, chat_id="large")
    counts = []
    for owner in (small, large):
        with statements_run(colbot) as statements:
            async with colbot.database.reading() as session:
                assert await public_journey(session, owner.slug, with_documents=True)
        counts.append(len([s for s in statements if s.lstrip().upper().startswith("SELECT")]))
    # The link (which says whether they follow a pathway, so one who follows none needs no read
    # of which), passions, badges.
    assert counts[0] == counts[1] == 3


async def test_unknown_switched_off_and_replaced_links_run_the_same_one_query(
    colbot: Colbot, make_owner: Make
) -> None:
    off = await make_owner(sharing=False, chat_id="off")
    replaced = await make_owner(chat_id="replaced")
    async with colbot.database.transaction() as session:
        journeys.replace_link(await journeys.journey_for(session, replaced.person, TEST_NOW))
    seen = []
    for slug in (journeys.new_slug(), off.slug, replaced.slug):
        with statements_run(colbot) as statements:
            async with colbot.database.reading() as session:
                assert await public_journey(session, slug) is None
        selects = [s for s in statements if s.lstrip().upper().startswith("SELECT")]
        seen.append([s.replace(slug, "<slug>") for s in selects])
    assert seen[0] == seen[1] == seen[2] and len(seen[0]) == 1


@pytest.mark.parametrize(
    "query",
    [
        "SELECT young_person_id FROM journeys WHERE slug = 'x' AND sharing = 1",
        "SELECT public_id FROM issued_badges WHERE young_person_id = 1",
        "SELECT passion_id FROM young_person_passions WHERE young_person_id = 1",
    ],
)
@pytest.mark.skipif(
    databases.ON_POSTGRES, reason="SQLite's query plans; PostgreSQL's depend on table sizes"
)
async def test_page_queries_use_indexes(colbot: Colbot, query: str) -> None:
    async with colbot.database.reading() as session:
        plan = " ".join(
            str(row) for row in await session.execute(text(f"EXPLAIN QUERY PLAN {query}"))
        )
    assert "SEARCH" in plan and "SCAN" not in plan, plan


async def test_badge_choices_list_every_unrevoked_badge(
    colbot: Colbot, make_owner: Make, issuer: StandInIssuer
) -> None:
    owner: Owner = await make_owner(badges=3)
    await issuer.revoke(owner.badge_ids[1], TEST_NOW)
    async with colbot.database.transaction() as session:
        choices = await journeys.badge_choices(session, owner.person)
    assert [c.public_id for c in choices] == [owner.badge_ids[2], owner.badge_ids[0]]
    journey = await journey_row(colbot, owner)
    assert journey.hidden_badge_ids == []
