"""Shared fixtures: settings on a temporary data folder, a controllable clock, a built colbot."""

from __future__ import annotations

import asyncio
import io
import os
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest

from colbot.app import Colbot, build_app
from colbot.badges.issuers import KeyStore
from colbot.badges.urls import CITY_ISSUER, partner_issuer
from colbot.clock import FrozenClock
from colbot.settings import Settings, load_settings
from colbot.storage.database import Database
from tests.support import databases
from tests.support.demo import TEST_NOW, copy_demo, free_port

# Fixtures that tests in several feature folders share: colbot on each channel with a person to
# talk to it, the Telegram double and colbot against it, and a headless browser.
pytest_plugins = [
    "tests.support.conversation_fixtures",
    "tests.support.telegram_fixtures",
    "tests.support.browser_fixtures",
    "tests.support.feed_server",
]


# PTB's RetryAfter warns about an int retry_after unless told to use timedelta; warnings fail.
os.environ.setdefault("PTB_TIMEDELTA", "true")

STUCK_TASK_TIMEOUT_S = 20.0


@pytest.fixture(autouse=True)
async def no_task_left_running() -> AsyncIterator[None]:
    """Fails a test that leaves behind a task which will not stop when cancelled.

    Without this, such a task hangs the whole run at the test's end, saying nothing of where.
    """
    yield
    current = asyncio.current_task()
    left = [task for task in asyncio.all_tasks() if task is not current and not task.done()]
    for task in left:
        task.cancel()
    if not left:
        return
    _, stuck = await asyncio.wait(left, timeout=STUCK_TASK_TIMEOUT_S)
    if stuck:
        stacks = io.StringIO()
        for task in stuck:
            task.print_stack(file=stacks)
        pytest.fail(f"{len(stuck)} task(s) ignored cancellation:\n{stacks.getvalue()}")


@pytest.fixture
async def database(tmp_path: Path) -> AsyncIterator[Database]:
    """An empty, migrated database of the test's own (on PostgreSQL, a database on the server)."""
    url = databases.database_url_for(tmp_path) or f"sqlite+aiosqlite:///{tmp_path / 'db.sqlite3'}"
    migrated = Database(url)
    await migrated.upgrade()
    yield migrated
    await migrated.dispose()


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


@pytest.fixture(scope="session")
def demo_database(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A migrated SQLite file with the demo city, made once and copied for each test.

    On PostgreSQL the file only names a template database, which each copy clones.
    """
    folder = tmp_path_factory.mktemp("template")
    template = None
    if databases.ON_POSTGRES:
        template = databases.server().create(name=f"{databases.server().prefix}_demo")
        url = databases.server().database_url(template)
        settings = load_settings({}, data_dir=folder, database_url=url)
    else:
        settings = load_settings({}, data_dir=folder)

    async def make() -> None:
        app = build_app(settings, clock=FrozenClock(TEST_NOW), demo=True)
        await app.prepare()
        await app.database.dispose()
        keys = KeyStore(folder)
        for issuer in (CITY_ISSUER, *(partner_issuer(p.id) for p in app.city.partners)):
            keys.current(issuer)

    asyncio.run(make())
    if template is not None:
        (folder / databases.DATABASE_FILE).write_bytes(databases.TEMPLATE_MARK + template.encode())
    return folder / "colbot.sqlite3"


@pytest.fixture(autouse=True)
def database_per_test(
    monkeypatch: pytest.MonkeyPatch, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[None]:
    """On PostgreSQL, gives each temporary data directory its own database (tests/databases.py)."""
    if not databases.ON_POSTGRES:
        yield
        return
    default = Settings.resolved_database_url
    temporary = tmp_path_factory.getbasetemp().resolve()

    def resolved(settings: Settings) -> str:
        if settings.database_url or not settings.data_dir.resolve().is_relative_to(temporary):
            return default.__get__(settings)
        return databases.server().for_folder(settings.data_dir)

    monkeypatch.setattr(Settings, "resolved_database_url", property(resolved))
    yield
    databases.server().drop_test_databases(keep={f"{databases.server().prefix}_demo"})


@pytest.fixture
async def colbot(
    settings: Settings, clock: FrozenClock, demo_database: Path
) -> AsyncIterator[Colbot]:
    """A colbot on its own copy of the demo database, not serving."""
    copy_demo(settings.data_dir, demo_database)
    app = build_app(settings, clock=clock)
    await app.prepare()
    yield app
    await app.database.dispose()
