"""One trip to aiosqlite's thread a statement, with what SQLAlchemy's stock adapter gives."""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Column, Integer, MetaData, String, Table, insert, select, text, update
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

from colbot.storage.database import SQLITE_BUSY_TIMEOUT_MS, Database
from colbot.storage.sqlite_connections import (
    OneTripConnection,
    one_trip_connector,
    statements_on_loop,
)

metadata = MetaData()
things = Table(
    "things",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("name", String, unique=True, nullable=False),
)

Engines = Callable[[Path], AsyncEngine]


def stock(path: Path) -> AsyncEngine:
    return create_async_engine(f"sqlite+aiosqlite:///{path}")


def one_trip(path: Path) -> AsyncEngine:
    connect = one_trip_connector(str(path), SQLITE_BUSY_TIMEOUT_MS)
    return create_async_engine(f"sqlite+aiosqlite:///{path}", async_creator=connect)


STOCK: Engines = stock
ONE_TRIP: Engines = one_trip


@pytest.fixture(params=[STOCK, ONE_TRIP], ids=["stock", "one-trip"])
async def engine(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[AsyncEngine]:
    made: AsyncEngine = request.param(tmp_path / "things.sqlite3")
    async with made.begin() as connection:
        await connection.run_sync(metadata.create_all)
    yield made
    await made.dispose()


async def _story(engine: AsyncEngine) -> list[Any]:
    """Inserts, RETURNING, updates, many rows and fetches in parts: all the results seen."""
    seen: list[Any] = []
    async with engine.begin() as connection:
        result = await connection.execute(insert(things).values(name="kite"))
        seen.append(("inserted", result.inserted_primary_key, result.rowcount))
        returned = await connection.execute(
            insert(things).values(name="drum").returning(things.c.id, things.c.name)
        )
        seen.append(("returning", returned.all()))
        many = await connection.execute(insert(things), [{"name": f"n{n}"} for n in range(5)])
        seen.append(("many", many.rowcount))
        changed = await connection.execute(
            update(things).where(things.c.name.like("n%")).values(name=things.c.name + "!")
        )
        seen.append(("updated", changed.rowcount))
        rows = await connection.execute(select(things).order_by(things.c.id))
        seen.append(("first", rows.fetchone()))
        seen.append(("two more", rows.fetchmany(2)))
        seen.append(("rest", rows.fetchall()))
        seen.append(
            ("none", (await connection.execute(select(things).where(things.c.id < 0))).all())
        )
        seen.append(("scalar", await connection.scalar(text("SELECT count(*) FROM things"))))
    return seen


async def test_results_are_the_stock_adapters(tmp_path: Path) -> None:
    stories = []
    for made in (STOCK, ONE_TRIP):
        engine = made(tmp_path / f"{len(stories)}.sqlite3")
        async with engine.begin() as connection:
            await connection.run_sync(metadata.create_all)
        stories.append(await _story(engine))
        await engine.dispose()
    assert stories[0] == stories[1]
    assert ("updated", 5) in stories[1]


async def test_errors_are_sqlalchemys_and_roll_back(engine: AsyncEngine) -> None:
    async with engine.begin() as connection:
        await connection.execute(insert(things).values(name="kite"))
    with pytest.raises(IntegrityError):
        async with engine.begin() as connection:
            await connection.execute(insert(things).values(name="drum"))
            await connection.execute(insert(things).values(name="kite"))
    with pytest.raises(OperationalError):
        async with engine.connect() as connection:
            await connection.execute(text("SELECT nothing FROM nowhere"))
    async with engine.connect() as connection:
        names = (await connection.scalars(select(things.c.name))).all()
    assert names == ["kite"], "the failed transaction left nothing behind"


@pytest.fixture
def trips(monkeypatch: pytest.MonkeyPatch) -> Callable[[], list[object]]:
    """Starts counting trips to a connection's thread; returns the trips counted so far."""
    counted: list[object] = []
    original = OneTripConnection._execute

    async def counting(self: OneTripConnection, fn: Any, *args: Any, **kwargs: Any) -> Any:
        counted.append(fn)
        return await original(self, fn, *args, **kwargs)

    def start() -> list[object]:
        monkeypatch.setattr(OneTripConnection, "_execute", counting)
        return counted

    return start


async def test_a_statement_takes_one_trip_to_the_thread(
    tmp_path: Path, trips: Callable[[], list[object]]
) -> None:
    counted = trips()
    database = Database(f"sqlite+aiosqlite:///{tmp_path / 'colbot.sqlite3'}")
    try:
        async with database.engine.connect() as connection:
            await connection.execute(text("CREATE TABLE t (x INTEGER)"))
            before = len(counted)
            await connection.execute(text("INSERT INTO t VALUES (1)"))
            (await connection.execute(text("SELECT x FROM t"))).all()
            await connection.execute(text("INSERT INTO t VALUES (:x)"), [{"x": 2}, {"x": 3}])
            assert len(counted) - before == 3, "one trip for each of three statements"
    finally:
        await database.engine.dispose()


async def test_colbots_sqlite_files_use_it_and_memory_keeps_the_stock_one(
    tmp_path: Path,
) -> None:
    on_file = Database(f"sqlite+aiosqlite:///{tmp_path / 'colbot.sqlite3'}")
    in_memory = Database("sqlite+aiosqlite:///:memory:")
    try:
        for database, kind in ((on_file, OneTripConnection), (in_memory, None)):
            async with database.engine.connect() as connection:
                raw = await connection.get_raw_connection()
                driver = raw.driver_connection
                assert isinstance(driver, OneTripConnection) is (kind is not None)
                assert await connection.scalar(text("PRAGMA foreign_keys")) == 1
    finally:
        await on_file.engine.dispose()
        await in_memory.engine.dispose()


async def test_a_turn_runs_its_statements_on_the_loop_without_trips(
    tmp_path: Path, trips: Callable[[], list[object]]
) -> None:
    database = Database(f"sqlite+aiosqlite:///{tmp_path / 'colbot.sqlite3'}")
    try:
        async with database.transaction() as session:
            await session.execute(text("CREATE TABLE t (x INTEGER)"))
        counted = trips()
        with statements_on_loop():
            async with database.transaction() as session:
                await session.execute(text("INSERT INTO t VALUES (1)"))
                assert (await session.scalars(text("SELECT x FROM t"))).all() == [1]
        assert counted == [], "BEGIN, the statements and COMMIT all ran on the loop"

        async def elsewhere() -> None:  # a task a turn starts is not the turn
            async with database.transaction() as session:
                await session.execute(text("INSERT INTO t VALUES (2)"))

        with statements_on_loop():
            await asyncio.create_task(elsewhere())
        assert counted, "the other task's statements went to the thread"
    finally:
        await database.engine.dispose()


async def test_a_turn_meeting_another_writer_waits_off_the_loop(tmp_path: Path) -> None:
    path = tmp_path / "colbot.sqlite3"
    database = Database(f"sqlite+aiosqlite:///{path}")
    other_process = sqlite3.connect(path, isolation_level=None)
    try:
        async with database.transaction() as session:
            await session.execute(text("CREATE TABLE t (x INTEGER)"))
        other_process.execute("BEGIN IMMEDIATE")  # another process is writing
        ticks = 0
        writing = asyncio.Event()

        async def turn() -> None:
            with statements_on_loop():
                writing.set()
                async with database.transaction() as session:
                    await session.execute(text("INSERT INTO t VALUES (1)"))

        async def loop_still_serving() -> None:
            nonlocal ticks
            await writing.wait()
            while ticks < 5:
                await asyncio.sleep(0.01)
                ticks += 1
            other_process.execute("COMMIT")

        await asyncio.gather(turn(), loop_still_serving())
        assert ticks == 5, "the loop kept serving while the turn waited for the lock"
        async with database.reading() as session:
            assert (await session.scalars(text("SELECT x FROM t"))).all() == [1]
    finally:
        other_process.close()
        await database.engine.dispose()
