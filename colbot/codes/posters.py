"""Printable venue posters (the "card" staff print), so a partner can put a code on the wall.

Everything is drawn with the font that ships inside Pillow, so a card looks the same on every
machine and needs no system fonts. That font covers ASCII and a little punctuation: accents are
dropped ("Café" prints as "Cafe") and anything else it cannot draw (emoji, other scripts) is left
out rather than printed as empty boxes.
"""

from __future__ import annotations

import functools
import io
import unicodedata
from dataclasses import dataclass

from PIL import Image, ImageDraw, ImageFont

from colbot.domain.qr import qr_matrix

CARD_WIDTH_PX = 1240  # A6 portrait (105 x 148 mm) at 300 dpi
CARD_HEIGHT_PX = 1748
CARD_DPI = 300
MARGIN_PX = 90
GAP_PX = 36
HEADER_HEIGHT_PX = 150
LINE_SPACING = 1.15

HEADER_SIZES_PX = range(56, 31, -4)
TITLE_SIZES_PX = range(92, 43, -4)
TITLE_MAX_LINES = 3
PARTNER_SIZES_PX = range(52, 31, -4)
PARTNER_MAX_LINES = 2
PARTNER_STEP_DOWN_PX = 8
CODE_SIZES_PX = range(150, 47, -6)
CODE_BOX_PADDING_PX = 28
CODE_CELL_WIDTH = 1.08  # cell width over the widest glyph, so the code reads as monospace
CODE_DASH_CELL = 0.6  # the dash between groups takes a narrower cell, keeping groups together
INSTRUCTION_SIZES_PX = range(46, 27, -2)
INSTRUCTION_MAX_LINES = 3
MIN_QR_PX = 300

INK = (27, 27, 27)
MUTED = (85, 85, 85)
PAPER = (255, 255, 255)
ACCENT = (31, 78, 121)
CODE_BOX = (238, 241, 245)

ELLIPSIS = "…"
# Typed punctuation the built-in font lacks, written the way it has.
_PLAIN = str.maketrans({"–": "-", "—": "-", "‐": "-", "‑": "-", "−": "-", "„": '"', "‚": "'"})
# A character no font has, whose drawing is the font's "missing glyph" box.
_NOT_A_CHARACTER = "\uffff"
_PROBE_SIZE_PX = 40


@dataclass(frozen=True)
class _Block:
    """Lines of text set in one font, ready to draw centred."""

    lines: tuple[str, ...]
    font: ImageFont.FreeTypeFont
    fill: tuple[int, int, int]

    @property
    def line_height(self) -> int:
        ascent, descent = self.font.getmetrics()
        return round((ascent + descent) * LINE_SPACING)

    @property
    def height(self) -> int:
        return self.line_height * len(self.lines)


