"""The database, on SQLite or PostgreSQL: migrations build exactly the models, times stay aware."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError

from colbot.log_redaction import redact
from colbot.storage.database import Database
from colbot.storage.models import AuditEntry, Base, YoungPerson
from tests.support import databases


async def test_migrations_match_the_models(database: Database) -> None:
    async with database.engine.connect() as connection:
        differences = await connection.run_sync(
            lambda sync: compare_metadata(MigrationContext.configure(sync), Base.metadata)
        )
    assert differences == []
    assert await database.is_current()


async def test_upgrade_twice_is_harmless(database: Database) -> None:
    await database.upgrade()
    assert await database.current_revision() == database.head_revision()


@pytest.mark.skipif(databases.ON_POSTGRES, reason=databases.SQLITE_ONLY_REASON)
async def test_sqlite_is_in_wal_mode_with_a_busy_timeout(database: Database) -> None:
    async with database.engine.connect() as connection:
        assert (await connection.execute(text("PRAGMA journal_mode"))).scalar() == "wal"
        assert (await connection.execute(text("PRAGMA busy_timeout"))).scalar() == 10_000
        assert (await connection.execute(text("PRAGMA foreign_keys"))).scalar() == 1


async def test_times_come_back_aware_and_naive_ones_are_refused(database: Database) -> None:
    moment = datetime(2026, 7, 1, 12, 0, tzinfo=UTC)
    async with database.transaction() as session:
        session.add(AuditEntry(at=moment, actor="test", channel="cli", action="check", detail={}))
    async with database.transaction() as session:
        entry = await session.get(AuditEntry, 1)
        assert entry is not None and entry.at == moment and entry.at.tzinfo is not None
    with pytest.raises(Exception, match="naive"):
        async with database.transaction() as session:
            session.add(
                AuditEntry(
                    at=datetime(2026, 7, 1),  # noqa: DTZ001 - a naive time on purpose
                    actor="t",
                    channel="cli",
                    action="check",
                    detail={},
                )
            )


async def test_a_failed_transaction_changes_nothing(database: Database) -> None:
    with pytest.raises(RuntimeError):
        async with database.transaction() as session:
            session.add(
                AuditEntry(at=datetime.now(UTC), actor="t", channel="cli", action="x", detail={})
            )
            await session.flush()
            raise RuntimeError("boom")
    async with database.transaction() as session:
        assert await session.get(AuditEntry, 1) is None


async def test_a_database_error_names_no_values(database: Database) -> None:
    """A failed statement's error (and so its logged traceback) never shows what was written."""
    person = "telegram-8123456789-private"
    moment = datetime(2026, 7, 1, 12, 0, tzinfo=UTC)
    with pytest.raises(IntegrityError) as refused:
        async with database.transaction() as session:
            session.add(YoungPerson(public_id=person, created_at=moment, last_seen_at=moment))
            await session.flush()
            session.add(YoungPerson(public_id=person, created_at=moment, last_seen_at=moment))
            await session.flush()
    error = str(refused.value)
    assert "INSERT INTO young_people" in error and "parameters hidden" in error
    assert person not in error.split("DETAIL:")[0]
    # PostgreSQL's own DETAIL line names the duplicate key ("Key (public_id)=(...)"); it comes
    # from the server, not the statement, so the logs' redaction masks it.
    assert person not in redact(error)
