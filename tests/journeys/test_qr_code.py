"""The journey's QR code is its own resource: the page links to it and never draws it; it draws
the journey's own link and carries a strong ETag known without drawing. (test_page_versions
holds it to the page's rules for If-None-Match and for sharing switched off.)"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable, Iterator
from xml.etree import ElementTree

import pytest
import segno
import zxingcpp
from aiohttp.test_utils import TestClient
from PIL import Image, ImageDraw

from colbot.app import Colbot
from colbot.domain import qr
from colbot.journeys import store as journeys
from colbot.journeys.page import QR_SIZE_PX, QR_TITLE, JourneyPages
from colbot.journeys.web import JOURNEY_CACHE_CONTROL, JOURNEY_PAGES, QR_CACHE_CONTROL
from colbot.web.security import CONTENT_SECURITY_POLICY
from tests.support.demo import TEST_NOW
from tests.support.journeys import Make, Owner

Client = TestClient  # type: ignore[type-arg]
ClientMaker = Callable[..., Awaitable[Client]]
SVG = "{http://www.w3.org/2000/svg}"
PATH_STEP = re.compile(r"([Mmh])(-?[\d.]+)(?: (-?[\d.]+))?")
PX_PER_MODULE = 8


@pytest.fixture
async def client(colbot: Colbot, aiohttp_client: ClientMaker) -> Client:
    return await aiohttp_client(colbot.web_app)


class Drawings:
    """How many QR symbols segno drew (chose a mask for), starting from an empty symbol cache."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.count = 0
        make = segno.make

        def counted(*args: object, **kwargs: object) -> segno.QRCode:
            self.count += 1
            return make(*args, **kwargs)  # type: ignore[arg-type]

        monkeypatch.setattr(segno, "make", counted)
        qr.qr_symbol.cache_clear()


@pytest.fixture
def drawings(monkeypatch: pytest.MonkeyPatch) -> Iterator[Drawings]:
    yield Drawings(monkeypatch)
    qr.qr_symbol.cache_clear()  # no counted symbol outlives the test


def forget_every_drawing(colbot: Colbot) -> None:
    """As after a restart: no QR document and no symbol kept."""
    pages: JourneyPages = colbot.web_app[JOURNEY_PAGES]
    pages.qr_codes.clear()
    qr.qr_symbol.cache_clear()


def modules_of(svg: bytes) -> tuple[int, set[tuple[int, int]]]:
    """The SVG's size in modules and its dark modules, read back from its one path."""
    root = ElementTree.fromstring(svg)  # colbot's own document
    assert root.tag == f"{SVG}svg"
    left, top, width, height = (float(n) for n in root.attrib["viewBox"].split())
    assert (left, top) == (0, 0) and width == height
    (path,) = root.iter(f"{SVG}path")
    dark: set[tuple[int, int]] = set()
    x = y = 0.0
    for command, first, second in PATH_STEP.findall(path.attrib["d"]):
        if command == "M":
            x, y = float(first), float(second)
        elif command == "m":
            x, y = x + float(first), y + float(second)
        else:
            row = int(y - 0.5)
            dark.update((column, row) for column in range(int(x), int(x + float(first))))
            x += float(first)
    return int(width), dark


def decoded(svg: bytes) -> list[zxingcpp.Barcode]:
    """What a scanner reads in the SVG, drawn module by module on white."""
    size, dark = modules_of(svg)
    image = Image.new("L", (size * PX_PER_MODULE, size * PX_PER_MODULE), 255)
    pen = ImageDraw.Draw(image)
    for column, row in dark:
        x, y = column * PX_PER_MODULE, row * PX_PER_MODULE
        pen.rectangle((x, y, x + PX_PER_MODULE - 1, y + PX_PER_MODULE - 1), fill=0)
    return list(zxingcpp.read_barcodes(image))


async def fetch(client: Client, owner: Owner, etag: str | None = None) -> tuple[int, str, bytes]:
    """One request for the journey's QR code: its status, its ETag and its body."""
    headers = {"If-None-Match": etag} if etag else {}
    response = await client.get(f"/j/{owner.slug}/qr.svg", headers=headers)
    return response.status, response.headers.get("ETag", ""), await response.read()


