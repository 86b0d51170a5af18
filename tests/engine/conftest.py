"""Every conversation test runs twice: on the engine directly, and through Telegram for real."""

from __future__ import annotations

import shutil
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from colbot.app import Colbot, build_app
from colbot.clock import FrozenClock
from colbot.settings import Settings
from tests.doubles.telegram import TelegramDouble
from tests.engine.talk import AnyTalker, Talk, Talker, TelegramTalker
from tests.telegram.conftest import telegram_settings


@pytest.fixture(params=["console", "telegram"])
def channel(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
async def telegram(channel: str) -> AsyncIterator[TelegramDouble | None]:
    """The Bot API double when the channel under test is Telegram."""
    if channel != "telegram":
        yield None
        return
    async with TelegramDouble(quiet_period=0.08) as double:
        yield double


@pytest.fixture
async def colbot(
    telegram: TelegramDouble | None, settings: Settings, clock: FrozenClock, demo_database: Path
) -> AsyncIterator[Colbot]:
    """colbot on a copy of the demo database; on Telegram it runs against the Bot API double."""
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(demo_database, settings.data_dir / "colbot.sqlite3")
    if telegram is None:
        app = build_app(settings, clock=clock)
        await app.prepare()
        yield app
        await app.database.dispose()
        return
    app = build_app(telegram_settings(telegram, settings.data_dir, "polling"), clock=clock)
    await app.start()
    yield app
    await app.stop()


@pytest.fixture
def talk(colbot: Colbot, telegram: TelegramDouble | None) -> Talk:
    """Makes a person who chats on the channel under test."""

    def make(name: str = "p1", first_name: str = "Sam") -> AnyTalker:
        if telegram is None:
            return Talker(colbot.engine, name, first_name=first_name)
        return TelegramTalker(telegram.person(first_name), colbot.engine)

    return make
