"""The journey's version stamp, which the database bumps by its own triggers: every write that
changes what a shared page shows gives it a new version and a visitor a new page (a hidden or
revoked badge gone even for one holding the old ETag), and a re-visit costs one read."""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import pytest
from aiohttp.test_utils import TestClient
from alembic import command
from sqlalchemy import Column, Table, delete, select, text, update
from sqlalchemy.engine import make_url
from sqlalchemy.sql import visitors

from colbot.app import Colbot
from colbot.badges import store as badges
from colbot.codes import store as codes
from colbot.journeys import store as journeys
from colbot.journeys.shared import BADGES_OF, PASSIONS_OF, SHARED
from colbot.journeys.web import JOURNEY_PATHWAYS
from colbot.pathways import store as pathways
from colbot.people import store as people
from colbot.storage.database import Database
from colbot.storage.models import (
    IssuedBadge,
    Journey,
    Opportunity,
    PathwayFollow,
    Redemption,
    YoungPersonPassion,
)
from colbot.web.site import SITE_KEY
from tests.support.badge_flow import make_code
from tests.support.demo import TEST_NOW
from tests.support.issuer import BIKE_REPAIR, StandInIssuer
from tests.support.journeys import Make, Owner, statements_run, visit

Client = TestClient  # type: ignore[type-arg]
ClientMaker = Callable[..., Awaitable[Client]]
LATER = TEST_NOW + timedelta(hours=1)
TRIGGER_PREFIX = "bump_journey_version"
# Columns the page reads that need no trigger, and why.
UNSTAMPED = {
    ("journeys", "sharing"): "off, no read answers; on again, the very same page is right",
    ("journeys", "version"): "the stamp itself",
    ("journeys", "young_person_id"): "whose journey it is, never changed",
}


@pytest.fixture
async def client(colbot: Colbot, aiohttp_client: ClientMaker) -> Client:
    return await aiohttp_client(colbot.web_app)


async def version_of(colbot: Colbot, owner: Owner) -> int:
    async with colbot.database.reading() as session:
        version = await session.scalar(
            select(Journey.version).where(Journey.young_person_id == owner.person.id)
        )
    assert version is not None
    return version


@dataclass(frozen=True)
class Redeemed:
    """A badge earned by redeeming a real completion code, so the page names its opportunity."""

    public_id: str
    redemption_id: int
    opportunity_id: int


async def redeem_for_a_badge(colbot: Colbot, owner: Owner, issuer: StandInIssuer) -> None:
    code, _ = await make_code(colbot)
    async with colbot.database.transaction() as session:
        person = await session.merge(owner.person)
        result = await codes.redeem(session, person, code, "telegram", TEST_NOW)
        assert result.redemption is not None, result.outcome
        redemption_id = result.redemption.id
    await issuer.issue(owner.person, BIKE_REPAIR, 1.5, TEST_NOW, None, redemption_id)


async def redeemed_badge(colbot: Colbot, owner: Owner) -> Redeemed:
    """The owner's badge earned by redeeming a code (see redeem_for_a_badge)."""
    async with colbot.database.reading() as session:
        row = (
            await session.execute(
                select(IssuedBadge.public_id, Redemption.id, Redemption.opportunity_id)
                .join(Redemption, Redemption.id == IssuedBadge.redemption_id)
                .where(IssuedBadge.young_person_id == owner.person.id)
            )
        ).one()
    return Redeemed(*row)


async def an_other_opportunity(colbot: Colbot, than: int) -> tuple[int, str]:
    """Another opportunity, with a title of its own."""
    async with colbot.database.reading() as session:
        title = await session.scalar(select(Opportunity.title).where(Opportunity.id == than))
        other = (
            await session.execute(
                select(Opportunity.id, Opportunity.title)
                .where(Opportunity.id != than, Opportunity.title != title)
                .limit(1)
            )
        ).first()
    assert other is not None
    return other.id, other.title


async def first_pathway(colbot: Colbot) -> str:
    return next(iter(colbot.web_app[JOURNEY_PATHWAYS].pathways.to_choose())).id


