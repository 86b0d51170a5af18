"""The web chat's tests share one colbot that serves, on its own copy of the demo city."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from colbot.app import Colbot, build_app
from colbot.clock import FrozenClock
from colbot.settings import Settings
from tests.support.demo import copy_demo
from tests.support.talk import WebChatTalker


@pytest.fixture
async def serving_colbot(
    settings: Settings, clock: FrozenClock, demo_database: Path
) -> AsyncIterator[Colbot]:
    """A colbot serving its web chat on loopback, on its own copy of the demo database."""
    copy_demo(settings.data_dir, demo_database)
    app = build_app(settings, clock=clock)
    await app.start()
    yield app
    await app.stop()


@pytest.fixture
async def talkers(serving_colbot: Colbot) -> AsyncIterator[list[WebChatTalker]]:
    """Web chat talkers a test makes, each closed when it ends."""
    made: list[WebChatTalker] = []
    yield made
    for talker in made:
        await talker.close()
