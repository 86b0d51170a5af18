"""From a code redeemed on Telegram to the shared page in Chromium, checked and then revoked."""

from __future__ import annotations

import re
from dataclasses import dataclass

import pytest
from playwright.async_api import Browser, Page
from sqlalchemy import select

from colbot.app import Colbot
from colbot.badges import store as badges
from colbot.openbadges.baking import unbake
from colbot.storage.models import IssuedBadge
from tests.doubles.telegram import TelegramDouble
from tests.support.browser import axe, screenshot, scrolls_sideways, watch
from tests.support.staff import after_the_session, make_code, staff_talker
from tests.support.talk import AnyTalker, TelegramTalker
from tests.support.telegram_app import Starter

LINK = re.compile(r"https?://\S+/j/[A-Za-z0-9_-]{22,}")
XSS_SCRIPT = "<script>alert(1)</script>"
XSS_ATTRIBUTE = '"><img src=x onerror=alert(1)>'
PHONE_WIDTH_PX = 360
NARROWEST_PX = 320
ZOOMED_WIDTH_PX = 640  # a 1280 px window at 200% zoom
PAGE_HEIGHT_PX = 800


@dataclass
class Shared:
    """A young person's shared journey, made through the chat."""

    colbot: Colbot
    url: str
    young: AnyTalker


async def share_a_journey(
    start_colbot: Starter, double: TelegramDouble, nickname: str = "Sam"
) -> Shared:
    """Onboards on Telegram, redeems a code for a badge, turns sharing on; returns the link."""
    colbot = await start_colbot("polling")

    def talk(name: str, first_name: str = "Sam") -> AnyTalker:
        return TelegramTalker(double.person(first_name), colbot)

    code = await make_code(await staff_talker(colbot, talk, "staff"))
    young = talk("young")
    for answer in ("/start", "yes", "17", nickname, "kf1 4", "anywhere", "music and coding"):
        await young.say(answer)
    await young.say("done")
    await young.say("weekends")
    await after_the_session(colbot, code)
    await young.say(code)
    assert "Brilliant work" in young.recent(12)
    replies = await young.say("/journey")
    found = LINK.search(replies[-2].text)
    assert found, replies[-2].text
    await young.press("Turn sharing on")
    assert "Sharing is on" in young.last_text()
    return Shared(colbot, found.group(0), young)


async def open_page(
    browser: Browser, url: str, width: int = PHONE_WIDTH_PX, **options: object
) -> Page:
    context = await browser.new_context(
        viewport={"width": width, "height": PAGE_HEIGHT_PX}, **options
    )
    return await context.new_page()


async def test_a_redeemed_badge_on_a_shared_page_checked_then_revoked(
    browser: Browser, start_colbot: Starter, double: TelegramDouble
) -> None:
    shared = await share_a_journey(start_colbot, double)
    page = await open_page(browser, shared.url)
    watched = await watch(page)
    response = await page.goto(shared.url)
    assert response is not None and response.status == 200
    assert response.headers["x-robots-tag"].startswith("noindex")
    assert await page.locator("h1").inner_text() == "Sam’s learning journey"
    badges_shown = page.locator("ol.timeline > li")
    assert await badges_shown.count() >= 1
    first = page.locator("ol.timeline > li", has_text="Pixel Forge")
    assert await first.count() == 1
    assert await first.locator("img").evaluate("img => img.complete && img.naturalWidth > 0")
    await screenshot(page, "journey-360px")
    assert not await scrolls_sideways(page)
    assert await axe(page) == []

    for width in (NARROWEST_PX, ZOOMED_WIDTH_PX):
        await page.set_viewport_size({"width": width, "height": PAGE_HEIGHT_PX})
        assert not await scrolls_sideways(page), width
    await page.set_viewport_size({"width": PHONE_WIDTH_PX, "height": PAGE_HEIGHT_PX})

    await first.get_by_role("link", name="Check this badge").click()
    await page.wait_for_load_state()
    assert "This badge is valid" in await page.locator("h2#verdict-heading").inner_text()
    assert await page.locator(".checks li.fail").count() == 0
    await screenshot(page, "check-valid")
    assert await axe(page) == []
    assert not await scrolls_sideways(page)
    check_url = page.url
    baked = unbake(await (await page.request.get(f"{check_url}.png")).body())
    assert baked.assertion is not None and baked.credential is not None
    twin = await (await page.request.get(f"{shared.url}.json")).json()
    assert all(
        b["openBadges2"]["signedAssertion"]
        and b["openBadges3"]["credential"]["proof"]
        and b["openBadges3"]["vcJwt"]
        for b in twin["badges"]
    )

    async with shared.colbot.database.transaction() as session:
        badge_id = await session.scalar(
            select(IssuedBadge.public_id).where(IssuedBadge.redemption_id.is_not(None))
        )
        assert badge_id is not None and badge_id in check_url
        await badges.revoke(session, badge_id, "Issued by mistake", shared.colbot.clock.now())
    await page.goto(check_url)
    assert "This badge has been revoked" in await page.locator("h2#verdict-heading").inner_text()
    await screenshot(page, "check-revoked")
    await page.goto(shared.url)
    assert badge_id not in await page.content()

    await page.goto(shared.url.split("/j/")[0] + "/verify")
    assert await axe(page) == []
    assert watched.errors == [] and watched.dialogs == []

    response = await page.goto(shared.url.rsplit("/", 1)[0] + "/not-a-journey-0123456789abcdef")
    assert response is not None and response.status == 404
    assert await page.locator("h1").inner_text() == "Page not found"
    assert await axe(page) == []
    assert [error for error in watched.errors if "404" not in error] == []