async def in_a_transaction(colbot: Colbot, write: Callable[[Any], Awaitable[Any]]) -> None:
    async with colbot.database.transaction() as session:
        await write(session)


async def on_journey(colbot: Colbot, owner: Owner, change: Callable[[Journey], object]) -> None:
    async def write(session: Any) -> None:
        change(await journeys.journey_for(session, owner.person, TEST_NOW))

    await in_a_transaction(colbot, write)


@dataclass(frozen=True)
class Change:
    """A real write that changes the page, and how the new page shows it."""

    write: Callable[[Colbot, Owner, StandInIssuer], Awaitable[str | None]]
    # What the new page must hold (or, starting with "!", must not), given what write returned.
    shows: Callable[[Owner, str | None], str]
    # What the journey holds before the page is first seen, if more than badges.
    before: Callable[[Colbot, Owner, StandInIssuer], Awaitable[None]] | None = None


async def hide_badge(colbot: Colbot, owner: Owner, _: StandInIssuer) -> str:
    await on_journey(colbot, owner, lambda j: journeys.toggle_badge(j, owner.badge_ids[0]))
    return owner.badge_ids[0]


async def hide_nickname(colbot: Colbot, owner: Owner, _: StandInIssuer) -> str:
    await on_journey(colbot, owner, lambda j: journeys.toggle_part(j, journeys.NICKNAME))
    return "Sammy"


async def hide_passions(colbot: Colbot, owner: Owner, _: StandInIssuer) -> str:
    await on_journey(colbot, owner, lambda j: journeys.toggle_part(j, journeys.PASSIONS))
    return str(colbot.web_app[SITE_KEY].passions["music"])


async def new_nickname(colbot: Colbot, owner: Owner, _: StandInIssuer) -> str:
    async def write(session: Any) -> None:
        person = await session.merge(owner.person)
        await people.apply_answer(session, person, "nickname", "Robin", LATER)

    await in_a_transaction(colbot, write)
    return "Robin"


def _a_new_passion(colbot: Colbot) -> str:
    return next(p for p in colbot.web_app[SITE_KEY].passions if p not in ("music", "coding"))


async def new_passions(colbot: Colbot, owner: Owner, _: StandInIssuer) -> str:
    chosen = _a_new_passion(colbot)

    async def write(session: Any) -> None:
        await people.set_passions(session, await session.merge(owner.person), [chosen], LATER)

    await in_a_transaction(colbot, write)
    return str(colbot.web_app[SITE_KEY].passions[chosen])


async def passion_changed_in_place(colbot: Colbot, owner: Owner, _: StandInIssuer) -> str:
    chosen = _a_new_passion(colbot)

    async def write(session: Any) -> None:
        await session.execute(
            update(YoungPersonPassion)
            .where(
                YoungPersonPassion.young_person_id == owner.person.id,
                YoungPersonPassion.passion_id == "music",
            )
            .values(passion_id=chosen)
        )

    await in_a_transaction(colbot, write)
    return str(colbot.web_app[SITE_KEY].passions[chosen])


async def passion_dropped(colbot: Colbot, owner: Owner, _: StandInIssuer) -> str:
    async def write(session: Any) -> None:
        await people.set_passions(session, await session.merge(owner.person), ["coding"], LATER)

    await in_a_transaction(colbot, write)
    return str(colbot.web_app[SITE_KEY].passions["music"])


async def new_badge(colbot: Colbot, owner: Owner, issuer: StandInIssuer) -> str:
    await issuer.issue(owner.person, BIKE_REPAIR, 1.0, LATER, narrative="Fixed a puncture")
    return "Fixed a puncture"


async def revoke_badge(colbot: Colbot, owner: Owner, _: StandInIssuer) -> str:
    async def write(session: Any) -> None:
        assert await badges.revoke(session, owner.badge_ids[0], "Issued by mistake", LATER)

    await in_a_transaction(colbot, write)
    return owner.badge_ids[0]


