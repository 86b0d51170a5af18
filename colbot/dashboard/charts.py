"""The dashboard's charts as SVG, drawn on the server by pygal from the tables' visible figures.

Readable without colour: every bar carries its value, and a second series is hatched (its bars
and its legend key) so it differs by pattern as well as by colour. Hidden counts are not drawn.
"""

from __future__ import annotations

import re
import sys

import pygal
from pygal.style import Style

from colbot.dashboard.report import Chart

# pygal puts a finder for its map plugins on sys.meta_path that has no find_spec(), so every
# import that misses anywhere afterwards warns (an error under our tests). colbot draws no maps.
sys.meta_path[:] = [f for f in sys.meta_path if type(f).__name__ != "PluginImportFixer"]

WIDTH_PX = 760
ROW_PX = 34
MIN_HEIGHT_PX = 260
COLOURS = ("#1b5e8a", "#c2571a", "#2e7d32", "#6a1b9a")
HATCH = (
    '<pattern id="hatch" patternUnits="userSpaceOnUse" width="8" height="8">'
    '<rect width="8" height="8" fill="#f3c7a8"/>'
    '<path d="M-2,2 L2,-2 M0,8 L8,0 M6,10 L10,6" stroke="#7a3309" stroke-width="2"/></pattern>'
)
PATTERNS = "inline:.serie-1 .rect, rect.color-1 { fill: url(#hatch) !important; }"
# pygal adds an inline config script (inert in an <img>) and comments with its links; both go.
UNWANTED = re.compile(r"<script\b.*?</script>|<!--.*?-->", re.DOTALL)
STYLE = Style(
    background="white",
    plot_background="white",
    foreground="#1a1a1a",
    foreground_strong="#1a1a1a",
    foreground_subtle="#555555",
    colors=COLOURS,
    font_family="system-ui, sans-serif",
    value_font_size=13,
    label_font_size=13,
    major_label_font_size=13,
    legend_font_size=14,
)


def _number(value: float | None) -> str:
    return "" if value is None else f"{value:,.10g}"


EMPTY_HEIGHT_PX = 120
EMPTY_TEXT = "No figures for this period yet, so there is nothing to draw."


def is_empty(chart: Chart) -> bool:
    """Nothing to draw: no rows, or every value shown is hidden or zero."""
    return not chart.labels or not any(v for series in chart.series for v in series.values)


def _empty(chart: Chart) -> str:
    """A chart with nothing in it says so in words, without drawing axes around nothing."""
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH_PX}" height="{EMPTY_HEIGHT_PX}" '
        f'viewBox="0 0 {WIDTH_PX} {EMPTY_HEIGHT_PX}" role="img" aria-label="{EMPTY_TEXT}">'
        f'<rect width="{WIDTH_PX}" height="{EMPTY_HEIGHT_PX}" fill="white"/>'
        f'<text x="{WIDTH_PX // 2}" y="{EMPTY_HEIGHT_PX // 2}" text-anchor="middle" '
        f'dominant-baseline="middle" font-family="system-ui, sans-serif" font-size="18" '
        f'fill="#1a1a1a">{EMPTY_TEXT}</text></svg>'
    )


def render(chart: Chart) -> str:
    """One chart as a standalone SVG document."""
    if is_empty(chart):
        return _empty(chart)
    horizontal = chart.kind == "hbar"
    rows = len(chart.labels) * (len(chart.series) if horizontal else 1)
    height = max(MIN_HEIGHT_PX, rows * ROW_PX + 120) if horizontal else 380
    kind = pygal.HorizontalBar if horizontal else pygal.Bar
    drawn = kind(
        style=STYLE,
        width=WIDTH_PX,
        height=height,
        explicit_size=True,
        disable_xml_declaration=True,
        js=[],
        defs=[HATCH],
        css=["file://style.css", "file://graph.css", PATTERNS],
        print_values=True,
        value_formatter=_number,
        show_legend=len(chart.series) > 1,
        legend_at_bottom=True,
        x_label_rotation=0 if horizontal or len(chart.labels) <= 8 else 40,
        truncate_label=-1,
        show_y_guides=not horizontal,
        include_x_axis=True,
        no_data_text="Nothing to show yet",
        margin=16,
    )
    drawn.x_labels = list(chart.labels)
    for series in chart.series:
        drawn.add(series.name, list(series.values))
    return UNWANTED.sub("", drawn.render(is_unicode=True))
