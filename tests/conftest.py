"""Shared fixtures: settings on a temporary data folder, a controllable clock, a built colbot."""

from __future__ import annotations

import socket
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from colbot.app import Colbot, build_app
from colbot.clock import FrozenClock
from colbot.settings import Settings, load_settings

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


@pytest.fixture
async def colbot(settings: Settings, clock: FrozenClock) -> AsyncIterator[Colbot]:
    """A colbot on a fresh SQLite file with the demo city loaded, not serving."""
    app = build_app(settings, clock=clock, demo=True)
    await app.prepare()
    yield app
    await app.database.dispose()