async def test_the_qr_code_draws_the_journey_link_with_a_quiet_zone_at_level_q(
    colbot: Colbot, client: Client, make_owner: Make
) -> None:
    owner = await make_owner(badges=1)
    response = await client.get(f"/j/{owner.slug}/qr.svg")
    assert response.status == 200
    assert response.content_type == "image/svg+xml"
    svg = await response.read()
    assert svg.startswith(b'<?xml version="1.0" encoding="utf-8"?>')
    assert ElementTree.fromstring(svg).find(f"{SVG}title").text == QR_TITLE  # type: ignore[union-attr]
    size, dark = modules_of(svg)
    quiet = qr.QUIET_ZONE_MODULES
    assert min(c for c, _ in dark) == min(r for _, r in dark) == quiet
    assert max(c for c, _ in dark) == max(r for _, r in dark) == size - quiet - 1
    (found,) = decoded(svg)
    assert found.format == zxingcpp.BarcodeFormat.QRCode
    assert found.text == f"{colbot.settings.public_url}/j/{owner.slug}"
    assert found.ec_level == qr.QR_ERROR_LEVEL.upper()


async def test_the_qr_code_carries_the_public_headers_and_its_own_caching(
    client: Client, make_owner: Make
) -> None:
    owner = await make_owner(badges=1)
    response = await client.get(f"/j/{owner.slug}/qr.svg")
    headers = response.headers
    assert headers["Content-Security-Policy"] == CONTENT_SECURITY_POLICY
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Cross-Origin-Resource-Policy"] == "same-origin"
    assert headers["Referrer-Policy"] == "no-referrer"
    assert headers["X-Robots-Tag"].startswith("noindex")
    assert headers["Cache-Control"] == QR_CACHE_CONTROL
    assert "private" in QR_CACHE_CONTROL  # a link shared with some is no shared cache's business
    etag = headers["ETag"]
    assert re.fullmatch(r'"[0-9a-f]{40}"', etag), etag


async def test_a_kept_copy_gets_304_and_the_page_never_draws_the_code(
    colbot: Colbot, client: Client, make_owner: Make, drawings: Drawings
) -> None:
    owner = await make_owner(badges=2)
    page = await client.get(f"/j/{owner.slug}")
    html = await page.text()
    assert page.status == 200 and drawings.count == 0
    assert "<svg" not in html
    assert (
        f'<img class="qr" src="/j/{owner.slug}/qr.svg" alt="{QR_TITLE}" '
        f'width="{QR_SIZE_PX}" height="{QR_SIZE_PX}">'
    ) in html
    assert page.headers["ETag"] != (await fetch(client, owner))[1]
    assert drawings.count == 1

    status, etag, svg = await fetch(client, owner)
    assert status == 200 and drawings.count == 1  # kept from the first time
    again = await client.get(f"/j/{owner.slug}/qr.svg", headers={"If-None-Match": etag})
    assert again.status == 304 and await again.read() == b""
    assert again.headers["ETag"] == etag
    assert again.headers["Cache-Control"] == QR_CACHE_CONTROL
    assert again.headers["Content-Security-Policy"] == CONTENT_SECURITY_POLICY

    forget_every_drawing(colbot)
    assert (await fetch(client, owner, etag))[0] == 304
    assert drawings.count == 1  # the ETag is known without drawing
    assert await fetch(client, owner) == (200, etag, svg)  # drawn again, byte for byte
    assert drawings.count == 2
    assert (await client.get(f"/j/{owner.slug}")).headers["Cache-Control"] == (
        JOURNEY_CACHE_CONTROL
    )


async def test_badges_do_not_change_the_code_but_each_journey_has_its_own(
    client: Client, make_owner: Make
) -> None:
    one = await make_owner(badges=0, chat_id="one")
    two = await make_owner(badges=3, chat_id="two")
    first, second = await fetch(client, one), await fetch(client, two)
    assert first[1] != second[1] and first[2] != second[2]
    _, etag, _ = first
    assert (await fetch(client, two, etag))[0] == 200


async def test_a_replaced_link_has_a_new_code_and_the_old_one_is_gone(
    colbot: Colbot, client: Client, make_owner: Make
) -> None:
    owner = await make_owner(badges=1)
    _, etag, old = await fetch(client, owner)
    async with colbot.database.transaction() as session:
        journey = await journeys.journey_for(session, owner.person, TEST_NOW)
        journeys.replace_link(journey)
        slug = journey.slug
    assert (await fetch(client, owner, etag))[0] == 404
    status, new_etag, new = await fetch(client, Owner(owner.person, slug, owner.badge_ids))
    assert status == 200 and new_etag != etag and new != old
    assert decoded(new)[0].text == f"{colbot.settings.public_url}/j/{slug}"


def test_the_svg_version_names_everything_the_bytes_depend_on() -> None:
    link = "https://colbot.example/j/abc"
    assert qr.qr_svg_version(link, "A") == qr.qr_svg_version(link, "A")
    assert qr.qr_svg_version(link, "A") != qr.qr_svg_version(link + "d", "A")
    assert qr.qr_svg_version(link, "A") != qr.qr_svg_version(link, "B")
    assert qr.qr_svg(link, "A") != qr.qr_svg(link, "B")
