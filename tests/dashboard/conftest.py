"""A colbot with a city admin, on a copy of the demo city, and the data each test writes."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from colbot.app import Colbot, build_app
from colbot.clock import FrozenClock
from colbot.settings import Settings, load_settings
from tests.support.dashboard import ADMIN
from tests.support.demo import copy_demo, free_port


@pytest.fixture
def admin_settings(data_dir: Path) -> Settings:
    port = free_port()
    return load_settings(
        {},
        data_dir=data_dir,
        port=port,
        public_url=f"http://127.0.0.1:{port}",
        admins=frozenset({ADMIN}),
    )


@pytest.fixture
async def board(
    admin_settings: Settings, clock: FrozenClock, demo_database: Path
) -> AsyncIterator[Colbot]:
    """colbot with a city admin, not serving."""
    copy_demo(admin_settings.data_dir, demo_database)
    app = build_app(admin_settings, clock=clock)
    await app.prepare()
    yield app
    await app.database.dispose()


@pytest.fixture
async def served_board(board: Colbot) -> AsyncIterator[Colbot]:
    """colbot with a city admin, serving on its public URL's port."""
    await board.start()
    yield board
    await board.stop()
