"""The web chat in a real headless Chromium: chips, typing, a server restart, XSS, a screenshot."""

from __future__ import annotations

import itertools
from pathlib import Path

import pytest
from playwright.async_api import Browser

from colbot.app import Colbot, build_app
from colbot.clock import FrozenClock
from colbot.settings import Settings
from tests.support.chromium import (
    ARTEFACTS,
    CHROMIUM,
    CHROMIUM_ARGS,
    PHONE,
    REQUIRED,
    WAIT_MS,
    playwright_api,
)
from tests.support.demo import copy_demo

XSS = "<img src=x onerror=alert(1)>"

pytestmark = pytest.mark.skipif(
    not CHROMIUM.exists() and not REQUIRED, reason="needs Debian's chromium"
)


async def _start(settings: Settings, clock: FrozenClock) -> Colbot:
    app = build_app(settings, clock=clock)
    await app.start()
    return app


async def test_a_conversation_survives_a_restart_and_typed_html_stays_text(
    settings: Settings, clock: FrozenClock, demo_database: Path
) -> None:
    copy_demo(settings.data_dir, demo_database)
    app = await _start(settings, clock)
    try:
        async with playwright_api.async_playwright() as driver:
            browser = await driver.chromium.launch(
                executable_path=str(CHROMIUM), args=CHROMIUM_ARGS
            )
            context = await browser.new_context(viewport=PHONE)
            page = await context.new_page()
            dialogs: list[str] = []
            page.on("dialog", lambda dialog: dialogs.append(dialog.message))
            await page.goto(f"{settings.public_url}/chat")
            chip = page.locator("button.chip:not([disabled])")
            await chip.filter(has_text="Yes, that's OK").last.click(timeout=WAIT_MS)
            await chip.filter(has_text="16").last.click(timeout=WAIT_MS)
            await (
                page.locator(".bubble.bot")
                .filter(has_text="call you")
                .last.wait_for(timeout=WAIT_MS)
            )
            await page.fill("#text", XSS)
            await page.press("#text", "Enter")
            await chip.filter(has_text="Riverside").last.wait_for(timeout=WAIT_MS)

            await app.stop()  # the connection drops in the middle of the conversation
            await page.locator("body.offline").wait_for(timeout=WAIT_MS)
            await chip.filter(has_text="Riverside").last.click()
            app = await _start(settings, clock)
            await chip.filter(has_text="Up to 3 km").last.click(timeout=WAIT_MS)
            await chip.filter(has_text="Music").last.click(timeout=WAIT_MS)
            await chip.filter(has_text="Done").last.click(timeout=WAIT_MS)
            await chip.filter(has_text="Weekends").last.click(timeout=WAIT_MS)
            await chip.filter(has_text="Done").last.click(timeout=WAIT_MS)
            await chip.filter(has_text="No, only when I ask").last.click(timeout=WAIT_MS)
            done = page.locator(".bubble.bot").filter(has_text="All done")
            await done.last.wait_for(timeout=WAIT_MS)

            bot_texts = await page.locator(".bubble.bot").all_inner_texts()
            assert await done.count() == 1
            assert all(a != b for a, b in itertools.pairwise(bot_texts))
            assert dialogs == []
            assert await page.locator(".bubble img[src='x']").count() == 0
            assert XSS in await page.locator(".bubble.me").all_inner_texts()
            ARTEFACTS.mkdir(exist_ok=True)
            await page.screenshot(path=str(ARTEFACTS / "webchat-360.png"), full_page=False)
            await browser.close()
    finally:
        await app.stop()


async def test_typing_through_onboarding_gets_one_bubble_an_answer(
    serving_colbot: Colbot, browser: Browser
) -> None:
    page = await (await browser.new_context(viewport=PHONE)).new_page()
    await page.goto(f"{serving_colbot.settings.public_url}/chat")
    bot = page.locator(".bubble.bot")

    async def say(text: str, then: str) -> list[str]:
        """Types as a young person does, and the bot's bubbles that answer it."""
        before = await bot.count()
        await page.fill("#text", text)
        await page.press("#text", "Enter")
        await bot.filter(has_text=then).last.wait_for(timeout=WAIT_MS)
        return (await bot.all_inner_texts())[before:]

    await bot.filter(has_text="Is it OK").last.wait_for(timeout=WAIT_MS)
    assert await say("yeah", "How old") == [await bot.last.inner_text()]
    (age,) = await say("14", "call you")
    assert age.startswith("Got it: 14") and "What should I call you?" in age
    await say("jo", "Whereabouts")
    area = await say("kf1", "How far")
    assert area[0] == "Got it: Town Centre" and "How far" in area[-1]
    await say("anywhere", "What are you into")
    await say("footy n drawing", "added")
    await say("done", "free")
    await say("weekends", "message you first")
    await say("nah", "All done")
    ARTEFACTS.mkdir(exist_ok=True)
    await page.screenshot(path=str(ARTEFACTS / "webchat-typed-360.png"), full_page=False)
