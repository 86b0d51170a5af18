"""Every conversation test runs on the engine directly, through Telegram, and on the web chat."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from colbot.app import Colbot, build_app
from colbot.channels.webchat.page import LIMITS_KEY
from colbot.clock import FrozenClock
from colbot.settings import Settings
from tests.doubles.telegram import TelegramDouble
from tests.support.demo import copy_demo
from tests.support.talk import AnyTalker, Talk, Talker, TelegramTalker, WebChatTalker
from tests.support.telegram_app import telegram_settings

SCRIPTED_RATE = 10_000


@pytest.fixture(params=["console", "telegram", "webchat"])
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
async def channel_colbot(
    channel: str,
    telegram: TelegramDouble | None,
    settings: Settings,
    clock: FrozenClock,
    demo_database: Path,
) -> AsyncIterator[Colbot]:
    """colbot on a copy of the demo database; on Telegram it runs against the Bot API double."""
    copy_demo(settings.data_dir, demo_database)
    if channel == "webchat":
        app = build_app(settings, clock=clock)
        limits = app.web_app[LIMITS_KEY]
        # Scripts type faster than people, and every test talker shares one loopback address;
        # the limits themselves are tested in tests/channels/webchat/test_limits.py.
        limits.devices.most = limits.addresses.most = limits.new_devices.most = SCRIPTED_RATE
        await app.start()
        yield app
        await app.stop()
        return
    if telegram is None:
        app = build_app(settings, clock=clock)
        await app.prepare()
        yield app
        await app.database.dispose()
        return
    on_double = telegram_settings(
        telegram, settings.data_dir, "polling", explore_layout=settings.explore_layout
    )
    app = build_app(on_double, clock=clock)
    await app.start()
    yield app
    await app.stop()


@pytest.fixture
async def talk(
    channel_colbot: Colbot, telegram: TelegramDouble | None, channel: str
) -> AsyncIterator[Talk]:
    """Makes a person who chats on the channel under test."""
    web_talkers: list[WebChatTalker] = []

    def make(name: str = "p1", first_name: str = "Sam") -> AnyTalker:
        if channel == "webchat":
            web_talkers.append(
                WebChatTalker(channel_colbot.settings.public_url, channel_colbot.engine, first_name)
            )
            return web_talkers[-1]
        if telegram is None:
            return Talker(channel_colbot.engine, name, first_name=first_name)
        return TelegramTalker(telegram.person(first_name), channel_colbot)

    yield make
    for talker in web_talkers:
        await talker.close()