async def test_the_check_page_says_which_badge_for_whom_and_when_and_its_own_url_opens_it(
    browser: Browser, start_colbot: Starter, double: TelegramDouble
) -> None:
    """What an employer sees: the badge, its issuer, who it was for and when, then the checks;
    the badge's own address (LinkedIn's "See credential") opens its check page in a browser."""
    shared = await share_a_journey(start_colbot, double, nickname="Sparky")
    page = await open_page(browser, shared.url)
    watched = await watch(page)
    await page.goto(shared.url)
    first = page.locator("ol.timeline > li", has_text="Pixel Forge")
    await first.get_by_role("link", name="Check this badge").click()
    await page.wait_for_load_state()
    card = page.locator("article.badge-single")
    assert await card.locator("h2.badge-name").inner_text()
    facts = await card.inner_text()
    assert "Issued by" in facts and "Pixel Forge" in facts
    assert "Awarded to" in facts and "Sparky" in facts
    assert "Date" in facts and "2026" in facts and "Learning hours" in facts
    assert await card.locator("img").evaluate("img => img.complete && img.naturalWidth > 0")
    verdict = page.locator("h2#verdict-heading")
    assert await card.evaluate(
        "(card, verdict) => card.compareDocumentPosition(verdict) & 4",
        await verdict.element_handle(),
    ), "the badge comes before the checks"
    await screenshot(page, "check-names-the-badge")
    assert await axe(page) == [] and not await scrolls_sideways(page)

    public_id = page.url.rsplit("/", 1)[-1]
    base = shared.url.split("/j/")[0]
    await page.goto(f"{base}/badges/credentials/{public_id}")
    assert "This badge is valid" in await verdict.inner_text()
    own = await page.locator("article.badge-single").inner_text()
    assert "the person who holds this badge" in own and "Sparky" not in own
    assert "Back to the learning journey" not in await page.content()
    await screenshot(page, "credential-url-in-a-browser")
    assert await axe(page) == []
    assert watched.errors == [] and watched.dialogs == []


@pytest.mark.parametrize("payload", [XSS_SCRIPT, XSS_ATTRIBUTE])
async def test_nicknames_that_look_like_code_stay_text(
    browser: Browser, start_colbot: Starter, double: TelegramDouble, payload: str
) -> None:
    shared = await share_a_journey(start_colbot, double, nickname=payload)
    page = await open_page(browser, shared.url)
    watched = await watch(page)
    await page.goto(shared.url)
    assert await page.locator("h1").inner_text() == f"{payload}’s learning journey"
    assert await page.locator("script").count() == 0
    assert await page.locator("img[src='x']").count() == 0
    assert await page.title() == f"{payload}’s learning journey · Kensalfield City of Learning"
    await page.wait_for_timeout(200)
    assert watched.dialogs == [] and watched.errors == []
