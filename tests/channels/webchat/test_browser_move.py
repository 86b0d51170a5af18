"""First message to badge in a real browser on the web chat alone, then on to a second browser."""

from __future__ import annotations

import re

import pytest

from colbot.app import Colbot
from colbot.codes.venue_links import venue_link
from tests.support.chromium import (
    ARTEFACTS,
    CHROMIUM,
    CHROMIUM_ARGS,
    PHONE,
    REQUIRED,
    WAIT_MS,
    playwright_api,
)
from tests.support.staff import completion_code

MOVE_CODE = re.compile(r"/move (\d{6})")

pytestmark = pytest.mark.skipif(
    not CHROMIUM.exists() and not REQUIRED, reason="needs Debian's chromium"
)


async def test_first_message_to_badge_then_a_second_browser_with_the_move_code(
    serving_colbot: Colbot,
) -> None:
    async with playwright_api.async_playwright() as driver:
        browser = await driver.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        phone = await browser.new_context(viewport=PHONE)
        page = await phone.new_page()
        await page.goto(f"{serving_colbot.settings.public_url}/chat")
        chip = page.locator("button.chip:not([disabled])")
        bot = page.locator(".bubble.bot")

        async def say(text: str, then: str) -> None:
            """Types a message and waits for a new reply saying `then`."""
            before = await bot.filter(has_text=then).count()
            await page.fill("#text", text)
            await page.press("#text", "Enter")
            await bot.filter(has_text=then).nth(before).wait_for(timeout=WAIT_MS)

        await chip.filter(has_text="Yes, that's OK").last.click(timeout=WAIT_MS)
        await bot.filter(has_text="How old").last.wait_for(timeout=WAIT_MS)
        await say("15", then="call you")
        await say("Robin", then="Whereabouts")
        await say("riverside", then="How far")
        await chip.filter(has_text="Up to 3 km").last.click(timeout=WAIT_MS)
        await chip.filter(has_text="Music").last.click(timeout=WAIT_MS)
        await chip.filter(has_text="Done").last.click(timeout=WAIT_MS)
        await chip.filter(has_text="Weekends").last.click(timeout=WAIT_MS)
        await chip.filter(has_text="Done").last.click(timeout=WAIT_MS)
        await chip.filter(has_text="No, only when I ask").last.click(timeout=WAIT_MS)
        await bot.filter(has_text="All done, Robin").last.wait_for(timeout=WAIT_MS)

        await say("/explore", then="Want something else?")
        card = bot.filter(has=page.locator("button.chip:not([disabled])", has_text="Save"))
        title = (await card.first.inner_text()).splitlines()[0]
        await card.first.locator("button.chip", has_text="Save").click(timeout=WAIT_MS)
        await say("/saved", then=title)

        code = await completion_code(serving_colbot)
        await say(code.lower().replace("-", " "), then="Brilliant work")
        badge = bot.filter(has_text="Brilliant work").last
        assert await badge.locator("img[alt$='.png']").count() == 1
        assert await badge.locator("a.file").count() == 0

        await page.click("#move")
        offer = bot.filter(has_text="/move ").last
        await offer.wait_for(timeout=WAIT_MS)
        found = MOVE_CODE.search(await offer.inner_text())
        assert found

        laptop = await browser.new_context(viewport=PHONE)
        other = await laptop.new_page()
        await other.goto(f"{serving_colbot.settings.public_url}/chat#move={found[1]}")
        there = other.locator(".bubble.bot")
        await there.filter(has_text="moved here").last.wait_for(timeout=WAIT_MS)
        await other.fill("#text", "/saved")
        await other.press("#text", "Enter")
        await there.filter(has_text=title).last.wait_for(timeout=WAIT_MS)
        assert other.url.endswith("/chat")  # the code left the address bar

        await bot.filter(has_text="moved to another device").last.wait_for(timeout=WAIT_MS)
        assert await bot.filter(has_text="Brilliant work").count() == 0
        assert await page.locator(".bubble.me").count() == 0

        ARTEFACTS.mkdir(exist_ok=True)
        await other.screenshot(path=str(ARTEFACTS / "webchat-moved-360.png"))
        await browser.close()


async def test_the_venue_qr_page_takes_a_phone_without_telegram_to_its_badge(
    serving_colbot: Colbot,
) -> None:
    code = await completion_code(serving_colbot)
    async with playwright_api.async_playwright() as driver:
        browser = await driver.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        page = await (await browser.new_context(viewport=PHONE)).new_page()
        await page.goto(venue_link(serving_colbot.settings.public_url, code))
        ARTEFACTS.mkdir(exist_ok=True)
        await page.screenshot(path=str(ARTEFACTS / "venue-qr-360.png"))
        await page.click("a.way[href*='/chat?start=']")
        bot = page.locator(".bubble.bot")
        await bot.filter(has_text="Brilliant work").last.wait_for(timeout=WAIT_MS)
        assert await bot.filter(has_text="Brilliant work").locator("img").count() == 1
        assert page.url.endswith("/chat")  # the code left the address bar
        await browser.close()