async def delete_badge(colbot: Colbot, owner: Owner, _: StandInIssuer) -> str:
    # No colbot path deletes one badge row; deleting a person deletes their journey too.
    async def write(session: Any) -> None:
        await session.execute(
            delete(IssuedBadge).where(IssuedBadge.public_id == owner.badge_ids[0])
        )

    await in_a_transaction(colbot, write)
    return owner.badge_ids[0]


async def retitle_opportunity(colbot: Colbot, owner: Owner, _: StandInIssuer) -> str:
    redeemed = await redeemed_badge(colbot, owner)

    async def write(session: Any) -> None:
        opportunity = await session.get(Opportunity, redeemed.opportunity_id)
        opportunity.title = "Puncture clinic, renamed"  # as a catalogue re-import does

    await in_a_transaction(colbot, write)
    return "Puncture clinic, renamed"


async def move_redemption(colbot: Colbot, owner: Owner, _: StandInIssuer) -> str:
    redeemed = await redeemed_badge(colbot, owner)
    other, title = await an_other_opportunity(colbot, redeemed.opportunity_id)

    async def write(session: Any) -> None:
        await session.execute(
            update(Redemption)
            .where(Redemption.id == redeemed.redemption_id)
            .values(opportunity_id=other)
        )

    await in_a_transaction(colbot, write)
    return title


async def follow_pathway(colbot: Colbot, owner: Owner, _: StandInIssuer) -> None:
    pathway = await first_pathway(colbot)

    async def write(session: Any) -> None:
        assert await pathways.follow(session, owner.person.id, pathway, LATER)

    await in_a_transaction(colbot, write)


async def unfollow_pathway(colbot: Colbot, owner: Owner, _: StandInIssuer) -> None:
    pathway = await first_pathway(colbot)

    async def write(session: Any) -> None:
        assert await pathways.unfollow(session, owner.person.id, pathway, LATER)

    await in_a_transaction(colbot, write)


async def forget_pathway(colbot: Colbot, owner: Owner, _: StandInIssuer) -> None:
    async def write(session: Any) -> None:
        await session.execute(
            delete(PathwayFollow).where(PathwayFollow.young_person_id == owner.person.id)
        )

    await in_a_transaction(colbot, write)


def shown(_: Owner, words: str | None) -> str:
    assert words is not None
    return words


def gone(_: Owner, words: str | None) -> str:
    assert words is not None
    return f"!{words}"


def anything(_: Owner, __: str | None) -> str:
    return ""


CHANGES = {
    "hide a badge": Change(hide_badge, gone),
    "hide the nickname": Change(hide_nickname, gone),
    "hide the passions": Change(hide_passions, gone),
    "new nickname": Change(new_nickname, shown),
    "new passions": Change(new_passions, shown),
    "a passion changed in place": Change(passion_changed_in_place, shown),
    "a passion dropped": Change(passion_dropped, gone),
    "new badge": Change(new_badge, shown),
    "revoke a badge": Change(revoke_badge, gone),
    "delete a badge": Change(delete_badge, gone),
    "opportunity renamed": Change(retitle_opportunity, shown, redeem_for_a_badge),
    "redemption moved": Change(move_redemption, shown, redeem_for_a_badge),
    "follow a pathway": Change(follow_pathway, anything),
    "stop following a pathway": Change(unfollow_pathway, anything, follow_pathway),
    "pathway follow deleted": Change(forget_pathway, anything, follow_pathway),
}


@pytest.mark.parametrize("change", list(CHANGES.values()), ids=list(CHANGES))
async def test_every_write_that_changes_the_page_bumps_its_version_and_the_page(
    colbot: Colbot, client: Client, make_owner: Make, issuer: StandInIssuer, change: Change
) -> None:
    owner = await make_owner(badges=2)
    if change.before is not None:
        await change.before(colbot, owner, issuer)
    status, etag, before = await visit(client, owner)
    assert status == 200 and (await visit(client, owner, etag))[0] == 304
    version = await version_of(colbot, owner)

    words = change.shows(owner, await change.write(colbot, owner, issuer))

    assert await version_of(colbot, owner) > version
    status, new, html = await visit(client, owner, etag)  # a visitor holding the old version
    assert status == 200 and new != etag and html != before
    if words.startswith("!"):
        assert words[1:] in before and words[1:] not in html
    elif words:
        assert words not in before and words in html
    assert (await visit(client, owner, new))[0] == 304


