"""A colbot with its web server up, codes made directly, and the independent checkers' inputs."""

from __future__ import annotations

import asyncio
import os
from collections.abc import AsyncIterator
from pathlib import Path

import aiohttp
import pytest
from aiohttp import web
from jsonschema import Draft201909Validator

from colbot import cli
from colbot.app import Colbot, build_app
from colbot.clock import FrozenClock
from colbot.settings import Settings
from tests.support.badge_flow import CliRun
from tests.support.badge_world import SHARED, load_json
from tests.support.demo import TEST_NOW, copy_demo
from tests.support.oracles import Oracle, require_oracles


@pytest.fixture
async def serving_colbot(
    settings: Settings, clock: FrozenClock, demo_database: Path
) -> AsyncIterator[Colbot]:
    """colbot on a copy of the demo database, its web server listening at its public URL."""
    copy_demo(settings.data_dir, demo_database)
    app = build_app(settings, clock=clock)
    await app.prepare()
    runner = web.AppRunner(app.web_app, handle_signals=False)
    await runner.setup()
    await web.TCPSite(runner, settings.host, settings.port).start()
    yield app
    await runner.cleanup()
    await app.database.dispose()


@pytest.fixture
async def http() -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession() as session:
        yield session


@pytest.fixture(scope="session")
def credential_schema() -> Draft201909Validator:
    schema = load_json(SHARED / "schemas" / "achievementcredential.json")
    Draft201909Validator.check_schema(schema)
    return Draft201909Validator(schema)


@pytest.fixture
def run_cli(
    monkeypatch: pytest.MonkeyPatch,
    settings: Settings,
    clock: FrozenClock,
    capsys: pytest.CaptureFixture[str],
) -> CliRun:
    """Runs `colbot ...` as a user would, on the test's data folder, clock and web server."""
    monkeypatch.setenv("COLBOT_DATA_DIR", str(settings.data_dir))
    monkeypatch.setenv("COLBOT_PUBLIC_URL", settings.public_url)
    monkeypatch.setenv("COLBOT_PORT", str(settings.port))
    for name in ("COLBOT_TELEGRAM_TOKEN", "COLBOT_CONFIG", "COLBOT_DATABASE_URL"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setattr(
        cli, "build_app", lambda given, demo=False: build_app(given, clock=clock, demo=demo)
    )

    async def run(*argv: str) -> tuple[int, str]:
        capsys.readouterr()
        # In a thread: the command runs its own event loop, and fetches from this one's server.
        code = await asyncio.to_thread(cli.main, list(argv))
        captured = capsys.readouterr()
        return code, captured.out + captured.err

    return run


OB2_REPOSITORY = Path(__file__).resolve().parents[2]
VALIDATOR_ENV = "COLBOT_OB2_VALIDATOR"
DEFAULT_PYTHON = OB2_REPOSITORY / ".ci" / "ob2-venv" / "bin" / "python"


@pytest.fixture(scope="module")
def validator_python() -> Path:
    """The validator's Python; CI names it (and then it must work), locally it may be absent."""
    named = os.environ.get(VALIDATOR_ENV)
    python = Path(named) if named else DEFAULT_PYTHON
    if python.exists():
        return python
    message = f"the OB 2.0 reference validator is missing at {python}: bash .ci/ob2-validator"
    if named or os.environ.get("CI") == "true":
        pytest.fail(message)
    pytest.skip(message)


@pytest.fixture
def oracle(settings: Settings) -> Oracle:
    """The outside verifiers of .ci/oracles, fetching from this test's colbot only."""
    return Oracle(require_oracles(), settings.public_url, TEST_NOW)
