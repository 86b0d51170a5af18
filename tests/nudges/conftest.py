"""A built colbot whose outbox sends through the Telegram double, driven by hand and a clock."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path

import pytest
from sqlalchemy import select

from colbot.app import Colbot, build_app
from colbot.clock import FrozenClock
from colbot.storage.models import OutboxMessage
from tests.conftest import copy_demo
from tests.doubles.telegram import Person, TelegramDouble
from tests.nudges.seed import seed_people
from tests.telegram.conftest import telegram_settings

Seeder = Callable[..., Awaitable[list[Person]]]
ADMIN_ID = 424_242


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


async def outbox_rows(app: Colbot) -> list[OutboxMessage]:
    """Every outbox row, oldest first."""
    async with app.database.reading() as session:
        rows = list(await session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)))
        session.expunge_all()
        return rows


def delivered(double: TelegramDouble, method: str = "sendMessage") -> dict[int, int]:
    """Successful sends per chat."""
    counts: dict[int, int] = {}
    for call in double.calls_to(method):
        if call.ok and isinstance(call.chat_id, int):
            counts[call.chat_id] = counts.get(call.chat_id, 0) + 1
    return counts
