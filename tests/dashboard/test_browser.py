"""The dashboard in headless Chromium: signing in from the bot, figures, charts, axe, refusals.

And a page on another site that tries to sign the browser in is refused.
"""

from __future__ import annotations

import re
from datetime import timedelta

from playwright.async_api import Browser, Page
from sqlalchemy import func, select

from colbot.app import Colbot
from colbot.clock import FrozenClock
from colbot.storage.models import DashboardSession
from colbot.web import csrf
from tests.support.browser import ARTEFACTS, axe, screenshot, watch
from tests.support.dashboard import ADMIN, GROUPS
from tests.support.dashboard_forms import sign_in_secret
from tests.support.dashboard_seed import add_funnel, seed
from tests.support.demo import TEST_NOW
from tests.support.other_site import auto_submitting_form, other_site
from tests.support.staff import invite_payload
from tests.support.talk import Talker

LINK = re.compile(r"https?://\S+/dashboard/sign-in\?t=[A-Za-z0-9_-]{40,}")
CHARTS_LOADED = """() => Array.from(document.querySelectorAll('img.chart')).map(
    (img) => img.complete && img.naturalWidth > 0)"""


async def link_for(colbot: Colbot, chat_id: str, partner: str | None = None) -> str:
    person = Talker(colbot.engine, chat_id, channel="telegram", first_name="Ada")
    if partner is not None:
        await person.say(f"/start {await invite_payload(colbot, partner)}")
    await person.say("/dashboard")
    found = LINK.search(person.last_text())
    assert found, person.last_text()
    return found.group(0)


async def signed_in(browser: Browser, link: str) -> Page:
    context = await browser.new_context(viewport={"width": 1200, "height": 900})
    page = await context.new_page()
    await page.goto(link)
    await page.get_by_role("button", name="Sign in").click()
    await page.wait_for_url(re.compile(r"/dashboard$"))
    return page


async def figure(page: Page, label: str) -> str:
    return (await page.locator(f'[data-figure="{label}"] .value').inner_text()).strip()


async def test_an_admin_reads_the_city_dashboard(
    browser: Browser, served_board: Colbot, clock: FrozenClock
) -> None:
    colbot = served_board
    await seed(colbot.database, TEST_NOW, GROUPS)
    await add_funnel(colbot.database, "pixel-forge", TEST_NOW, 60, 30, 12)
    link = await link_for(colbot, str(ADMIN))
    context = await browser.new_context(viewport={"width": 1200, "height": 900})
    page = await context.new_page()
    watched = await watch(page)
    await page.goto(link)
    await page.get_by_role("button", name="Sign in").click()
    await page.wait_for_url(re.compile(r"/dashboard$"))
    await page.wait_for_load_state("networkidle")

    assert await figure(page, "Young people onboarded") == "24"
    assert await figure(page, "Active in the last 30 days") == "22"
    assert await figure(page, "Learning hours logged") == "34.5"
    assert await figure(page, "Badges issued") == "17"
    assert await figure(page, "From the most deprived areas") == "58%"
    loaded = await page.evaluate(CHARTS_LOADED)
    assert loaded == [True] * 7
    westwood = page.locator("#areas tr", has_text="Westwood")
    assert "fewer than 5" in await westwood.inner_text()
    assert await page.locator("td.hidden-count").count() >= 4
    funnel = page.locator("#funnel tbody")
    assert "60" in await funnel.inner_text() and "17" in await funnel.inner_text()
    assert watched.errors == [] and watched.dialogs == []
    assert await axe(page) == []
    await screenshot(page, "dashboard-city")
    ARTEFACTS.mkdir(exist_ok=True)
    pdf = await page.pdf(path=str(ARTEFACTS / "dashboard-report.pdf"), format="A4")
    assert (
        pdf.startswith(b"%PDF") and pdf.count(b"/Type /Page\n") + pdf.count(b"/Type /Page ") <= 12
    )

    async with page.expect_download() as download_info:
        await page.get_by_role("link", name=re.compile(r"CSV \(New young people by area\)")).click()
    download = await download_info.value
    text = ARTEFACTS / "dashboard-areas.csv"
    await download.save_as(str(text))
    assert "Westwood,8,fewer than 5" in text.read_text()

    # The same link a second time, and a fresh one left for more than ten minutes.
    again = await browser.new_page()
    await again.goto(link)
    await again.get_by_role("button", name="Sign in").click()
    assert "already been used" in await again.inner_text("main")
    late = await link_for(colbot, str(ADMIN))
    clock.advance(timedelta(minutes=11))
    await again.goto(late)
    await again.get_by_role("button", name="Sign in").click()
    assert "expired" in await again.inner_text("main")


async def test_a_partner_sees_its_own_and_is_refused_anothers(
    browser: Browser, served_board: Colbot
) -> None:
    colbot = served_board
    await seed(colbot.database, TEST_NOW, GROUPS)
    page = await signed_in(browser, await link_for(colbot, "777", partner="pixel-forge"))
    watched = await watch(page)
    await page.reload()
    await page.wait_for_load_state("networkidle")
    assert "Pixel Forge Games in Kensalfield" in await page.inner_text("h1")
    assert await figure(page, "Young people reached") == "15"
    assert await page.evaluate(CHARTS_LOADED) == [True] * 6
    assert watched.errors == []
    assert await axe(page) == []
    await screenshot(page, "dashboard-partner")
    response = await page.goto(f"{colbot.settings.public_url}/dashboard?partner=foundry-gallery")
    assert response is not None and response.status == 403
    assert "isn't yours" in await page.inner_text("main")


async def test_a_page_on_another_site_cannot_sign_the_browser_in(
    browser: Browser, served_board: Colbot
) -> None:
    colbot = served_board
    target = f"{colbot.settings.public_url}/dashboard/sign-in"
    # The other site's owner holds a real link of their own, and guesses at the token.
    fields = {"t": await sign_in_secret(colbot, str(ADMIN)), csrf.FIELD: "A" * 43}
    async with other_site(auto_submitting_form(target, fields)) as elsewhere:
        context = await browser.new_context()
        page = await context.new_page()
        posted = page.expect_response(lambda r: r.url == target and r.request.method == "POST")
        async with posted as response_info:
            await page.goto(elsewhere)
        response = await response_info.value
        await page.wait_for_load_state()
        assert response.status == 403
        assert "That request was refused" in await page.inner_text("h1")
        assert "another website" in await page.inner_text("main")
        cookies = await context.cookies(colbot.settings.public_url)
        assert "colbot_dashboard" not in {cookie["name"] for cookie in cookies}
        await context.close()
    async with colbot.database.reading() as session:
        assert await session.scalar(select(func.count()).select_from(DashboardSession)) == 0