def _qr_image(url: str, side_px: int) -> Image.Image:
    """The QR as big as fits in a square of side_px, with whole pixels per module."""
    matrix = qr_matrix(url)
    modules = len(matrix)
    pixels = bytes(0 if dark else 255 for row in matrix for dark in row)
    image = Image.frombytes("L", (modules, modules), pixels)
    scale = max(1, side_px // modules)
    return image.resize((modules * scale, modules * scale), Image.Resampling.NEAREST)


def _font(size_px: int) -> ImageFont.FreeTypeFont:
    """Pillow's own scalable font, so no card depends on what fonts a machine has."""
    font = ImageFont.load_default(size=size_px)
    if not isinstance(font, ImageFont.FreeTypeFont):
        raise RuntimeError("Pillow was built without FreeType, so cards cannot be drawn")
    return font


@functools.cache
def _drawable(char: str) -> bool:
    """Whether the built-in font has a glyph for char, rather than its missing-glyph box."""
    if char == " ":
        return True
    font = _font(_PROBE_SIZE_PX)
    mask, missing = font.getmask(char), font.getmask(_NOT_A_CHARACTER)
    return mask.size != missing.size or bytes(mask) != bytes(missing)


def printable(text: str) -> str:
    """Text as the built-in font can draw it: accents dropped, undrawable characters left out."""
    text = unicodedata.normalize("NFKC", text).translate(_PLAIN)
    text = "".join(
        char for char in unicodedata.normalize("NFKD", text) if not unicodedata.combining(char)
    )
    kept = "".join(
        char if _drawable(char) else " "
        for char in text
        if unicodedata.category(char)[0] not in "CM"
    )
    return " ".join(kept.split())


def _width(text: str, font: ImageFont.FreeTypeFont) -> float:
    """How wide text is when drawn."""
    return font.getlength(text)


def _break_word(word: str, font: ImageFont.FreeTypeFont, width: int) -> list[str]:
    """A word too long for a line, cut into pieces that fit."""
    pieces: list[str] = []
    piece = ""
    for char in word:
        if piece and _width(piece + char, font) > width:
            pieces.append(piece)
            piece = char
        else:
            piece += char
    return [*pieces, piece] if piece else pieces


def _wrap(text: str, font: ImageFont.FreeTypeFont, width: int) -> list[str]:
    """Text in lines no wider than width, breaking between words where it can."""
    lines: list[str] = []
    line = ""
    for word in text.split():
        candidate = f"{line} {word}" if line else word
        if _width(candidate, font) <= width:
            line = candidate
            continue
        if line:
            lines.append(line)
        pieces = _break_word(word, font, width)
        lines.extend(pieces[:-1])
        line = pieces[-1] if pieces else ""
    return [*lines, line] if line else lines


def _shortened(line: str, font: ImageFont.FreeTypeFont, width: int) -> str:
    """The last line that fits, cut at a word if it can and ending in an ellipsis."""
    while line and _width(line.rstrip() + ELLIPSIS, font) > width:
        line = line.rsplit(" ", 1)[0] if " " in line.strip() else line[:-1]
    return line.rstrip() + ELLIPSIS


def _fit(
    text: str,
    sizes: range,
    max_lines: int,
    width: int,
    fill: tuple[int, int, int],
) -> _Block:
    """The largest size at which text fits in max_lines; at the smallest, the rest is cut."""
    lines: list[str] = []
    font = _font(sizes[0])
    for size in sizes:
        font = _font(size)
        lines = _wrap(text, font, width)
        if len(lines) <= max_lines:
            return _Block(tuple(lines), font, fill)
    kept = lines[:max_lines]
    kept[-1] = _shortened(f"{kept[-1]} {lines[max_lines]}", font, width)
    return _Block(tuple(kept), font, fill)


def _draw_block(draw: ImageDraw.ImageDraw, block: _Block, top: int) -> int:
    """Draws a block centred on the card and says where the next thing may start."""
    for index, line in enumerate(block.lines):
        y = top + index * block.line_height
        draw.text((CARD_WIDTH_PX / 2, y), line, font=block.font, fill=block.fill, anchor="ma")
    return top + block.height


def _code_font(code_display: str, width: int) -> tuple[ImageFont.FreeTypeFont, float]:
    """The largest font, and its cell width, at which the code fits in width as monospace."""
    font = _font(CODE_SIZES_PX[-1])
    cell = 0.0
    for size in CODE_SIZES_PX:
        font = _font(size)
        cell = max(_width(char, font) for char in code_display) * CODE_CELL_WIDTH
        if sum(_cells(code_display)) * cell <= width:
            break
    return font, cell


def _cells(code_display: str) -> list[float]:
    """Each character's share of a cell: whole for letters and digits, less for a dash."""
    return [1.0 if char.isalnum() else CODE_DASH_CELL for char in code_display]


def _draw_code(draw: ImageDraw.ImageDraw, code_display: str, bottom: int) -> int:
    """Draws the code in even cells on a pale box ending at bottom; says where the box starts."""
    inner = CARD_WIDTH_PX - 2 * MARGIN_PX - 2 * CODE_BOX_PADDING_PX
    font, cell = _code_font(code_display, inner)
    ascent, descent = font.getmetrics()
    box_top = bottom - ascent - descent - 2 * CODE_BOX_PADDING_PX
    shares = _cells(code_display)
    left = (CARD_WIDTH_PX - cell * sum(shares)) / 2
    draw.rounded_rectangle(
        (MARGIN_PX, box_top, CARD_WIDTH_PX - MARGIN_PX, bottom),
        radius=CODE_BOX_PADDING_PX,
        fill=CODE_BOX,
    )
    for char, share in zip(code_display, shares, strict=True):
        draw.text(
            (left + share * cell / 2, box_top + CODE_BOX_PADDING_PX),
            char,
            font=font,
            fill=INK,
            anchor="ma",
        )
        left += share * cell
    return box_top


def venue_poster_png(
    *,
    code_display: str,
    url: str,
    opportunity_title: str,
    partner_name: str,
    city_name: str,
    instructions: str,
) -> bytes:
    """A printable A6 card with the code's QR and the code itself, for a partner's venue."""
    width = CARD_WIDTH_PX - 2 * MARGIN_PX
    card = Image.new("RGB", (CARD_WIDTH_PX, CARD_HEIGHT_PX), PAPER)
    draw = ImageDraw.Draw(card)

    draw.rectangle((0, 0, CARD_WIDTH_PX, HEADER_HEIGHT_PX), fill=ACCENT)
    header = _fit(printable(city_name), HEADER_SIZES_PX, 1, width, PAPER)
    if header.lines:
        _draw_block(draw, header, (HEADER_HEIGHT_PX - header.height) // 2 + GAP_PX // 4)

    top = HEADER_HEIGHT_PX + GAP_PX
    title = _fit(printable(opportunity_title), TITLE_SIZES_PX, TITLE_MAX_LINES, width, INK)
    top = _draw_block(draw, title, top)
    # The partner never outshouts the title, however far a long title had to shrink.
    largest = min(PARTNER_SIZES_PX.start, int(title.font.size) - PARTNER_STEP_DOWN_PX)
    partner_sizes = range(largest, PARTNER_SIZES_PX.stop, PARTNER_SIZES_PX.step)
    partner = _fit(printable(partner_name), partner_sizes, PARTNER_MAX_LINES, width, MUTED)
    top = _draw_block(draw, partner, top + GAP_PX // 2)

    steps = _fit(printable(instructions), INSTRUCTION_SIZES_PX, INSTRUCTION_MAX_LINES, width, INK)
    steps_top = CARD_HEIGHT_PX - MARGIN_PX - steps.height
    _draw_block(draw, steps, steps_top)
    code_top = _draw_code(draw, printable(code_display), steps_top - GAP_PX)

    side = min(width, code_top - GAP_PX - (top + GAP_PX))
    qr = _qr_image(url, max(side, MIN_QR_PX))
    qr_top = top + GAP_PX + (side - qr.height) // 2 if side >= qr.height else top + GAP_PX
    card.paste(qr, ((CARD_WIDTH_PX - qr.width) // 2, qr_top))

    buffer = io.BytesIO()
    card.save(buffer, format="PNG", dpi=(CARD_DPI, CARD_DPI), optimize=True)
    return buffer.getvalue()
