"""Badge artwork: plain SVG files drawn with a few shapes, rendered to PNG by Pillow alone."""

# The SVGs in badges/artwork/ are the source. Baking needs a PNG too, and colbot draws it
# from the same shapes (circle, ellipse, rect, polygon, polyline, line) instead of
# depending on a full SVG renderer such as cairo; anything else in the file is refused.

from __future__ import annotations

import io
import re
import xml.parsers.expat
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from PIL import Image, ImageDraw

from colbot.content.source import ContentError

PNG_SIZE = 600  # sharp in wallets and on LinkedIn, which show badges large
SUPERSAMPLE = 2
ARTWORK_CACHE_SIZE = 64
SVG_NAMESPACE = "http://www.w3.org/2000/svg"
NAMESPACE_SEPARATOR = " "
DESCRIPTIVE = frozenset({"title", "desc", "metadata"})
NONE = "none"
HEX_COLOUR = re.compile(r"#([0-9a-fA-F]{6})")
NUMBER = re.compile(r"-?(?:\d+\.?\d*|\.\d+)")
NAMED_COLOURS = {"white": "#FFFFFF", "black": "#000000"}

RGBA = tuple[int, int, int, int]


@dataclass
class _Drawing:
    """What parsing an SVG found: its view box, title and the shapes to draw in order."""

    path: Path
    view_box: tuple[float, float, float, float] | None = None
    title: str = ""
    shapes: list[tuple[str, dict[str, str], int]] = field(default_factory=list)


def _colour(value: str | None, where: str) -> RGBA | None:
    """An SVG paint as RGBA, or None for 'none' or no paint."""
    if value is None or value == NONE:
        return None
    match = HEX_COLOUR.fullmatch(NAMED_COLOURS.get(value, value))
    if match is None:
        raise ContentError(f"{where}: colour {value!r} must be #rrggbb, white, black or none")
    raw = int(match[1], 16)
    return (raw >> 16 & 0xFF, raw >> 8 & 0xFF, raw & 0xFF, 0xFF)


def _number(
    attributes: dict[str, str], name: str, where: str, default: float | None = None
) -> float:
    """A numeric attribute, in user units."""
    value = attributes.get(name)
    if value is None:
        if default is None:
            raise ContentError(f"{where}: the shape needs a {name} attribute")
        return default
    if not NUMBER.fullmatch(value.strip()):
        raise ContentError(f"{where}: {name}={value!r} must be a plain number")
    return float(value)


def _points(value: str | None, where: str) -> list[tuple[float, float]]:
    """A points attribute as (x, y) pairs."""
    numbers = [float(n) for n in NUMBER.findall(value or "")]
    if len(numbers) < 4 or len(numbers) % 2:
        raise ContentError(f"{where}: points must be at least two x,y pairs")
    return list(zip(numbers[::2], numbers[1::2], strict=True))


def parse(path: Path) -> _Drawing:
    """Reads an artwork SVG, refusing entities and any element colbot cannot draw."""
    data = path.read_bytes()
    drawing = _Drawing(path)
    parser = xml.parsers.expat.ParserCreate(namespace_separator=NAMESPACE_SEPARATOR)
    parser.SetParamEntityParsing(xml.parsers.expat.XML_PARAM_ENTITY_PARSING_NEVER)
    depth = 0
    in_title = False

    def refuse(*_: object) -> None:
        raise ContentError(f"{path}: artwork must not declare XML entities")

    def on_start(name: str, attributes: dict[str, str]) -> None:
        nonlocal depth, in_title
        namespace, _, local = name.rpartition(NAMESPACE_SEPARATOR)
        where = f"{path}:{parser.CurrentLineNumber}"
        if namespace != SVG_NAMESPACE:
            raise ContentError(f"{where}: <{local}> is not an SVG element")
        if depth == 0:
            if local != "svg":
                raise ContentError(f"{where}: the root element must be <svg>")
            numbers = [float(n) for n in NUMBER.findall(attributes.get("viewBox", ""))]
            if len(numbers) != 4 or numbers[2] <= 0 or numbers[3] <= 0:
                raise ContentError(f"{where}: <svg> needs a viewBox of four numbers")
            drawing.view_box = (numbers[0], numbers[1], numbers[2], numbers[3])
        elif local in _PAINTERS:
            drawing.shapes.append((local, dict(attributes), parser.CurrentLineNumber))
        elif local not in DESCRIPTIVE:
            raise ContentError(f"{where}: colbot cannot draw <{local}>; use basic shapes")
        in_title = local == "title" and not drawing.title
        depth += 1

    def on_end(_name: str) -> None:
        nonlocal depth, in_title
        depth -= 1
        in_title = False

    def on_text(text: str) -> None:
        if in_title:
            drawing.title += text

    parser.EntityDeclHandler = refuse
    parser.StartElementHandler = on_start
    parser.EndElementHandler = on_end
    parser.CharacterDataHandler = on_text
    try:
        parser.Parse(data, True)
    except xml.parsers.expat.ExpatError as error:
        raise ContentError(f"{path}:{error.lineno}: not well-formed SVG: {error}") from error
    if not drawing.title.strip():
        raise ContentError(f"{path}: artwork needs a <title> so screen readers can say what it is")
    return drawing


