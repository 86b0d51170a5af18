"""A served colbot, a badge earned in the chat, and its "Add to wallet" link pressed for."""

from __future__ import annotations

import asyncio
import json
import re
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from aiohttp import web

from colbot.app import Colbot, build_app
from colbot.badges.cli import fetch as http_fetch
from colbot.chat.messages import Outbound
from colbot.clock import FrozenClock
from colbot.openbadges.verdicts import Verdict
from colbot.openbadges.verify import verify
from colbot.settings import Settings
from tests.doubles.learner_credential_wallet import LearnerCredentialWallet
from tests.support.badge_flow import Handed, handed_badge, make_code, redeem
from tests.support.demo import copy_demo
from tests.support.staff import scanned
from tests.support.talk import Talker

INTERACTION_URL = re.compile(r"https?://\S+\?iuv=1")


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


@pytest.fixture
def wallet(http: aiohttp.ClientSession) -> LearnerCredentialWallet:
    """A fresh wallet profile: its own new key and did:key."""
    return LearnerCredentialWallet(http)


@dataclass(frozen=True)
class Offer:
    """A badge just earned in the chat, and the wallet link its button sent."""

    talker: Talker
    handed: Handed
    message: Outbound

    @property
    def request_link(self) -> str:
        """The Learner Credential Wallet link behind the button; the QR code holds the same."""
        (button,) = [b for row in self.message.buttons for b in row if b.url]
        assert self.message.image is not None
        assert scanned(self.message.image.content) == [button.url]
        return button.url

    @property
    def interaction_url(self) -> str:
        found = INTERACTION_URL.search(self.message.text)
        assert found is not None, self.message.text
        return found.group(0)

    @property
    def exchange_url(self) -> str:
        return self.interaction_url.removesuffix("?iuv=1")


async def earn_and_offer(colbot: Colbot, who: str = "yp") -> Offer:
    """Redeems a code in the chat, then presses the badge message's "Add to wallet" button."""
    code, _ = await make_code(colbot)
    talker, replies = await redeem(colbot, code, who)
    handed = handed_badge(replies)
    offered = await talker.press("Add to wallet", on=handed.message)
    return Offer(talker, handed, offered[-1])


@pytest.fixture
async def offer(serving_colbot: Colbot) -> Offer:
    return await earn_and_offer(serving_colbot)


async def verdict_of(colbot: Colbot, credential: dict[str, Any]) -> Verdict:
    """colbot's own verifier on the credential, fetching what it names over real HTTP."""
    text = json.dumps(credential)
    return await asyncio.to_thread(verify, text, http_fetch, colbot.clock.now())
