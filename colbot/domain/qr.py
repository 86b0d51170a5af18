"""QR codes for links: what staff put on the wall and what a journey page offers to scan."""

from __future__ import annotations

import hashlib
import io
from functools import lru_cache

import segno

QR_ERROR_LEVEL = "q"  # recovers from 25% damage: posters get scuffed, folded and taped over
QUIET_ZONE_MODULES = 4  # the white margin scanners need, in QR modules
DEFAULT_QR_SCALE_PX = 8
# Choosing the mask is most of a symbol's cost (about 10 ms): the journey link the chat hands
# over is drawn once, for the chat's picture and the journey's printed code alike.
SYMBOLS_KEPT = 1_024
# Everything the SVG's bytes depend on beside the link and its title, so its version is known
# without drawing it: a standalone document that scales to whatever box a page gives it.
SVG_DOCUMENT = {
    "scale": 1,
    "border": QUIET_ZONE_MODULES,
    "xmldecl": True,
    "svgns": True,
    "svgclass": None,
    "lineclass": None,
    "omitsize": True,
}


@lru_cache(maxsize=SYMBOLS_KEPT)
def qr_symbol(url: str) -> segno.QRCode:
    """The QR code for a link, at a damage-tolerant error level and never a Micro QR."""
    if not url:
        raise ValueError("a QR code needs a link")
    return segno.make(url, error=QR_ERROR_LEVEL, micro=False)


def qr_matrix(url: str) -> tuple[tuple[bool, ...], ...]:
    """The QR's dark modules, quiet zone included, so tests can compare without decoding."""
    rows = qr_symbol(url).matrix_iter(scale=1, border=QUIET_ZONE_MODULES)
    return tuple(tuple(bool(module) for module in row) for row in rows)


def qr_png(url: str, scale: int = DEFAULT_QR_SCALE_PX) -> bytes:
    """A PNG of the QR for a link, to send in a chat: scale is pixels per module."""
    buffer = io.BytesIO()
    qr_symbol(url).save(buffer, kind="png", scale=scale, border=QUIET_ZONE_MODULES)
    return buffer.getvalue()


def qr_svg(url: str, title: str) -> bytes:
    """A standalone SVG document of the QR for a link, for a printed page to load as an image."""
    buffer = io.BytesIO()
    qr_symbol(url).save(buffer, kind="svg", title=title, **SVG_DOCUMENT)
    return buffer.getvalue()


def qr_svg_version(url: str, title: str) -> str:
    """A digest naming qr_svg's bytes for a link, computed without choosing a mask."""
    drawn = (segno.__version__, QR_ERROR_LEVEL, sorted(SVG_DOCUMENT.items()), url, title)
    return hashlib.sha256(repr(drawn).encode("utf-8")).hexdigest()
