"""Shared fixtures: settings on a temporary data folder, a controllable clock, a built colbot."""

from __future__ import annotations

import os
import shutil
import socket
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from colbot.app import Colbot, build_app
from colbot.clock import FrozenClock
from colbot.settings import Settings, load_settings

# PTB's RetryAfter warns about an int retry_after unless told to use timedelta; warnings fail.
os.environ.setdefault("PTB_TIMEDELTA", "true")

# A Saturday morning in term time, so that "today" and "after school" both mean something.
TEST_NOW = datetime(2026, 11, 28, 9, 30, tzinfo=UTC)


def free_port() -> int:
    """A TCP port nobody is listening on right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def clock() -> FrozenClock:
    return FrozenClock(TEST_NOW)


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    return tmp_path / "colbot-data"


@pytest.fixture
def settings(data_dir: Path) -> Settings:
    port = free_port()
    return load_settings({}, data_dir=data_dir, port=port, public_url=f"http://127.0.0.1:{port}")


@pytest.fixture(scope="session")
def demo_database(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A migrated SQLite file with the demo city, made once and copied for each test."""
    import asyncio

    folder = tmp_path_factory.mktemp("template")
    settings = load_settings({}, data_dir=folder)

    async def make() -> None:
        app = build_app(settings, clock=FrozenClock(TEST_NOW), demo=True)
        await app.prepare()
        await app.database.dispose()

    asyncio.run(make())
    return folder / "colbot.sqlite3"


@pytest.fixture
async def colbot(
    settings: Settings, clock: FrozenClock, demo_database: Path
) -> AsyncIterator[Colbot]:
    """A colbot on its own copy of the demo database, not serving."""
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(demo_database, settings.data_dir / "colbot.sqlite3")
    app = build_app(settings, clock=clock)
    await app.prepare()
    yield app
    await app.database.dispose()
