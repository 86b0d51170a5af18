"""A fast read-only path for hot public pages on SQLite, with SQLAlchemy's statements and types."""

# Through SQLAlchemy's async engine every DBAPI call is a hop to aiosqlite's thread, which costs
# far more than the few indexed reads a journey page needs. Here a page's reads run on plain
# sqlite3, with statements SQLAlchemy compiled once and its own result types.

from __future__ import annotations

import asyncio
import sqlite3
import threading
from collections import namedtuple
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from typing import Any, TypeVar

from sqlalchemy import Select
from sqlalchemy.dialects import sqlite
from sqlalchemy.engine import make_url
from sqlalchemy.types import TypeEngine

from colbot.storage.database import SQLITE_BUSY_TIMEOUT_MS, Database
from colbot.storage.models.base import UTCDateTime
from colbot.storage.sqlite_connections import is_busy

READER_THREADS = 2
MMAP_BYTES = 1024 * 1024 * 1024  # address space only: pages are shared with the OS cache
CACHE_KIB = 16 * 1024
MEMORY = ":memory:"

T = TypeVar("T")
_DIALECT = sqlite.dialect()


class Prepared:
    """A Core SELECT compiled once for sqlite3, whose rows come back as SQLAlchemy types."""

    def __init__(self, statement: Select[Any]) -> None:
        compiled = statement.compile(dialect=_DIALECT)
        self.sql = compiled.string
        names = tuple(compiled.positiontup or ())
        binds = [compiled.binds[name] for name in names]
        # Named parameters come from the caller; the statement's own (JSON paths) are fixed here.
        self.parameters = [
            (bind.key, None) if bind.value is None else (None, _bound(bind.type, bind.value))
            for bind in binds
        ]
        columns = list(statement.selected_columns)
        self.row: Callable[..., Any] = namedtuple("Row", [column.key for column in columns])  # type: ignore[misc]
        self.processors = [_result_processor(column.type) for column in columns]

    def _values(self, values: dict[str, Any]) -> list[Any]:
        return [fixed if name is None else values[name] for name, fixed in self.parameters]

    def _convert(self, raw: tuple[Any, ...]) -> Any:
        values = [
            value if process is None else process(value)
            for process, value in zip(self.processors, raw, strict=True)
        ]
        return self.row(*values)

    def all(self, connection: sqlite3.Connection, **values: Any) -> list[Any]:
        """Every row, converted."""
        cursor = connection.execute(self.sql, self._values(values))
        return [self._convert(raw) for raw in cursor.fetchall()]

    def first(self, connection: sqlite3.Connection, **values: Any) -> Any | None:
        """The first row, converted, or None."""
        raw = connection.execute(self.sql, self._values(values)).fetchone()
        return None if raw is None else self._convert(raw)


def _bound(kind: TypeEngine[Any], value: Any) -> Any:
    process = kind.dialect_impl(_DIALECT).bind_processor(_DIALECT)
    return value if process is None else process(value)


def _utc(value: str | None) -> datetime | None:
    """The one format colbot stores instants in on SQLite, read faster than the general parser."""
    return None if value is None else datetime.fromisoformat(value).replace(tzinfo=UTC)


def _result_processor(kind: TypeEngine[Any]) -> Callable[[Any], Any] | None:
    if isinstance(kind, UTCDateTime):
        return _utc
    return kind.dialect_impl(_DIALECT).result_processor(_DIALECT, None)


class SqliteReader:
    """Reads on the event loop's own connection, and on worker threads when SQLite is busy."""

    def __init__(self, path: str, threads: int = READER_THREADS) -> None:
        self.path = path
        self._executor = ThreadPoolExecutor(threads, thread_name_prefix="colbot-read")
        self._local = threading.local()
        self._inline: sqlite3.Connection | None = None
        self._connections: list[sqlite3.Connection] = []
        self._lock = threading.Lock()

    def _open(self, busy_timeout_ms: int) -> sqlite3.Connection:
        connection = sqlite3.connect(self.path, check_same_thread=False, isolation_level=None)
        connection.execute(f"PRAGMA busy_timeout={busy_timeout_ms}")
        connection.execute("PRAGMA query_only=ON")
        connection.execute(f"PRAGMA mmap_size={MMAP_BYTES}")
        connection.execute(f"PRAGMA cache_size=-{CACHE_KIB}")
        with self._lock:
            self._connections.append(connection)
        return connection

    def _thread_connection(self) -> sqlite3.Connection:
        connection: sqlite3.Connection | None = getattr(self._local, "connection", None)
        if connection is None:
            connection = self._local.connection = self._open(SQLITE_BUSY_TIMEOUT_MS)
        return connection

    @staticmethod
    def _run(connection: sqlite3.Connection, work: Callable[[sqlite3.Connection], T]) -> T:
        connection.execute("BEGIN")  # one snapshot for every statement of a page
        try:
            return work(connection)
        finally:
            connection.execute("ROLLBACK")

    @staticmethod
    def _run_one(connection: sqlite3.Connection, work: Callable[[sqlite3.Connection], T]) -> T:
        return work(connection)  # one statement is its own snapshot

    def _on_thread(self, work: Callable[[sqlite3.Connection], T], single: bool = False) -> T:
        return (self._run_one if single else self._run)(self._thread_connection(), work)

    def connections(self) -> list[sqlite3.Connection]:
        """Every connection open now, the loop's own included, so their statements can be traced."""
        if self._inline is None:
            self._inline = self._open(busy_timeout_ms=0)
        with self._lock:
            return list(self._connections)

    async def run(self, work: Callable[[sqlite3.Connection], T], single: bool = False) -> T:
        """Runs work(connection) in one snapshot and returns what it returns; work that runs a
        single statement (single=True) needs no transaction of its own around it."""
        # A page's reads take a fraction of a millisecond, less than a hop to a thread, so
        # they run here; a connection that never waits keeps the loop from ever blocking on
        # a lock, and the rare busy moment is retried on a thread that may wait.
        if self._inline is None:
            self._inline = self._open(busy_timeout_ms=0)
        try:
            return (self._run_one if single else self._run)(self._inline, work)
        except sqlite3.OperationalError as error:
            if not is_busy(error):
                raise
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._executor, self._on_thread, work, single)

    def close(self) -> None:
        """Stops the threads and closes every connection."""
        self._executor.shutdown(wait=True)
        with self._lock:
            for connection in self._connections:
                connection.close()
            self._connections.clear()
        self._inline = None


def sqlite_reader(database: Database) -> SqliteReader | None:
    """A reader for a SQLite file database; None for anything else, which keeps the async path."""
    url = make_url(database.url)
    if not database.is_sqlite or not url.database or url.database == MEMORY:
        return None
    return SqliteReader(url.database)
