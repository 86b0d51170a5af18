"""High privacy by default: nothing colbot starts on its own (nudges, the digest, news) until a
young person says yes; safety messages and reminders they asked for are not affected."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from alembic import command

from colbot.app import Colbot
from colbot.clock import FrozenClock
from colbot.outreach import broadcasts
from colbot.people import store as people
from colbot.storage.database import Database
from colbot.storage.models.base import UTCDateTime
from tests.retention.test_quiet_profiles import profile
from tests.support import databases
from tests.support.demo import TEST_NOW
from tests.support.talk import Talker


async def signed_up(colbot: Colbot, chat_id: str, messages: str) -> Talker:
    young = Talker(colbot.engine, chat_id, first_name="Rae")
    for answer in ("/start", "yes", "15", "Rae", "kf2", "anywhere", "music", "done", "skip"):
        await young.say(answer)
    assert "Can I message you first sometimes?" in young.last_text()
    await young.say(messages)
    assert "All done, Rae" in young.recent()
    return young


async def test_nudges_digest_and_news_are_off_until_they_say_yes(
    colbot: Colbot, clock: FrozenClock
) -> None:
    await signed_up(colbot, "said-no", "nah")
    await signed_up(colbot, "said-yes", "yeah")
    no, yes = await profile(colbot, "said-no"), await profile(colbot, "said-yes")
    assert no is not None and (no.nudges, no.digest) == ("off", False)
    assert yes is not None and (yes.nudges, yes.digest) == ("normal", True)
    async with colbot.database.reading() as session:
        assert await broadcasts.count_recipients(session, broadcasts.Audience()) == 1
        everyone = broadcasts.Audience(safety=True)
        assert await broadcasts.count_recipients(session, everyone) == 2
    clock.advance(timedelta(days=15))
    assert await colbot.nudges.enqueue_due(clock.now()) == 1  # only the one who said yes


async def test_a_profile_made_without_the_question_is_off(colbot: Colbot) -> None:
    async with colbot.database.transaction() as session:
        person = await people.create(session, "console", "made", "en", colbot.clock.now())
        await session.flush()
        await session.refresh(person)
        assert (person.nudges, person.digest, person.messages_asked_at) == ("off", False, None)


async def test_someone_onboarded_before_is_asked_once_on_their_next_start(
    colbot: Colbot,
) -> None:
    async with colbot.database.transaction() as session:
        person = await people.create(session, "console", "old-timer", "en", colbot.clock.now())
        person.onboarded_at = colbot.clock.now()
    young = Talker(colbot.engine, "old-timer")
    await young.say("/start")
    assert "Welcome back" in young.recent(3)
    assert "Can I message you first sometimes?" in young.last_text()
    await young.press("Yes, message me")
    found = await profile(colbot, "old-timer")
    assert found is not None and found.nudges == "normal" and found.messages_asked_at is not None
    await young.say("/start")
    assert "Can I message you first" not in young.last_text()
    async with colbot.database.transaction() as session:
        other = await people.create(session, "console", "ignorer", "en", colbot.clock.now())
        other.onboarded_at = colbot.clock.now()
    ignorer = Talker(colbot.engine, "ignorer")
    await ignorer.say("/start")
    assert "Can I message you first sometimes?" in ignorer.last_text()
    await ignorer.say("/cancel")  # goes without answering
    replies = await ignorer.say("/start")
    assert all("Can I message you first" not in r.text for r in replies)  # asked once: still off
    found = await profile(colbot, "ignorer")
    assert found is not None and found.nudges == "off"


async def test_the_migration_keeps_what_they_chose_and_turns_off_the_old_default(
    tmp_path: Path,
) -> None:
    url = databases.database_url_for(tmp_path) or f"sqlite+aiosqlite:///{tmp_path / 'db.sqlite3'}"
    database = Database(url)
    config = database.alembic_config()

    def to(revision: str) -> Any:
        def run(sync: Any) -> None:
            config.attributes["connection"] = sync
            command.upgrade(config, revision)

        return run

    try:
        async with database.engine.begin() as connection:
            await connection.run_sync(to("0017_opportunity_series"))
            for n, (nudges, digest) in enumerate(
                [("normal", False), ("normal", True), ("weekly", False), ("off", False)]
            ):
                await connection.execute(
                    sa.text(
                        "INSERT INTO young_people (public_id, language, availability, nudges, "
                        "digest, unanswered_nudges, created_at, last_seen_at) VALUES "
                        "(:p, 'en', '[]', :n, :d, 0, :t, :t)"
                    ).bindparams(sa.bindparam("t", type_=UTCDateTime(timezone=True))),
                    {"p": f"p{n}", "n": nudges, "d": digest, "t": TEST_NOW},
                )
            await connection.run_sync(to("head"))
            rows = (
                await connection.execute(
                    sa.text(
                        "SELECT public_id, nudges, digest, messages_asked_at IS NOT NULL "
                        "FROM young_people ORDER BY public_id"
                    )
                )
            ).all()
    finally:
        await database.dispose()
    assert [(p, n, bool(d), bool(asked)) for p, n, d, asked in rows] == [
        ("p0", "off", False, False),  # the old default: never said yes, so off and asked again
        ("p1", "normal", True, True),  # switched the digest on: a choice, kept
        ("p2", "weekly", False, True),
        ("p3", "off", False, True),
    ]
