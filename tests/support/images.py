"""Small plain images to bake badges into."""

from __future__ import annotations

import io

from PIL import Image

SVG = (
    b'<?xml version="1.0" encoding="UTF-8"?>\n'
    b'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 64 64" data-note="a > b">\n'
    b'  <circle cx="32" cy="32" r="30" fill="#2a7"/>\n'
    b"</svg>\n"
)


def png() -> bytes:
    """A 16x16 PNG made by Pillow, so the test does not trust colbot's own PNG writer."""
    buffer = io.BytesIO()
    Image.new("RGBA", (16, 16), (34, 170, 119, 255)).save(buffer, format="PNG")
    return buffer.getvalue()
