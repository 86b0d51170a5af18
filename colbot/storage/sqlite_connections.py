"""aiosqlite connections whose statements take one trip to the connection's thread, or none.

SQLAlchemy's aiosqlite adapter runs a SELECT as four trips to aiosqlite's thread (open a
cursor, execute, fetch every row, close) and a write as three. Each trip is a queue hand-off,
a wake-up of the event loop and a wait for the GIL, and while a turn's write transaction waits
on them SQLite's single writer is held: under load that lock, not the CPU, set the webhook's
rate (issue 18). Here a statement's cursor does all of it in one trip, with the same rows,
description, row count and last row id; SQLAlchemy still drives it through its own adapter.

A chat turn's statements are a few small indexed ones, each far quicker than a trip, so inside
`statements_on_loop()` they run on the event loop itself and the writer is held only for the
turn's own work. They never wait there: the loop's statements find a busy database (another
process writing) at once, and only then go to the thread to wait their turn.
"""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from functools import partial
from typing import Any

import aiosqlite

CHUNK_SIZE = 64  # aiosqlite's own default for iterating a cursor
# The task whose statements run on the loop; tasks it starts copy the variable but are not it.
ON_LOOP: ContextVar[asyncio.Task[Any] | None] = ContextVar("colbot_sqlite_on_loop", default=None)

Parameters = Sequence[Any] | dict[str, Any] | None
Description = tuple[tuple[Any, ...], ...] | None


class _Done:
    """What one statement left behind: its rows (for a SELECT), description and counts."""

    __slots__ = ("description", "lastrowid", "rowcount", "rows")

    def __init__(self, cursor: sqlite3.Cursor) -> None:
        self.description: Description = cursor.description
        self.rows: list[Any] = cursor.fetchall() if self.description else []
        self.lastrowid = cursor.lastrowid
        self.rowcount = cursor.rowcount


def _run(connection: sqlite3.Connection, call: Callable[[sqlite3.Cursor], object]) -> _Done:
    """A cursor, the statement, its rows, closed again: all in one go, wherever it runs."""
    cursor = connection.cursor()
    try:
        call(cursor)
        return _Done(cursor)
    finally:
        cursor.close()


class OneTripCursor:
    """The part of aiosqlite's Cursor that SQLAlchemy's adapter uses, one trip a statement."""

    arraysize = 1

    def __init__(self, connection: OneTripConnection) -> None:
        self._connection = connection
        self._done: _Done | None = None
        self._next = 0

    async def _statement(self, call: Callable[[sqlite3.Cursor], object]) -> None:
        self._next = 0
        self._done = await self._connection.run(_run, call)

    async def execute(self, sql: str, parameters: Parameters = None) -> OneTripCursor:
        """Runs one statement and keeps all it returns."""
        call = partial(_execute, sql, () if parameters is None else parameters)
        await self._statement(call)
        return self

    async def executemany(self, sql: str, parameters: Iterable[Parameters]) -> OneTripCursor:
        """Runs one statement for each set of parameters."""
        await self._statement(partial(_execute_many, sql, list(parameters)))
        return self

    @property
    def description(self) -> Description:
        """The columns of the last SELECT, or None after a write."""
        return None if self._done is None else self._done.description

    @property
    def rowcount(self) -> int:
        """Rows the last write changed."""
        return -1 if self._done is None else self._done.rowcount

    @property
    def lastrowid(self) -> int | None:
        """The row id of the last row inserted."""
        return None if self._done is None else self._done.lastrowid

    async def fetchall(self) -> list[Any]:
        """The rows not yet fetched, from memory."""
        return self._take(len(self._rows()))

    async def fetchone(self) -> Any | None:
        """The next row, from memory."""
        taken = self._take(1)
        return taken[0] if taken else None

    async def fetchmany(self, size: int | None = None) -> list[Any]:
        """Up to `size` more rows, from memory."""
        return self._take(self.arraysize if size is None else size)

    async def close(self) -> None:
        """Nothing to close on the thread: the statement's cursor closed when it finished."""
        self._done = None

    def _rows(self) -> list[Any]:
        return [] if self._done is None else self._done.rows

    def _take(self, count: int) -> list[Any]:
        rows = self._rows()
        start, self._next = self._next, min(len(rows), self._next + count)
        return rows[start : self._next]


