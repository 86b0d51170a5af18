"""A built colbot whose outbox sends through the Telegram double, driven by hand and a clock."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from colbot.app import Colbot, build_app
from colbot.clock import FrozenClock
from tests.doubles.telegram import Person, TelegramDouble
from tests.support.demo import copy_demo
from tests.support.outreach import ADMIN_ID, Seeder
from tests.support.people_seed import seed_people
from tests.support.telegram_app import telegram_settings


@pytest.fixture
async def double() -> AsyncIterator[TelegramDouble]:
    async with TelegramDouble() as running:
        yield running


@pytest.fixture
async def sender(
    double: TelegramDouble, data_dir: Path, demo_database: Path, clock: FrozenClock
) -> AsyncIterator[Colbot]:
    """colbot with its Telegram bot connected but not polling: only the outbox talks."""
    copy_demo(data_dir, demo_database)
    settings = telegram_settings(double, data_dir, "polling", admins=frozenset({ADMIN_ID}))
    app = build_app(settings, clock=clock)
    await app.prepare()
    assert app.telegram is not None
    await app.telegram.application.initialize()
    # Retries here move on the injected clock; the real one-second gap per chat has its own test.
    app.outbox.per_chat_gap_s = 0.0
    yield app
    await app.telegram.application.shutdown()
    await app.database.dispose()


@pytest.fixture
def people(double: TelegramDouble, sender: Colbot, clock: FrozenClock) -> Seeder:
    """Makes young people who have started the bot and finished onboarding."""

    async def make(n: int, **options: object) -> list[Person]:
        made = [double.person(f"Young{i}") for i in range(n)]
        await seed_people(sender.database, [p.id for p in made], clock.now(), **options)  # type: ignore[arg-type]
        return made

    return make
