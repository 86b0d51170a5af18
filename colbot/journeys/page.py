"""The shared journey page, put together from cached, already-escaped fragments, its QR code,
and the ETag of each."""

from __future__ import annotations

import hashlib
from collections import OrderedDict
from dataclasses import dataclass
from typing import Generic, TypeVar

from markupsafe import Markup

from colbot.domain.qr import qr_svg, qr_svg_version
from colbot.journeys.shared import PublicJourney, ShownBadge
from colbot.web.pages import TEMPLATES_DIR
from colbot.web.paths import artwork_path, journey_path
from colbot.web.site import Site

PAGE_TEMPLATE = "journey/journey.html"
CARD_TEMPLATE = "journey/_timeline.html"
# Every template the page is made of: a change to any gives every page a new ETag.
PAGE_TEMPLATES = ("journey/base.html", PAGE_TEMPLATE, CARD_TEMPLATE)
QR_TITLE = "QR code of this journey"
# The printed code's box: 28 mm at 96 px to the inch, as the print style sizes it.
QR_SIZE_PX = 106
# Pages are about 13 KB, so the pages kept stay within a few tens of megabytes.
PAGES_KEPT = 2_048
CARDS_KEPT = 20_000
QR_CODES_KEPT = 2_048  # about 2.5 KB each
ETAG_HEX_DIGITS = 40  # 160 bits: no two versions of any page share one

Key = TypeVar("Key")
Value = TypeVar("Value")


class _Recent(Generic[Key, Value]):
    """The most recently used values, forgetting the least recently used past a limit."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.values: OrderedDict[Key, Value] = OrderedDict()

    def get(self, key: Key) -> Value | None:
        value = self.values.get(key)
        if value is not None:
            self.values.move_to_end(key)
        return value

    def put(self, key: Key, value: Value) -> Value:
        self.values[key] = value
        self.values.move_to_end(key)
        while len(self.values) > self.limit:
            self.values.popitem(last=False)
        return value

    def clear(self) -> None:
        self.values.clear()


@dataclass(frozen=True)
class RenderedPage:
    """One version of a journey page or its QR code: its strong ETag (unquoted) and its bytes."""

    etag: str
    body: bytes


class JourneyPages:
    """Renders journey pages, each badge card and QR code once, and names each version by what
    it shows, so a page changes its ETag whenever a badge, a share or a revocation changes it.

    The QR code is its own resource: drawing one costs far more than the rest of a page, and only
    a printed page shows it."""

    def __init__(self, site: Site) -> None:
        self.site = site
        self.pages: _Recent[str, RenderedPage] = _Recent(PAGES_KEPT)
        self.cards: _Recent[tuple[str, ShownBadge], Markup] = _Recent(CARDS_KEPT)
        self.qr_codes: _Recent[str, RenderedPage] = _Recent(QR_CODES_KEPT)
        self.version = self._site_version()

    def _site_version(self) -> str:
        """What every page depends on beyond its journey: templates, assets, city, passions."""
        parts = [(TEMPLATES_DIR / name).read_bytes() for name in PAGE_TEMPLATES]
        settings = (
            self.site.city,
            self.site.public_url,
            str(self.site.timezone),
            sorted(self.site.passions.items()),
            sorted(self.site.static.items()),
        )
        digest = hashlib.sha256(repr(settings).encode("utf-8"))
        for part in parts:
            digest.update(hashlib.sha256(part).digest())
        return digest.hexdigest()

    def etag(self, journey: PublicJourney) -> str:
        """A strong ETag (unquoted) for exactly what the page would show."""
        shown = (
            self.version,
            journey.slug,
            journey.nickname,
            journey.passion_ids,
            journey.badges,
            journey.pathways,  # a step met, or a pathway followed or stopped, is a new version
            journey.city_badges,
        )
        return hashlib.sha256(repr(shown).encode("utf-8")).hexdigest()[:ETAG_HEX_DIGITS]

    def stamp_etag(self, slug: str, version: int, also: str = "") -> str:
        """A strong ETag (unquoted) named by the journey's version stamp (and what else the page
        depends on, `also`), known from one read, with no rows to read or digest."""
        stamped = ("stamp", self.version, also, slug, version)
        return hashlib.sha256(repr(stamped).encode("utf-8")).hexdigest()[:ETAG_HEX_DIGITS]

    def kept(self, etag: str) -> RenderedPage | None:
        """The page of this version, if it was rendered and is still kept."""
        return self.pages.get(etag)

    def page(self, journey: PublicJourney, etag: str | None = None) -> RenderedPage:
        """The page for this version of the journey, rendered only the first time it is asked."""
        etag = etag or self.etag(journey)
        rendered = self.pages.get(etag)
        if rendered is None:
            rendered = self.pages.put(etag, RenderedPage(etag, self._render(journey)))
        return rendered

    def _render(self, journey: PublicJourney) -> bytes:
        site = self.site
        page_url = site.url(journey_path(journey.slug))
        badges = journey.badges
        html = site.pages.render(
            PAGE_TEMPLATE,
            site=site,
            journey=journey,
            cards=[self._card(journey.slug, badge) for badge in badges],
            passions=[site.passions.get(p, p) for p in journey.passion_ids],
            page_url=page_url,
            qr_alt=QR_TITLE,
            qr_size=QR_SIZE_PX,
            og_image=site.url(artwork_path(badges[0].artwork)) if badges else None,
        )
        return html.encode("utf-8")

    def _card(self, slug: str, badge: ShownBadge) -> Markup:
        """One badge's card on the timeline, escaped once by its template."""
        card = self.cards.get((slug, badge))
        if card is None:
            module = self.site.pages.environment.get_template(CARD_TEMPLATE).module
            card = self.cards.put((slug, badge), Markup(module.timeline_card(slug, badge)))  # type: ignore[attr-defined]  # noqa: S704
        return card

    def qr_etag(self, slug: str) -> str:
        """A strong ETag (unquoted) for the journey's QR code, known without drawing it."""
        version = qr_svg_version(self.site.url(journey_path(slug)), QR_TITLE)
        return version[:ETAG_HEX_DIGITS]

    def qr(self, slug: str) -> RenderedPage:
        """The journey's QR code for print: segno's own SVG of colbot's own link, nobody's words,
        drawn only the first time it is asked."""
        drawn = self.qr_codes.get(slug)
        if drawn is None:
            svg = qr_svg(self.site.url(journey_path(slug)), QR_TITLE)
            drawn = self.qr_codes.put(slug, RenderedPage(self.qr_etag(slug), svg))
        return drawn
