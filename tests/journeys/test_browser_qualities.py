"""The journey page without JavaScript, on paper, and by keyboard alone."""

from __future__ import annotations

import io
import re
from collections import Counter

import pypdfium2 as pdfium  # type: ignore[import-untyped]
import zxingcpp
from PIL import Image
from playwright.async_api import Browser

from colbot.journeys.page import QR_TITLE
from tests.support.browser import ARTEFACTS, axe, screenshot, scrolls_sideways, watch
from tests.support.journeys import Make

PDF_PAGE = re.compile(rb"/Type\s*/Page(?!s)")
CV_BADGES = 6
MAX_TABS = 40
A4_POINTS_MM = (210, 297)
MM_PER_POINT = 25.4 / 72
A4_PRINTABLE_PX = 703  # 210 mm less the print style's 12 mm margins, at 96 px to the inch
QR_PRINTED_MM = 28  # the print style's size for the code
PX_PER_MM = 96 / 25.4
PDF_RENDER_SCALE = 2  # 144 dpi: enough for a scanner to read the printed QR code
PRINT_MARGIN_PT = 12 / 25.4 * 72  # the print style's @page margin
PT_PER_PX = 0.75
BORDER_PROBE_PX = 4  # inside a card's top padding, where only its side borders are drawn


def border_lines(image: Image.Image, y: int) -> int:
    """How many of the cards' light blue-grey border lines a row of the printed page crosses."""
    lines, inside = 0, False
    for x in range(image.width):
        red, _, blue = image.getpixel((x, y))  # type: ignore[misc]
        line = 170 <= red <= 235 and blue - red >= 10
        lines += line and not inside
        inside = line
    return lines


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
    watched = await watch(page)
    await page.goto(f"{site_url}/j/{owner.slug}")
    await page.emulate_media(media="print")
    assert await page.locator(".print-only").is_visible()
    assert not await page.get_by_role("link", name="Check this badge").first.is_visible()
    code = page.get_by_role("img", name=QR_TITLE)
    assert await code.is_visible()
    assert await code.evaluate("image => image.complete && image.naturalWidth > 0")
    box = await code.bounding_box()
    assert box is not None
    assert round(box["width"]) == round(box["height"]) == round(QR_PRINTED_MM * PX_PER_MM)
    await screenshot(page, "journey-print")
    assert watched.errors == []
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


async def test_the_printed_journey_fits_every_badge_card_and_carries_its_qr_code(
    browser: Browser, site_url: str, make_owner: Make
) -> None:
    owner = await make_owner(badges=CV_BADGES)
    journey_url = f"{site_url}/j/{owner.slug}"
    page = await browser.new_page(viewport={"width": 390, "height": 844})
    await page.goto(journey_url)
    await screenshot(page, "journey-390px")
    artwork = await page.locator("img.badge-art").first.get_attribute("src")
    badge_image = await page.request.get(f"{site_url}{artwork}")
    assert Image.open(io.BytesIO(await badge_image.body())).size >= (600, 600)
    phone = await browser.new_page(viewport={"width": 390, "height": 844})
    await phone.goto(f"{site_url}{artwork}")
    await screenshot(phone, "badge-image-390px")
    pdf = await page.pdf(format="A4", print_background=False)
    (ARTEFACTS / "journey-print.pdf").write_bytes(pdf)
    document = pdfium.PdfDocument(pdf)
    assert len(document) == 1
    first = document[0]
    width_pt, height_pt = first.get_size()
    assert (round(width_pt * MM_PER_POINT), round(height_pt * MM_PER_POINT)) == A4_POINTS_MM
    image = first.render(scale=PDF_RENDER_SCALE).to_pil().convert("RGB")
    image.save(ARTEFACTS / "journey-print-page1.png")
    text = first.get_textpage().get_text_range()
    # Every card is whole on the page: its name and its "Issued by" line are both printed.
    names = await page.locator("article.badge h3").all_inner_texts()
    assert len(names) == CV_BADGES
    for name in names:
        assert name in text.replace("\r\n", " ").replace("\n", " "), name
    assert text.count("Issued by") == CV_BADGES
    # Laid out as Chromium prints it, each card's left and right borders are both on the paper.
    await page.emulate_media(media="print")
    await page.set_viewport_size({"width": A4_PRINTABLE_PX, "height": 1000})
    tops = await page.evaluate(
        "() => [...document.querySelectorAll('article.badge')].map("
        "card => card.getBoundingClientRect().top + window.scrollY)"
    )
    rows = Counter(round(top) for top in tops)
    for top, cards_in_row in rows.items():
        y = round((PRINT_MARGIN_PT + (top + BORDER_PROBE_PX) * PT_PER_PX) * PDF_RENDER_SCALE)
        assert border_lines(image, y) == 2 * cards_in_row, (top, cards_in_row)
    decoded = zxingcpp.read_barcodes(image)
    assert [found.text for found in decoded if found.format == zxingcpp.BarcodeFormat.QRCode] == [
        journey_url
    ]
