"""The database, on SQLite or PostgreSQL: migrations build exactly the models, times stay aware."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError

from colbot.log_redaction import redact
from colbot.storage import database as storage_database
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


POSTGRES_ONLY = pytest.mark.skipif(
    not databases.ON_POSTGRES, reason="SQLite has no server connections to lose"
)


async def _pooled_backend(database: Database) -> int:
    """The server process behind the connection the pool will hand out next."""
    async with database.transaction() as session:
        return int(await session.scalar(text("SELECT pg_backend_pid()")))


@POSTGRES_ONLY
async def test_a_connection_the_server_closed_is_never_handed_out(database: Database) -> None:
    lost = await _pooled_backend(database)
    other = Database(database.url)
    try:
        async with other.engine.connect() as connection:
            await connection.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": lost})
    finally:
        await other.dispose()
    await asyncio.sleep(0.2)  # the server's goodbye reaches the pooled connection

    async with database.transaction() as session:
        assert await session.scalar(text("SELECT pg_backend_pid()")) != lost


@POSTGRES_ONLY
async def test_only_a_connection_idle_a_while_is_pinged(
    database: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    pings: list[object] = []

    def silent(dbapi_connection: object) -> None:
        pings.append(dbapi_connection)
        raise OSError("no answer")

    first = await _pooled_backend(database)
    monkeypatch.setattr(database.engine.dialect, "do_ping", silent)
    for _ in range(3):
        assert await _pooled_backend(database) == first
    assert pings == []

    monkeypatch.setattr(storage_database, "PING_WHEN_IDLE_S", 0.0)
    assert await _pooled_backend(database) != first  # the silent one was swapped for a new one
    assert len(pings) == 1


@POSTGRES_ONLY
async def test_statements_committed_one_by_one_leave_the_pool_transactional(
    database: Database,
) -> None:
    async with database.each_statement_committed() as session:
        shared = int(await session.scalar(text("SELECT pg_backend_pid()")))
        session.add(
            AuditEntry(at=datetime.now(UTC), actor="t", channel="cli", action="x", detail={})
        )
        await session.flush()
    async with database.reading() as session:
        assert await session.get(AuditEntry, 1) is not None, "committed by itself"

    with pytest.raises(RuntimeError):
        async with database.transaction() as session:
            assert await session.scalar(text("SELECT pg_backend_pid()")) == shared
            session.add(
                AuditEntry(at=datetime.now(UTC), actor="t", channel="cli", action="y", detail={})
            )
            await session.flush()
            raise RuntimeError("boom")
    async with database.reading() as session:
        assert await session.get(AuditEntry, 2) is None, (
            "the same connection, one transaction again"
        )


@POSTGRES_ONLY
async def test_a_busy_moment_leaves_its_connections_open_for_the_next(database: Database) -> None:
    busy = storage_database.SERVER_CONNECTIONS
    all_in = asyncio.Barrier(busy)

    async def at_once() -> int:
        async with database.transaction() as session:
            backend = int(await session.scalar(text("SELECT pg_backend_pid()")))
            await all_in.wait()  # every connection is out of the pool at the same time
            return backend

    first = set(await asyncio.gather(*(at_once() for _ in range(busy))))
    all_in = asyncio.Barrier(busy)
    again = set(await asyncio.gather(*(at_once() for _ in range(busy))))
    assert len(first) == busy
    # None was closed and opened anew: a new one would mean a new server process and every
    # statement prepared again.
    assert again == first
