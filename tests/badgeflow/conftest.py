"""A colbot with its web server up, codes made directly, and the independent checkers' inputs."""

from __future__ import annotations

import asyncio
import json
import os
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

import aiohttp
import jwt
import pytest
from aiohttp import web
from jsonschema import Draft201909Validator
from sqlalchemy import select

from colbot import cli
from colbot.app import Colbot, build_app
from colbot.chat.messages import Outbound
from colbot.clock import FrozenClock
from colbot.codes import store as codes
from colbot.openbadges.baking import unbake
from colbot.settings import Settings
from colbot.storage.models import IssuedBadge, Opportunity, StaffMember
from tests.badges.world import SHARED, load_json
from tests.conftest import TEST_NOW, copy_demo
from tests.engine.talk import Talker

LINKEDIN = "https://www.linkedin.com/profile/add?"


@pytest.fixture
async def served(
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


async def make_code(
    colbot: Colbot, uses: int = 1, opportunity_id: int | None = None, **changes: Any
) -> tuple[str, Opportunity]:
    """A completion code for an opportunity (the first demo one unless told), made directly."""
    async with colbot.database.transaction() as session:
        query = select(Opportunity).order_by(Opportunity.id)
        if opportunity_id is not None:
            query = query.where(Opportunity.id == opportunity_id)
        opportunity = await session.scalar(query.limit(1))
        assert opportunity is not None
        for name, value in changes.items():
            setattr(opportunity, name, value)
        staff = await session.scalar(
            select(StaffMember).where(StaffMember.partner_id == opportunity.partner_id)
        )
        if staff is None:
            staff = StaffMember(
                partner_id=opportunity.partner_id,
                channel="telegram",
                external_id=f"staff-{opportunity.partner_id}",
                is_admin=True,
                joined_at=TEST_NOW,
            )
            session.add(staff)
            await session.flush()
        code = await codes.make_code(
            session, staff, opportunity, uses, TEST_NOW + timedelta(days=1), TEST_NOW
        )
        return code.code, opportunity


async def badges_of(colbot: Colbot) -> list[IssuedBadge]:
    async with colbot.database.transaction() as session:
        return list(await session.scalars(select(IssuedBadge).order_by(IssuedBadge.id)))


@dataclass(frozen=True)
class Handed:
    """What the chat handed over for one earned badge."""

    picture: Outbound
    file: Outbound

    @property
    def baked(self) -> bytes:
        assert self.file.file is not None
        return self.file.file.content

    @property
    def ob2_jws(self) -> str:
        text = unbake(self.baked).assertion
        assert text is not None
        return text

    @property
    def credential(self) -> dict[str, Any]:
        text = unbake(self.baked).credential
        assert text is not None
        document: dict[str, Any] = json.loads(text)
        return document

    @property
    def assertion(self) -> dict[str, Any]:
        """The OB 2.0 assertion inside the JWS, read without checking (tests check it apart)."""
        document: dict[str, Any] = json.loads(
            jwt.api_jws.decode(self.ob2_jws, options={"verify_signature": False})
        )
        return document

    def linkedin(self) -> str:
        urls = [b.url or b.data for row in self.picture.buttons for b in row]
        return next(url for url in urls if url.startswith(LINKEDIN))


def handed_badge(replies: list[Outbound]) -> Handed:
    """The earned badge's picture message and the baked file after it."""
    for position, message in enumerate(replies):
        if message.image is not None and position + 1 < len(replies):
            follower = replies[position + 1]
            if follower.file is not None:
                return Handed(message, follower)
    raise AssertionError(f"no badge picture and file in {[m.text[:40] for m in replies]}")


async def redeem(colbot: Colbot, code: str, who: str = "yp") -> tuple[Talker, list[Outbound]]:
    talker = Talker(colbot.engine, who, first_name="Sam")
    return talker, await talker.say(code)


async def fetched(http: aiohttp.ClientSession, url: str) -> tuple[int, str, bytes]:
    """Status, content type and body of a URL, over real HTTP."""
    async with http.get(url) as response:
        return response.status, response.content_type, await response.read()


async def fetch_json(http: aiohttp.ClientSession, url: str) -> Any:
    status, _, body = await fetched(http, url)
    assert status == 200, (url, status, body[:200])
    return json.loads(body)


CliRun = Callable[..., Awaitable[tuple[int, str]]]


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
