"""The journey page without JavaScript, on paper, and by keyboard alone."""

from __future__ import annotations

import re

from playwright.async_api import Browser

from tests.support.browser import axe, screenshot, scrolls_sideways, watch
from tests.support.journeys import Make

PDF_PAGE = re.compile(rb"/Type\s*/Page(?!s)")
CV_BADGES = 6
MAX_TABS = 40


async def test_the_page_works_without_javascript(
    browser: Browser, site_url: str, make_owner: Make
) -> None:
    owner = await make_owner(badges=3)
    context = await browser.new_context(
        java_script_enabled=False, viewport={"width": 360, "height": 800}
    )
    page = await context.new_page()
    watched = await watch(page)
    await page.goto(f"{site_url}/j/{owner.slug}")
    assert await page.locator("ol.timeline > li").count() == 3
    assert await page.locator("h1").inner_text() == "Sammy’s learning journey"
    await page.get_by_role("link", name="Check this badge").first.click()
    assert "This badge is valid" in await page.locator("h2#verdict-heading").inner_text()
    await page.goto(f"{site_url}/verify")
    await page.locator("textarea#badge").fill("not a badge")
    await page.get_by_role("button", name="Check").click()
    assert "could not be verified" in await page.locator("h2#verdict-heading").inner_text()
    assert watched.errors == []


async def test_it_prints_as_a_one_page_insert_for_a_cv(
    browser: Browser, site_url: str, make_owner: Make
) -> None:
    owner = await make_owner(badges=CV_BADGES)
    page = await browser.new_page()
    await page.goto(f"{site_url}/j/{owner.slug}")
    await page.emulate_media(media="print")
    assert await page.locator(".print-only").is_visible()
    assert not await page.get_by_role("link", name="Check this badge").first.is_visible()
    await screenshot(page, "journey-print")
    pdf = await page.pdf(format="A4", print_background=False)
    assert len(PDF_PAGE.findall(pdf)) == 1


async def test_everything_is_reachable_by_keyboard(
    browser: Browser, site_url: str, make_owner: Make
) -> None:
    owner = await make_owner(badges=2)
    page = await browser.new_page(viewport={"width": 1280, "height": 900})
    await page.goto(f"{site_url}/j/{owner.slug}")
    await screenshot(page, "journey-1280px")
    links = await page.locator("a[href]").count()
    await page.keyboard.press("Tab")
    assert await page.evaluate("() => document.activeElement.className") == "skip-link"
    assert (
        await page.evaluate("() => getComputedStyle(document.activeElement).outlineStyle") != "none"
    )
    reached = set()
    for _ in range(MAX_TABS):
        reached.add(await page.evaluate("() => document.activeElement.getAttribute('href')"))
        await page.keyboard.press("Tab")
    hrefs = set(
        await page.locator("a[href]").evaluate_all(
            "links => links.map(a => a.getAttribute('href'))"
        )
    )
    assert hrefs <= reached and len(hrefs) <= links
    await page.keyboard.press("Shift+Tab")


async def test_large_text_and_narrow_screens(
    browser: Browser, site_url: str, make_owner: Make
) -> None:
    owner = await make_owner(badges=2, nickname="Maximiliana-Alexandria-Long")
    for width, scale in ((320, 1), (640, 2)):
        context = await browser.new_context(
            viewport={"width": width, "height": 700}, device_scale_factor=scale
        )
        page = await context.new_page()
        for path in (f"/j/{owner.slug}", f"/j/{owner.slug}/badges/{owner.badge_ids[0]}", "/verify"):
            await page.goto(site_url + path)
            assert not await scrolls_sideways(page), (width, path)
        await screenshot(page, f"verify-{width}px")
        await context.close()
    page = await browser.new_page(viewport={"width": 360, "height": 800})
    await page.goto(f"{site_url}/j/{owner.slug}")
    await page.evaluate("() => { document.documentElement.style.fontSize = '200%'; }")
    assert not await scrolls_sideways(page)
    await screenshot(page, "journey-text-200pct")
    assert await axe(page) == []
