"""Small plain images to bake badges into."""

from __future__ import annotations

import io
import struct
import zlib

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


def add_itxt(png: bytes, keyword: str, text: str) -> bytes:
    """The PNG with one more uncompressed iTXt chunk before IEND, written without colbot's help."""
    data = keyword.encode("latin-1") + b"\x00\x00\x00\x00\x00" + text.encode("utf-8")
    chunk = struct.pack(">I4s", len(data), b"iTXt") + data
    chunk += struct.pack(">I", zlib.crc32(b"iTXt" + data) & 0xFFFFFFFF)
    iend = png.rindex(b"IEND") - 4
    return png[:iend] + chunk + png[iend:]


def add_svg_element(svg: bytes, element: str) -> bytes:
    """The SVG with one more element just before its closing tag."""
    end = svg.rindex(b"</svg>")
    return svg[:end] + element.encode("utf-8") + b"\n" + svg[end:]
