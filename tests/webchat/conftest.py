"""The web chat's tests share one colbot that serves, on its own copy of the demo city."""

from __future__ import annotations

import shutil
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from colbot.app import Colbot, build_app
from colbot.clock import FrozenClock
from colbot.settings import Settings


@pytest.fixture
async def colbot(
    settings: Settings, clock: FrozenClock, demo_database: Path
) -> AsyncIterator[Colbot]:
    """A colbot serving its web chat on loopback, on its own copy of the demo database."""
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(demo_database, settings.data_dir / "colbot.sqlite3")
    app = build_app(settings, clock=clock)
    await app.start()
    yield app
    await app.stop()
