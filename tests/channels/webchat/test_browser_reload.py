"""The web chat survives what phones do: reloads bring back the question, the badge and the menu."""

from __future__ import annotations

import pytest

from colbot.app import Colbot
from colbot.openbadges.baking import unbake
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

pytestmark = pytest.mark.skipif(
    not CHROMIUM.exists() and not REQUIRED, reason="needs Debian's chromium"
)
LIVE = "button.chip:not([disabled])"


async def test_a_reload_mid_question_asks_it_again_with_buttons_that_work(
    serving_colbot: Colbot,
) -> None:
    async with playwright_api.async_playwright() as driver:
        browser = await driver.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        page = await (await browser.new_context(viewport=PHONE)).new_page()
        await page.goto(f"{serving_colbot.settings.public_url}/chat")
        bot = page.locator(".bubble.bot")
        await page.locator(LIVE).filter(has_text="Yes, that's OK").last.click(timeout=WAIT_MS)
        await bot.filter(has_text="How old").last.wait_for(timeout=WAIT_MS)
        asked = await bot.filter(has_text="How old").count()

        await page.reload()
        await bot.filter(has_text="How old").nth(asked).wait_for(timeout=WAIT_MS)
        assert await page.locator("button.chip[disabled]").count() == 0
        await page.locator(LIVE).filter(has_text="16").last.click(timeout=WAIT_MS)
        await bot.filter(has_text="call you").last.wait_for(timeout=WAIT_MS)

        # The sticky header is never painted over by the bubbles and chips scrolling under it.
        for sent in range(3):
            await page.fill("#text", "/help")
            await page.press("#text", "Enter")
            await bot.filter(has_text="Here's what I can do").nth(sent).wait_for(timeout=WAIT_MS)
        await page.evaluate("window.scrollTo(0, document.body.scrollHeight)")
        on_top = await page.evaluate(
            """() => { const h = document.querySelector('header').getBoundingClientRect();
                 const hit = document.elementFromPoint(h.left + 30, h.top + h.height / 2);
                 return Boolean(hit && hit.closest('header')); }"""
        )
        assert on_top
        ARTEFACTS.mkdir(exist_ok=True)
        await page.screenshot(path=str(ARTEFACTS / "webchat-reloaded.png"))
        await browser.close()


async def test_a_reload_after_a_badge_shows_its_baked_picture_to_this_browser_only(
    serving_colbot: Colbot,
) -> None:
    async with playwright_api.async_playwright() as driver:
        browser = await driver.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        page = await (await browser.new_context(viewport=PHONE)).new_page()
        await page.goto(f"{serving_colbot.settings.public_url}/chat")
        bot = page.locator(".bubble.bot")
        await bot.first.wait_for(timeout=WAIT_MS)
        code = await completion_code(serving_colbot)
        await page.fill("#text", code)
        await page.press("#text", "Enter")
        await bot.filter(has_text="Brilliant work").last.wait_for(timeout=WAIT_MS)

        await page.reload()
        badge = bot.filter(has_text="Brilliant work").last
        await badge.wait_for(timeout=WAIT_MS)
        image = badge.locator("img")
        await page.wait_for_function(
            "img => img.complete && img.naturalWidth > 0", arg=await image.element_handle()
        )
        assert await badge.locator("a.file").count() == 0, "the picture is the badge file"
        url = await image.get_attribute("src")
        assert url is not None and url.startswith("/chat/files/")
        mine = await page.request.get(f"{serving_colbot.settings.public_url}{url}")
        assert mine.status == 200 and unbake(await mine.body()).credential is not None
        await badge.scroll_into_view_if_needed()
        await page.screenshot(path=str(ARTEFACTS / "webchat-badge-picture.png"))

        stranger = await (await browser.new_context()).new_page()
        await stranger.goto(f"{serving_colbot.settings.public_url}/chat")
        theirs = await stranger.request.get(f"{serving_colbot.settings.public_url}{url}")
        assert theirs.status == 404
        await browser.close()


async def test_the_command_menu_lists_the_commands_and_sends_one(serving_colbot: Colbot) -> None:
    async with playwright_api.async_playwright() as driver:
        browser = await driver.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        page = await (await browser.new_context(viewport=PHONE)).new_page()
        await page.goto(f"{serving_colbot.settings.public_url}/chat")
        await page.locator("#menu-button").click(timeout=WAIT_MS)
        items = page.locator("#menu button")
        await items.first.wait_for(timeout=WAIT_MS)
        listed = await items.all_inner_texts()
        assert any(item.startswith("/help") for item in listed)
        assert not any(item.startswith(("/newcode", "/broadcast")) for item in listed)
        await items.filter(has_text="/help").click()
        await (
            page.locator(".bubble.bot")
            .filter(has_text="Here's what I can do")
            .wait_for(timeout=WAIT_MS)
        )
        assert await page.locator("#menu").is_hidden()
        # A message that only carries a menu draws no empty bubble.
        empty = await page.evaluate(
            """() => [...document.querySelectorAll('.bubble.bot')]
                .filter(b => !b.textContent.trim() && !b.querySelector('img')).length"""
        )
        assert empty == 0
        ARTEFACTS.mkdir(exist_ok=True)
        await page.screenshot(path=str(ARTEFACTS / "webchat-menu.png"))
        await browser.close()
