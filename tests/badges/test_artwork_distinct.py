"""Each passion's badge looks like its own at a glance, and every badge image is sharp enough."""

from __future__ import annotations

import io
import itertools

from PIL import Image

from colbot.badges.artwork import render_png
from colbot.badges.classes import load_classes
from colbot.badges.medallions import medallion_png
from colbot.content.locations import badges_dir, conversations_dir
from colbot.content.passions import load_passions
from tests.support.browser import ARTEFACTS

PASSIONS = [p.id for p in load_passions(conversations_dir() / "en" / "passions.yaml")]
MIN_SIDE_PX = 600  # LinkedIn and wallets show badges large; smaller ones look blurred
MIN_COLOUR_DIFFERENCE = 20.0  # CIE76 delta E: clearly different colours side by side
MAX_SYMBOL_OVERLAP = 0.8  # share of white symbol pixels two passions' badges may have in common
SAMPLE_PX = 128


def _lab(rgb: tuple[int, int, int]) -> tuple[float, float, float]:
    """sRGB to CIELAB (D65), to compare colours as people see them."""

    def linear(c: float) -> float:
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (linear(c / 255) for c in rgb)
    x = (0.4124 * r + 0.3576 * g + 0.1805 * b) / 0.95047
    y = 0.2126 * r + 0.7152 * g + 0.0722 * b
    z = (0.0193 * r + 0.1192 * g + 0.9505 * b) / 1.08883

    def f(t: float) -> float:
        return t ** (1 / 3) if t > 0.008856 else 7.787 * t + 16 / 116

    return 116 * f(y) - 16, 500 * (f(x) - f(y)), 200 * (f(y) - f(z))


def _passion_art() -> dict[str, Image.Image]:
    classes = load_classes(badges_dir(), PASSIONS)
    art = {}
    for passion in PASSIONS:
        badge_class = classes.for_passion(passion)
        assert badge_class is not None and badge_class.artwork
        path = classes.artwork_path(badge_class.artwork)
        art[passion] = Image.open(io.BytesIO(render_png(path))).convert("RGBA")
    return art


def _main_colour(image: Image.Image) -> tuple[int, int, int]:
    """The badge's own colour: the most common opaque colour that is not white."""
    small = image.resize((SAMPLE_PX, SAMPLE_PX), Image.Resampling.NEAREST)
    counts: dict[tuple[int, int, int], int] = {}
    for r, g, b, a in small.get_flattened_data():  # type: ignore[misc]
        if a == 255 and (r, g, b) != (255, 255, 255):
            counts[(r, g, b)] = counts.get((r, g, b), 0) + 1
    return max(counts, key=lambda colour: counts[colour])


def _symbol(image: Image.Image) -> set[int]:
    """Where the white symbol is drawn, on a small grid."""
    small = image.resize((SAMPLE_PX, SAMPLE_PX), Image.Resampling.BILINEAR)
    return {
        i
        for i, (r, g, b, a) in enumerate(small.get_flattened_data())  # type: ignore[misc]
        if a > 200 and min(r, g, b) > 235
    }


def test_each_passion_badge_has_its_own_colour_and_symbol() -> None:
    art = _passion_art()
    colours = {passion: _lab(_main_colour(image)) for passion, image in art.items()}
    symbols = {passion: _symbol(image) for passion, image in art.items()}
    too_close = []
    for one, other in itertools.combinations(PASSIONS, 2):
        difference = sum((p - q) ** 2 for p, q in zip(colours[one], colours[other], strict=True))
        if difference**0.5 < MIN_COLOUR_DIFFERENCE:
            too_close.append((one, other, round(difference**0.5, 1)))
        shared = len(symbols[one] & symbols[other]) / max(1, len(symbols[one] | symbols[other]))
        assert shared < MAX_SYMBOL_OVERLAP, (one, other, shared)
    assert too_close == []
    sheet = Image.new("RGBA", (SAMPLE_PX * 6, SAMPLE_PX * 3), (255, 255, 255, 255))
    for i, passion in enumerate(PASSIONS):
        tile = art[passion].resize((SAMPLE_PX, SAMPLE_PX), Image.Resampling.LANCZOS)
        sheet.alpha_composite(tile, ((i % 6) * SAMPLE_PX, (i // 6) * SAMPLE_PX))
    ARTEFACTS.mkdir(exist_ok=True)
    sheet.save(ARTEFACTS / "badges-every-passion.png")


def test_badge_images_are_at_least_600_px_square() -> None:
    for path in sorted((badges_dir() / "artwork").glob("*.svg")):
        width, height = Image.open(io.BytesIO(render_png(path))).size
        assert width == height >= MIN_SIDE_PX, path.name
    width, height = Image.open(io.BytesIO(medallion_png("bike-repair"))).size
    assert width == height >= MIN_SIDE_PX
