"""Cells for the CSVs colbot writes, so a name from a feed never runs as a spreadsheet formula."""

from __future__ import annotations

# OWASP's CSV injection list: a cell starting with one of these is read as a formula.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
QUOTE = "'"


def safe_cell(text: str) -> str:
    """Text for a CSV cell, with a leading quote when a spreadsheet would run it as a formula."""
    return QUOTE + text if text.startswith(FORMULA_STARTS) else text
