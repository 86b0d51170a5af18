"""Where each public page lives, relative to colbot's address."""

from __future__ import annotations


def journey_path(slug: str) -> str:
    """A shared journey."""
    return f"/j/{slug}"


def journey_qr_path(slug: str) -> str:
    """A shared journey's QR code, as SVG: its own link, for the printed page."""
    return f"/j/{slug}/qr.svg"


def badge_path(slug: str, public_id: str) -> str:
    """One badge on a journey: its check page, and with .png or .json its downloads."""
    return f"/j/{slug}/badges/{public_id}"


def artwork_path(artwork: str) -> str:
    """A badge's artwork as PNG, named by its artwork (or, lacking one, its badge class)."""
    return f"/artwork/{artwork}.png"


def web_chat_start(public_url: str, payload: str) -> str:
    """The web chat, opened as if its /start link carried this payload (an invite, a code)."""
    return f"{public_url.rstrip('/')}/chat?start={payload}"
