"""A plain medallion for a badge class with no artwork yet, so every badge has an image to bake."""

from __future__ import annotations

import functools
import hashlib
import io

from PIL import Image, ImageDraw, ImageFont

SIDE_PX = 600  # sharp in wallets and on LinkedIn, which show badges large
RING_PX = 33
RING_WIDTH_PX = 9
INITIALS_SIZE_PX = 225
MAX_INITIALS = 2
PAPER = (255, 255, 255)
# Dark enough that white initials on them pass WCAG AA contrast.
COLOURS = ((31, 78, 121), (122, 36, 84), (22, 96, 66), (120, 62, 12), (74, 52, 138))


def initials(badge_class_id: str) -> str:
    """Up to two capitals from a badge class id: bike-repair gives BR."""
    words = [word for word in badge_class_id.replace("_", "-").split("-") if word]
    return "".join(word[0] for word in words[:MAX_INITIALS]).upper() or "?"


@functools.lru_cache(maxsize=256)
def medallion_png(badge_class_id: str) -> bytes:
    """A coloured disc with the class's initials, the same every time for the same class."""
    digest = hashlib.sha256(badge_class_id.encode("utf-8")).digest()
    colour = COLOURS[digest[0] % len(COLOURS)]
    image = Image.new("RGBA", (SIDE_PX, SIDE_PX), (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    draw.ellipse((0, 0, SIDE_PX - 1, SIDE_PX - 1), fill=colour)
    inset = RING_PX
    draw.ellipse(
        (inset, inset, SIDE_PX - 1 - inset, SIDE_PX - 1 - inset), outline=PAPER, width=RING_WIDTH_PX
    )
    font = ImageFont.load_default(size=INITIALS_SIZE_PX)
    centre = SIDE_PX / 2
    draw.text((centre, centre), initials(badge_class_id), fill=PAPER, font=font, anchor="mm")
    buffer = io.BytesIO()
    image.save(buffer, format="PNG", optimize=True)
    return buffer.getvalue()
