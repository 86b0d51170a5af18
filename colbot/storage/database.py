"""The database engine and sessions: SQLite in WAL mode by default, PostgreSQL when asked."""

from __future__ import annotations

import asyncio
import time
import weakref
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import BigInteger, String, Subquery, bindparam, event, func, literal, select
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DisconnectionError
from sqlalchemy.ext.asyncio import (
    AsyncConnection,
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)
from sqlalchemy.sql.elements import ColumnElement

from colbot.storage.sqlite_connections import one_trip_connector

SQLITE_BUSY_TIMEOUT_MS = 10_000
# How long a write may wait its turn in this process before it fails loudly.
SQLITE_QUEUE_TIMEOUT_S = 60.0
MIGRATIONS_DIR = Path(__file__).with_name("migrations")
READ_ONLY_OPTION = "colbot_read_only"
WritersByLoop = weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, asyncio.Lock]
# The parameter Database.hold's statement and advisory_lock() name their lock by.
HOLD_NAME = "hold"
# A pooled server connection unused this long is pinged before it is handed out: a firewall or
# a server restart may have dropped it without a word. One in steady use is not.
PING_WHEN_IDLE_S = 30.0
# Server connections a process keeps, and never more: a connection opened past the ones the
# pool keeps is closed when handed back, and its replacement pays a new server process and
# prepares every statement again (40 such in a 20 s load run, before this was the whole pool).
SERVER_CONNECTIONS = 15
_RETURNED_AT = "colbot_returned_at"


def _tune_sqlite(dbapi_connection: Any, _record: Any) -> None:
    """Turns on WAL, waits for locks instead of failing, and enforces foreign keys."""
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def lock_name(*parts: str) -> str:
    """The one name a lock held by Database.hold goes by, from the parts that make it up."""
    return "\x1f".join(parts)


def _advisory_xact_lock() -> ColumnElement[Any]:
    """PostgreSQL's transaction lock on the name given as HOLD_NAME."""
    key = func.hashtextextended(bindparam(HOLD_NAME, type_=String), literal(0, BigInteger))
    return func.pg_advisory_xact_lock(key)


# Database.hold's statement, built once.
HOLD = select(_advisory_xact_lock())


def advisory_lock() -> Subquery:
    """The same lock as Database.hold's, as a one-row FROM, for a statement to take first.

    Only for statements whose answer does not depend on their snapshot, which is taken before
    the lock: an INSERT ... ON CONFLICT sees conflicting rows committed while it waited.
    """
    return select(_advisory_xact_lock().label("held")).subquery("held")


def _note_return(_dbapi_connection: Any, record: Any) -> None:
    """Remembers when a connection went back to the pool, to know how long it lay idle."""
    record.info[_RETURNED_AT] = time.monotonic()


