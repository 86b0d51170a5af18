"""CSV cells: text a spreadsheet would run as a formula is quoted, numbers stay numbers."""

from __future__ import annotations

import csv
import io

import pytest

from colbot.dashboard.web import table_as_csv
from colbot.domain.spreadsheet import safe_cell


@pytest.mark.parametrize(
    "text", ['=HYPERLINK("http://x","y")', "+1", "@SUM(A1)", "-2+3", "\t=1", "\r=1"]
)
def test_text_a_spreadsheet_would_run_is_quoted(text: str) -> None:
    assert safe_cell(text) == "'" + text


@pytest.mark.parametrize("text", ["Pixel Forge", "1 + 1 = 2", "", "'quoted", " =1"])
def test_other_text_is_left_alone(text: str) -> None:
    assert safe_cell(text) == text


def test_a_table_quotes_its_text_and_leaves_its_numbers() -> None:
    rows = (("-2+3", -3, -1.5), ("@A1", None, 0.25), ("Pixel\r=1+1", 0, 1.0))
    text = table_as_csv(("=Name", "Change", "Share"), rows)
    assert list(csv.reader(io.StringIO(text, newline=""))) == [
        ["'=Name", "Change", "Share"],
        ["'-2+3", "-3", "-1.5"],
        ["'@A1", "fewer than 5", "0.25"],
        ["Pixel\r=1+1", "0", "1"],
    ]
