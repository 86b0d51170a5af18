"""A colbot with a city admin, on a copy of the demo city, and the data each test writes."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from colbot.app import Colbot, build_app
from colbot.clock import FrozenClock
from colbot.settings import Settings, load_settings
from tests.conftest import copy_demo, free_port
from tests.dashboard.seed import Group

ADMIN = 4242
# 22 onboarded: 12 in Eastfield (decile 1), 7 in the Town Centre (decile 4), 3 in Westwood
# (decile 8). 15 of them redeemed a code with Pixel Forge; 2 more people with Foundry Gallery.
GROUPS = [
    Group(12, "kf4", ("music", "coding"), 3, "pixel-forge", hours=2.0),
    Group(7, "kf1", ("art", "music"), 10),
    Group(3, "kf6", ("sport",), 20, "pixel-forge", hours=1.5),
    Group(2, "kf2", ("art",), 40, "foundry-gallery", hours=3.0),
]


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