async def test_a_new_link_is_a_new_page_and_the_old_one_is_gone(
    colbot: Colbot, client: Client, make_owner: Make
) -> None:
    owner = await make_owner(badges=1)
    _, etag, _ = await visit(client, owner)
    version = await version_of(colbot, owner)
    slug = ""

    def replace(journey: Journey) -> None:
        nonlocal slug
        slug = journeys.replace_link(journey)

    await on_journey(colbot, owner, replace)

    assert await version_of(colbot, owner) > version
    assert (await visit(client, owner, etag))[0] == 404
    moved = Owner(owner.person, slug, owner.badge_ids)
    status, new, html = await visit(client, moved, etag)
    assert status == 200 and new != etag and owner.badge_ids[0] in html


async def test_writes_that_change_nothing_shown_leave_the_version(
    colbot: Colbot, client: Client, make_owner: Make
) -> None:
    owner = await make_owner(badges=1)
    _, etag, _ = await visit(client, owner)
    version = await version_of(colbot, owner)

    async def write(session: Any) -> None:
        person = await session.merge(owner.person)
        await people.apply_answer(session, person, "travel", 5, LATER)

    await in_a_transaction(colbot, write)
    await journeys_sharing_off_and_on(colbot, owner)

    assert await version_of(colbot, owner) == version
    assert (await visit(client, owner, etag))[0] == 304


async def journeys_sharing_off_and_on(colbot: Colbot, owner: Owner) -> None:
    await on_journey(colbot, owner, lambda j: journeys.set_sharing(j, False))
    await on_journey(colbot, owner, lambda j: journeys.set_sharing(j, True))


async def test_a_revisit_and_a_kept_page_each_cost_one_statement(
    colbot: Colbot, client: Client, make_owner: Make
) -> None:
    owner = await make_owner(badges=3)
    _, etag, body = await visit(client, owner)
    reader = colbot.web_app[SITE_KEY].reader
    for held in (etag, None):
        with statements_run(colbot, reader) as statements:
            status, again, html = await visit(client, owner, held)
        assert again == etag and (status, html) == ((304, "") if held else (200, body))
        assert len(statements) == 1 and "FROM journeys" in statements[0], statements


async def test_a_journey_following_a_pathway_is_read_in_full_each_time(
    colbot: Colbot, client: Client, make_owner: Make, issuer: StandInIssuer
) -> None:
    owner = await make_owner(badges=1)
    await follow_pathway(colbot, owner, issuer)
    _, etag, _ = await visit(client, owner)
    reader = colbot.web_app[SITE_KEY].reader
    with statements_run(colbot, reader) as statements:
        assert (await visit(client, owner, etag))[0] == 304
    assert len([s for s in statements if "SELECT" in s.upper()]) > 1


def _columns_read(*statements: Any) -> set[tuple[str, str]]:
    """Every (table, column) a statement reads, in its columns, joins, conditions and
    subqueries alike."""
    return {
        (element.table.name, element.name)
        for statement in statements
        for element in visitors.iterate(statement)
        if isinstance(element, Column) and isinstance(element.table, Table)
    }


TRIGGER = re.compile(
    r"(?:AFTER|BEFORE)\s+(INSERT|UPDATE|DELETE)(?:\s+OF\s+(.+?))?\s+ON\s+(\w+)", re.IGNORECASE
)


