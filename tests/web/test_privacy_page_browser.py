"""The privacy page in headless Chromium at phone width: readable, accessible, no side scroll."""

from __future__ import annotations

from playwright.async_api import Browser

from tests.support.browser import axe, screenshot, scrolls_sideways, watch
from tests.support.chromium import PHONE


async def test_the_privacy_page_on_a_phone(browser: Browser, site_url: str) -> None:
    page = await browser.new_page(viewport=PHONE)
    watched = await watch(page)
    await page.goto(f"{site_url}/")
    await page.get_by_role("link", name="Your data and privacy").click()
    await page.wait_for_url(f"{site_url}/privacy")
    assert page.url == f"{site_url}/privacy"
    assert watched.errors == []
    await screenshot(page, "privacy-360px")
    assert await page.locator("h1").inner_text() == "Your data, in plain words"
    headings = await page.locator("h2").all_inner_texts()
    assert headings == [
        "What we keep",
        "Why we keep it",
        "How long we keep it",
        "Who can see it",
        "See it, change it, delete it",
        "Who to ask",
    ]
    contact = page.get_by_role("link", name="dataprotection@kensalfield.example.org")
    assert await contact.get_attribute("href") == "mailto:dataprotection@kensalfield.example.org"
    assert not await scrolls_sideways(page)
    assert await axe(page) == []
    assert watched.errors == []
    # The web chat links back.
    # A click starts the navigation; the new address is the page's once it has committed.
    await page.get_by_role("link", name="Chat with colbot").click()
    await page.wait_for_url(f"{site_url}/chat")
    assert page.url == f"{site_url}/chat"
    await page.get_by_role("link", name="Your data and privacy").click()
    await page.wait_for_url(f"{site_url}/privacy")
    assert page.url == f"{site_url}/privacy"
    assert watched.errors == []
