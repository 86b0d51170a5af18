"""The front door in headless Chromium at phone width: readable, accessible, no sideways scroll."""

from __future__ import annotations

from playwright.async_api import Browser

from tests.support.browser import axe, screenshot, scrolls_sideways, watch


async def test_the_front_door_on_a_phone(browser: Browser, site_url: str) -> None:
    page = await browser.new_page(viewport={"width": 390, "height": 844})
    watched = await watch(page)
    await page.goto(f"{site_url}/")
    await screenshot(page, "front-door-390px")
    assert await page.locator("h1").inner_text() == "Find your thing in Kensalfield"
    assert not await scrolls_sideways(page)
    assert await axe(page) == []
    await page.get_by_role("link", name="Help for partners").click()
    assert await page.locator("h1").inner_text() == "Help for partners"
    await screenshot(page, "partner-help-390px")
    await page.get_by_role("link", name="Back to the start").click()
    await page.get_by_role("link", name="Chat on the web").click()
    await page.wait_for_url(f"{site_url}/chat")
    assert page.url == f"{site_url}/chat"
    assert watched.errors == []