Scale = Callable[[float, float], tuple[float, float]]


def _fill_and_stroke(attributes: dict[str, str], where: str, scale: float) -> dict[str, object]:
    """Pillow's fill, outline and width for one shape."""
    stroke = _colour(attributes.get("stroke"), where)
    width = _number(attributes, "stroke-width", where, 1.0) if stroke else 0.0
    return {
        "fill": _colour(attributes.get("fill", "#000000"), where),
        "outline": stroke,
        "width": round(width * scale),
    }


def _circle(draw: ImageDraw.ImageDraw, a: dict[str, str], where: str, at: Scale, k: float) -> None:
    cx, cy = _number(a, "cx", where), _number(a, "cy", where)
    r = _number(a, "r", where)
    (x0, y0), (x1, y1) = at(cx - r, cy - r), at(cx + r, cy + r)
    draw.ellipse((x0, y0, x1, y1), **_fill_and_stroke(a, where, k))  # type: ignore[arg-type]


def _ellipse(draw: ImageDraw.ImageDraw, a: dict[str, str], where: str, at: Scale, k: float) -> None:
    cx, cy = _number(a, "cx", where), _number(a, "cy", where)
    rx, ry = _number(a, "rx", where), _number(a, "ry", where)
    (x0, y0), (x1, y1) = at(cx - rx, cy - ry), at(cx + rx, cy + ry)
    draw.ellipse((x0, y0, x1, y1), **_fill_and_stroke(a, where, k))  # type: ignore[arg-type]


def _rect(draw: ImageDraw.ImageDraw, a: dict[str, str], where: str, at: Scale, k: float) -> None:
    x, y = _number(a, "x", where, 0.0), _number(a, "y", where, 0.0)
    w, h = _number(a, "width", where), _number(a, "height", where)
    (x0, y0), (x1, y1) = at(x, y), at(x + w, y + h)
    radius = round(_number(a, "rx", where, 0.0) * k)
    draw.rounded_rectangle((x0, y0, x1, y1), radius, **_fill_and_stroke(a, where, k))  # type: ignore[arg-type]


def _polygon(draw: ImageDraw.ImageDraw, a: dict[str, str], where: str, at: Scale, k: float) -> None:
    points = [at(x, y) for x, y in _points(a.get("points"), where)]
    draw.polygon(points, **_fill_and_stroke(a, where, k))  # type: ignore[arg-type]


def _line_of(
    draw: ImageDraw.ImageDraw,
    points: list[tuple[float, float]],
    a: dict[str, str],
    where: str,
    k: float,
) -> None:
    """A stroked open line with round joins and caps, like stroke-linecap round."""
    stroke = _colour(a.get("stroke"), where)
    if stroke is None:
        return
    width = round(_number(a, "stroke-width", where, 1.0) * k)
    draw.line(points, fill=stroke, width=width, joint="curve")
    for x, y in (points[0], points[-1]):
        draw.ellipse((x - width / 2, y - width / 2, x + width / 2, y + width / 2), fill=stroke)


def _polyline(
    draw: ImageDraw.ImageDraw, a: dict[str, str], where: str, at: Scale, k: float
) -> None:
    _line_of(draw, [at(x, y) for x, y in _points(a.get("points"), where)], a, where, k)


def _line(draw: ImageDraw.ImageDraw, a: dict[str, str], where: str, at: Scale, k: float) -> None:
    start = at(_number(a, "x1", where), _number(a, "y1", where))
    end = at(_number(a, "x2", where), _number(a, "y2", where))
    _line_of(draw, [start, end], a, where, k)


_PAINTERS = {
    "circle": _circle,
    "ellipse": _ellipse,
    "rect": _rect,
    "polygon": _polygon,
    "polyline": _polyline,
    "line": _line,
}


def render_png(path: Path, size: int = PNG_SIZE) -> bytes:
    """Draws an artwork SVG as a square PNG with a transparent background."""
    drawing = parse(path)
    assert drawing.view_box is not None
    left, top, width, height = drawing.view_box
    big = size * SUPERSAMPLE
    k = big / max(width, height)

    def at(x: float, y: float) -> tuple[float, float]:
        return ((x - left) * k, (y - top) * k)

    canvas = Image.new("RGBA", (big, big), (0, 0, 0, 0))
    draw = ImageDraw.Draw(canvas)
    for kind, attributes, line in drawing.shapes:
        _PAINTERS[kind](draw, attributes, f"{path}:{line}", at, k)
    buffer = io.BytesIO()
    canvas.resize((size, size), Image.Resampling.LANCZOS).save(buffer, format="PNG")
    return buffer.getvalue()


@lru_cache(maxsize=ARTWORK_CACHE_SIZE)
def cached_png(path: Path) -> bytes:
    """The PNG for an artwork file, drawn once per process (badges reuse a few artworks)."""
    return render_png(path)


@lru_cache(maxsize=ARTWORK_CACHE_SIZE)
def cached_svg(path: Path) -> bytes:
    """The artwork SVG's bytes, read once per process."""
    return path.read_bytes()
