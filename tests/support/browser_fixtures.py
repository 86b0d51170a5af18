"""Fixtures for pages in headless Chromium (Debian's, via Playwright): the browser, the site."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from playwright.async_api import Browser, async_playwright

from colbot.app import Colbot
from tests.support.browser import _missing
from tests.support.chromium import CHROMIUM, CHROMIUM_ARGS


@pytest.fixture
async def browser() -> AsyncIterator[Browser]:
    if not CHROMIUM.exists():
        _missing(CHROMIUM, "apt-get install -y chromium")
    async with async_playwright() as playwright:
        launched = await playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=CHROMIUM_ARGS
        )
        yield launched
        await launched.close()


@pytest.fixture
async def site_url(colbot: Colbot) -> AsyncIterator[str]:
    """colbot's web server running on its own port; yields its address."""
    await colbot.start()
    yield colbot.settings.public_url
    await colbot.stop()
