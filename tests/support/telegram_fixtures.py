"""colbot running for real against the Telegram Bot API test double, by polling or by webhook."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from colbot.app import Colbot, build_app
from colbot.clock import FrozenClock
from tests.doubles.telegram import TelegramDouble
from tests.support.demo import copy_demo
from tests.support.handled import let_double_see_handling
from tests.support.telegram_app import Starter, telegram_settings


@pytest.fixture
async def double() -> AsyncIterator[TelegramDouble]:
    async with TelegramDouble() as running:
        yield running


@pytest.fixture(params=["polling", "webhook"])
def mode(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
async def start_colbot(
    double: TelegramDouble, data_dir: Path, demo_database: Path, clock: FrozenClock
) -> AsyncIterator[Starter]:
    """Starts colbot (and can start it again on the same data, as after a restart)."""
    running: list[Colbot] = []

    async def start(mode: str = "polling", **extra: object) -> Colbot:
        if not (data_dir / "colbot.sqlite3").exists():
            copy_demo(data_dir, demo_database)
        colbot = build_app(telegram_settings(double, data_dir, mode, **extra), clock=clock)
        await colbot.start()
        let_double_see_handling(double, colbot)
        running.append(colbot)
        return colbot

    yield start
    for colbot in running:
        if colbot.telegram is not None and colbot.telegram.application.running:
            await colbot.stop()


@pytest.fixture
async def colbot_on_telegram(start_colbot: Starter, mode: str) -> Colbot:
    """colbot serving Telegram in each mode in turn."""
    return await start_colbot(mode)