def _execute(sql: str, parameters: Any, cursor: sqlite3.Cursor) -> object:
    return cursor.execute(sql, parameters)


def _execute_many(sql: str, parameters: list[Any], cursor: sqlite3.Cursor) -> object:
    return cursor.executemany(sql, parameters)


class OneTripConnection(aiosqlite.Connection):
    """An aiosqlite connection whose cursors take one trip to its thread per statement."""

    def __init__(self, connector: Callable[[], sqlite3.Connection], busy_timeout_ms: int) -> None:
        super().__init__(connector, CHUNK_SIZE)
        # Never keeps the process alive at exit, as SQLAlchemy makes aiosqlite's own threads.
        self._thread.daemon = True
        self._busy_timeout_ms = busy_timeout_ms
        self._waits_when_busy = True  # as colbot's connect hook leaves every connection

    async def run(self, function: Callable[..., Any], *args: Any) -> Any:
        """function(the sqlite3 connection, *args): on the loop during a chat turn, else on the
        connection's thread; a turn that finds another process writing waits on the thread."""
        task = ON_LOOP.get()
        if task is not None and task is asyncio.current_task():
            try:
                return self._on_loop(function, *args)
            except sqlite3.OperationalError as error:
                if not is_busy(error):
                    raise
        return await self.on_thread(self._waiting, function, *args)

    def _on_loop(self, function: Callable[..., Any], *args: Any) -> Any:
        connection = self._conn
        if self._waits_when_busy:  # never wait on the loop: a busy database fails at once
            connection.execute("PRAGMA busy_timeout=0")
            self._waits_when_busy = False
        return function(connection, *args)

    def _waiting(
        self, connection: sqlite3.Connection, function: Callable[..., Any], *args: Any
    ) -> Any:
        if not self._waits_when_busy:
            connection.execute(f"PRAGMA busy_timeout={self._busy_timeout_ms}")
            self._waits_when_busy = True
        return function(connection, *args)

    async def commit(self) -> None:
        """Commits, on the loop during a chat turn."""
        await self.run(_commit)

    async def rollback(self) -> None:
        """Rolls back, on the loop during a chat turn."""
        await self.run(_rollback)

    async def cursor(self) -> OneTripCursor:  # type: ignore[override]
        """A cursor for one statement at a time; opening it costs no trip."""
        return OneTripCursor(self)

    async def on_thread(self, function: Callable[..., Any], *args: Any) -> Any:
        """Runs function(the sqlite3 connection, *args) on the connection's own thread."""
        return await self._execute(lambda: function(self._conn, *args))


def _commit(connection: sqlite3.Connection) -> None:
    connection.commit()


def _rollback(connection: sqlite3.Connection) -> None:
    connection.rollback()


def is_busy(error: sqlite3.OperationalError) -> bool:
    """Whether SQLite refused because another connection holds the lock it needs."""
    message = str(error).lower()
    return "locked" in message or "busy" in message


@contextmanager
def statements_on_loop() -> Iterator[None]:
    """Runs this task's SQLite statements on the event loop, for a turn's small indexed ones."""
    token = ON_LOOP.set(asyncio.current_task())
    try:
        yield
    finally:
        ON_LOOP.reset(token)


def one_trip_connector(path: str, busy_timeout_ms: int) -> Callable[[], OneTripConnection]:
    """SQLAlchemy's async_creator for a SQLite file: a new connection each time it is called."""
    connect = partial(sqlite3.connect, path, check_same_thread=False)
    return lambda: OneTripConnection(connect, busy_timeout_ms)