class Database:
    """Owns the engine and hands out sessions, one transaction at a time."""

    def __init__(self, url: str) -> None:
        self.url = url
        parsed = make_url(url)
        self.is_sqlite = parsed.get_backend_name() == "sqlite"
        self.is_postgres = parsed.get_backend_name() == "postgresql"
        if self.is_sqlite and parsed.database and parsed.database != ":memory:":
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        # hide_parameters: SQL logged at DEBUG/INFO and database errors never show the values.
        options: dict[str, Any] = {}
        if self.is_sqlite and parsed.database and parsed.database != ":memory:":
            options["async_creator"] = one_trip_connector(parsed.database, SQLITE_BUSY_TIMEOUT_MS)
        if self.is_postgres:
            options.update(pool_size=SERVER_CONNECTIONS, max_overflow=0)
        self.engine: AsyncEngine = create_async_engine(url, hide_parameters=True, **options)
        if not self.is_sqlite:
            pool = self.engine.sync_engine.pool
            event.listen(pool, "checkout", self._check_server_connection)
            event.listen(pool, "checkin", _note_return)
        if self.is_sqlite:
            event.listen(self.engine.sync_engine, "connect", _tune_sqlite)
            # Taking the write lock up front means a read-then-write transaction never fails
            # half way with "database is locked"; busy_timeout makes the others wait their turn.
            event.listen(self.engine.sync_engine, "begin", self._begin_sqlite)
        self.sessions = async_sessionmaker(self.engine, expire_on_commit=False)
        self._kept: list[AsyncConnection] = []
        self._sqlite_writers: WritersByLoop = weakref.WeakKeyDictionary()
        self._sqlite_owner: dict[asyncio.Lock, asyncio.Task[Any] | None] = {}

    def _check_server_connection(self, dbapi_connection: Any, record: Any, proxy: Any) -> None:
        """Hands out only live connections, pinging just those idle a while.

        SQLAlchemy's pool_pre_ping pings every checkout; on asyncpg that is three round trips
        (BEGIN, an empty query, ROLLBACK), a third of a chat turn's. A connection the server
        closed (a restart, pg_terminate_backend) is already known closed to asyncpg, so it is
        checked where it stands; raising DisconnectionError makes the pool try a new one.
        """
        driver = proxy.driver_connection
        if driver is not None and driver.is_closed():
            raise DisconnectionError("the server closed this pooled connection")
        returned_at = record.info.get(_RETURNED_AT)
        if returned_at is None or time.monotonic() - returned_at < PING_WHEN_IDLE_S:
            return
        try:
            self.engine.dialect.do_ping(dbapi_connection)
        except Exception as error:
            raise DisconnectionError("a pooled connection did not answer a ping") from error

    @staticmethod
    def _begin_sqlite(connection: Any) -> None:
        reading = connection.get_execution_options().get(READ_ONLY_OPTION, False)
        connection.exec_driver_sql("BEGIN" if reading else "BEGIN IMMEDIATE")

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[AsyncSession]:
        """Runs a block in one transaction: committed if it ends well, rolled back if not."""
        if not self.is_sqlite:
            async with self.sessions() as session, session.begin():
                yield session
            return
        # SQLite has one writer. Left to busy_timeout, waiting writers poll with growing sleeps
        # and the unlucky ones starve past the timeout under load; queued here, in turn, they
        # take the lock the moment it is free. Other processes still meet busy_timeout.
        lock = self._sqlite_writer()
        task = asyncio.current_task()
        if task is not None and self._sqlite_owner.get(lock) is task:
            raise RuntimeError("a write transaction inside another would wait for itself")
        async with asyncio.timeout(SQLITE_QUEUE_TIMEOUT_S):
            await lock.acquire()
        self._sqlite_owner[lock] = task
        try:
            async with self.sessions() as session, session.begin():
                yield session
        finally:
            self._sqlite_owner.pop(lock, None)
            lock.release()

    def _sqlite_writer(self) -> asyncio.Lock:
        loop = asyncio.get_running_loop()
        lock = self._sqlite_writers.get(loop)
        if lock is None:
            lock = self._sqlite_writers[loop] = asyncio.Lock()
        return lock

    @asynccontextmanager
    async def each_statement_committed(self) -> AsyncIterator[AsyncSession]:
        """A session whose every statement commits on its own (autocommit): for a write to a
        row many share, which then stays locked for that statement alone."""
        async with self.engine.connect() as connection:
            await connection.execution_options(isolation_level="AUTOCOMMIT")
            async with AsyncSession(bind=connection) as session:
                yield session

    async def hold(self, session: AsyncSession, *name: str) -> None:
        """Holds a named lock until the session's transaction ends, across every process.

        On PostgreSQL a transaction-level advisory lock; on SQLite the transaction's write lock
        (BEGIN IMMEDIATE) already keeps every other writer out.
        """
        if self.is_postgres:
            await session.execute(HOLD, {HOLD_NAME: lock_name(*name)})
        else:
            await session.connection()  # begins the transaction, taking the write lock now

    @asynccontextmanager
    async def reading(self) -> AsyncIterator[AsyncSession]:
        """Runs a read-only block without taking SQLite's write lock, so readers never queue."""
        async with self.sessions() as session:
            await session.connection(execution_options={READ_ONLY_OPTION: True})
            try:
                yield session
            finally:
                await session.rollback()

    async def keep_connection(self) -> AsyncConnection:
        """A connection in autocommit mode for the process's life, closed by dispose()."""
        connection = await self.engine.connect()
        self._kept.append(connection)
        return await connection.execution_options(isolation_level="AUTOCOMMIT")

    async def dispose(self) -> None:
        """Closes every pooled connection, and those kept for the process's life."""
        while self._kept:
            await self._kept.pop().close()
        await self.engine.dispose()

    def alembic_config(self) -> Config:
        """The Alembic configuration for this database, without an alembic.ini file."""
        config = Config()
        config.set_main_option("script_location", str(MIGRATIONS_DIR))
        config.set_main_option("sqlalchemy.url", self.url.replace("%", "%%"))
        config.attributes["database"] = self
        return config

    async def upgrade(self) -> None:
        """Applies every migration not yet applied."""
        config = self.alembic_config()
        async with self.engine.begin() as connection:
            if self.is_postgres:  # processes starting together migrate one after another
                await connection.execute(HOLD, {HOLD_NAME: lock_name("colbot migrations")})
            await connection.run_sync(lambda sync: _run_upgrade(config, sync))

    async def current_revision(self) -> str | None:
        """The revision the database is at, or None if it has never been migrated."""
        async with self.engine.connect() as connection:
            return await connection.run_sync(
                lambda sync: MigrationContext.configure(sync).get_current_revision()
            )

    def head_revision(self) -> str | None:
        """The newest revision the code knows."""
        return ScriptDirectory.from_config(self.alembic_config()).get_current_head()

    async def is_current(self) -> bool:
        """Whether the schema matches the code's newest migration."""
        return await self.current_revision() == self.head_revision()


def _run_upgrade(config: Config, sync_connection: Any) -> None:
    config.attributes["connection"] = sync_connection
    command.upgrade(config, "head")