async def _bump_triggers(database: Database) -> dict[tuple[str, str], set[str] | None]:
    """Each (table, event) a bump trigger fires on, with the columns an update must touch
    (None: any)."""
    found: dict[tuple[str, str], set[str] | None] = {}
    async with database.reading() as session:
        if database.is_postgres:
            rows = await session.execute(
                text(
                    "SELECT trigger_name, event_object_table, event_manipulation "
                    "FROM information_schema.triggers WHERE trigger_name LIKE :prefix"
                ),
                {"prefix": f"{TRIGGER_PREFIX}%"},
            )
            columns = await session.execute(
                text(
                    "SELECT trigger_name, event_object_column "
                    "FROM information_schema.triggered_update_columns"
                )
            )
            of: dict[str, set[str]] = {}
            for name, column in columns:
                of.setdefault(name, set()).add(column)
            for name, table, event in rows:
                found[(table, event)] = of.get(name) if event == "UPDATE" else None
        else:
            rows = await session.execute(
                text("SELECT name, sql FROM sqlite_master WHERE type = 'trigger'")
            )
            for name, sql in rows:
                match = TRIGGER.search(sql)
                if not name.startswith(TRIGGER_PREFIX) or match is None:
                    continue
                event, listed, table = match.groups()
                cols = None if listed is None else {c.strip() for c in listed.split(",")}
                found[(table, event.upper())] = cols
    return found


async def test_every_column_the_page_reads_is_stamped_by_a_trigger(colbot: Colbot) -> None:
    triggers = await _bump_triggers(colbot.database)
    read = _columns_read(SHARED, PASSIONS_OF, BADGES_OF)
    assert {table for table, _ in read} >= {"journeys", "issued_badges", "pathway_follows"}
    identities = {
        (table.name, column.name)
        for table in (Journey.__table__, IssuedBadge.__table__, Opportunity.__table__)
        for column in table.primary_key
    } | {("redemptions", "id"), ("young_people", "id")}
    unstamped = []
    for table, column in sorted(read - set(UNSTAMPED) - identities):
        if (table, "UPDATE") not in triggers:
            unstamped.append(f"{table}: no update trigger")
            continue
        listened = triggers[(table, "UPDATE")]
        if listened is not None and column not in listened:
            unstamped.append(f"{table}.{column}: not listened to")
    # The rows a page gathers by their owner come and go: each needs an insert and a delete.
    gathered = {table for table, column in read if column == "young_person_id"} - {"journeys"}
    assert gathered >= {"issued_badges", "young_person_passions", "pathway_follows"}
    for table in sorted(gathered):
        unstamped += [
            f"{table}: no {event} trigger"
            for event in ("INSERT", "DELETE")
            if (table, event) not in triggers
        ]
    # A migration in SQLite's batch mode rebuilds its table without the triggers: it must
    # create them again (see migration 0021_journey_versions), or this fails.
    assert not unstamped, unstamped


async def _migrate(database: Database, move: Callable[..., None], revision: str) -> None:
    """Runs an Alembic command (upgrade or downgrade) on the test's database."""

    def run(sync: Any) -> None:
        config = database.alembic_config()
        config.attributes["connection"] = sync
        move(config, revision)

    async with database.engine.begin() as connection:
        await connection.run_sync(run)


async def test_the_migration_goes_down_and_up_again(database: Database) -> None:
    await _migrate(database, command.downgrade, "0020_pathways")
    assert not await _bump_triggers(database)
    await _migrate(database, command.upgrade, "head")
    assert ("issued_badges", "UPDATE") in await _bump_triggers(database)
    assert await database.is_current()


async def test_the_journeys_own_trigger_bumps_once_even_with_recursive_triggers_on(
    colbot: Colbot, make_owner: Make
) -> None:
    if colbot.database.is_postgres:
        pytest.skip("SQLite's recursive_triggers: PostgreSQL sets NEW.version before the write")
    owner = await make_owner(badges=0)
    version = await version_of(colbot, owner)
    path = make_url(colbot.database.url).database
    assert path
    connection = sqlite3.connect(path, isolation_level=None)
    try:
        connection.execute("PRAGMA recursive_triggers = ON")
        connection.execute(
            "UPDATE journeys SET show_nickname = NOT show_nickname WHERE young_person_id = ?",
            (owner.person.id,),
        )
    finally:
        connection.close()
    assert await version_of(colbot, owner) == version + 1
