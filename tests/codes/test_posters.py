"""QR codes and venue cards: real PNGs whose QR scans back to the link, whatever the title."""

from __future__ import annotations

import io

import pytest
import zxingcpp
from PIL import Image

from colbot.codes import posters
from colbot.domain import qr

URL = "https://t.me/colbot?start=c_KX7PQ2MDAS"
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def card(**changes: str) -> bytes:
    fields = {
        "code_display": "KX7PQ-2MDAS",
        "url": URL,
        "opportunity_title": "Street dance for beginners",
        "partner_name": "Northside Youth Centre",
        "city_name": "Bradford City of Learning",
        "instructions": "Scan me, or send this code to colbot",
    }
    return posters.venue_poster_png(**(fields | changes))


def decoded(png: bytes) -> list[str]:
    image = Image.open(io.BytesIO(png)).convert("L")
    return [found.text for found in zxingcpp.read_barcodes(image)]


def test_a_qr_png_scans_back_to_the_link() -> None:
    png = qr.qr_png(URL)
    assert png.startswith(PNG_SIGNATURE)
    assert decoded(png) == [URL]


def test_a_qr_png_has_a_quiet_zone_and_the_asked_scale() -> None:
    matrix = qr.qr_matrix(URL)
    image = Image.open(io.BytesIO(qr.qr_png(URL, scale=5))).convert("L")
    assert image.size == (len(matrix) * 5, len(matrix) * 5)
    border = qr.QUIET_ZONE_MODULES
    assert not any(matrix[0]) and not any(row[border - 1] for row in matrix)
    assert matrix[border][border]  # the finder pattern's corner starts right after the margin


def test_the_same_link_makes_the_same_qr_and_another_link_another() -> None:
    assert qr.qr_matrix(URL) == qr.qr_matrix(URL)
    assert qr.qr_matrix(URL) != qr.qr_matrix(URL.replace("KX7", "KX8"))


def test_an_empty_link_makes_no_qr() -> None:
    with pytest.raises(ValueError):
        qr.qr_png("")


def test_a_venue_card_is_a_printable_a6_png_whose_qr_scans() -> None:
    png = card()
    assert png.startswith(PNG_SIGNATURE)
    image = Image.open(io.BytesIO(png))
    assert image.size == (posters.CARD_WIDTH_PX, posters.CARD_HEIGHT_PX)
    assert image.info["dpi"] == pytest.approx((posters.CARD_DPI, posters.CARD_DPI), abs=0.01)
    assert decoded(png) == [URL]


@pytest.mark.parametrize(
    "title",
    [
        "A" * 400,
        "Supercalifragilisticexpialidocious " * 12,
        "Learn to code your own games, animations and stories with Scratch and Python "
        "in a friendly club for complete beginners every Saturday morning",
        "Café crème & piñata 🎉🎉 workshop",
        "儿童编程俱乐部",
        "ورشة الرسم",
        "😀",
        "",
        "   ",
        "\u200b\u0000tab\there",
    ],
)
def test_long_or_strange_titles_never_break_the_card(title: str) -> None:
    png = card(opportunity_title=title, partner_name=title, city_name=title)
    assert decoded(png) == [URL]


def test_long_instructions_are_cut_rather_than_overflowing() -> None:
    png = card(instructions="Scan me, or send this code to colbot. " * 30)
    assert decoded(png) == [URL]


def test_printable_keeps_what_the_font_can_draw() -> None:
    assert posters.printable("Café crème – piñata") == "Cafe creme - pinata"
    assert posters.printable("Dance 🎉 club") == "Dance club"
    assert posters.printable("儿童编程") == ""
    assert posters.printable("“Quoted” … ok") == "“Quoted” ... ok"


def test_text_is_wrapped_and_cut_to_fit() -> None:
    block = posters._fit("word " * 200, posters.TITLE_SIZES_PX, 3, 1000, posters.INK)
    assert len(block.lines) == 3
    assert block.lines[-1].endswith(posters.ELLIPSIS)
    assert all(block.font.getlength(line) <= 1000 for line in block.lines)
    unbroken = posters._fit("W" * 300, posters.TITLE_SIZES_PX, 3, 1000, posters.INK)
    assert all(unbroken.font.getlength(line) <= 1000 for line in unbroken.lines)
