"""Opportunities from a CSV file with the contract's columns, one opportunity per row.

Rows are numbered as lines of the file, the header being line 1, so "line 7" is what a
spreadsheet or a text editor shows (a row whose quoted text runs over several lines is
numbered by its first line).
"""

from __future__ import annotations

import csv
import difflib
import io
from collections.abc import Collection, Sequence
from datetime import tzinfo

from colbot.catalogue.importers.checks import Batch
from colbot.catalogue.importers.drafts import COLUMNS, Draft, ImportContext, ImportedOpportunity
from colbot.catalogue.importers.problems import ImportRefused, Problem
from colbot.content.city import City
from colbot.content.passions import Passion

OPTIONAL_COLUMNS = frozenset({"latitude", "longitude", "capacity", "url", "badge"})


def parse_csv(
    data: str | bytes,
    city: City,
    passions: Sequence[Passion],
    timezone: tzinfo,
    *,
    badge_ids: Collection[str] | None = None,
) -> list[ImportedOpportunity]:
    """Every row as an opportunity, or ImportRefused listing every problem by line and column."""
    text = decode(data)
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = [name.strip() for name in next(reader)]
    except StopIteration:
        raise ImportRefused(
            [Problem("line 1", "", f"the file is empty; its first line should be: {_contract()}")]
        ) from None
    except csv.Error as exc:
        raise ImportRefused([Problem("line 1", "", f"is not CSV: {exc}")]) from None
    batch = Batch(ImportContext.of(city, passions, timezone, badge_ids))
    if len(header) == 1 and header[0].count(";") >= len(COLUMNS) // 2:
        raise ImportRefused(
            [
                Problem(
                    "line 1",
                    "",
                    "the values are separated by ';', not ','; save the file as "
                    "'CSV UTF-8 (comma delimited)' and import it again",
                )
            ]
        )
    batch.problems.extend(header_problems(header))
    missing = frozenset(COLUMNS) - set(header)
    line = reader.line_num + 1
    try:
        for cells in reader:
            where = f"line {line}"
            line = reader.line_num + 1
            if not any(cell.strip() for cell in cells):
                continue
            if len(cells) != len(header):
                batch.problem(
                    where,
                    "",
                    f"has {_count(len(cells), 'value')} but the header has "
                    f"{_count(len(header), 'column')} "
                    "(is there a comma in some text that is not in double quotes?)",
                )
                continue
            values = {name: cell for name, cell in zip(header, cells, strict=True)}
            draft = Draft()
            for name in COLUMNS:
                setattr(draft, name, values.get(name))
            batch.add(draft, where, OPTIONAL_COLUMNS, absent=missing)
    except csv.Error as exc:
        batch.problem(f"line {reader.line_num}", "", f"cannot be read as CSV: {exc}")
    return batch.result()


def decode(data: str | bytes) -> str:
    """UTF-8 text, with or without the byte-order mark spreadsheets write."""
    if isinstance(data, str):
        return data.removeprefix("\ufeff")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise ImportRefused(
            [
                Problem(
                    f"line {line}",
                    "",
                    "is not UTF-8 text; save the file as 'CSV UTF-8 (comma delimited)'",
                )
            ]
        ) from None


def header_problems(header: Sequence[str]) -> list[Problem]:
    """Every way the header differs from the contract: unknown, repeated and missing names."""
    problems: list[Problem] = []
    missing = [name for name in COLUMNS if name not in header]
    seen: dict[str, int] = {}
    for position, name in enumerate(header, start=1):
        if not name:
            problems.append(Problem("line 1", f"#{position}", "has no name"))
        elif name in seen:
            problems.append(
                Problem("line 1", name, f"appears twice (columns {seen[name]} and {position})")
            )
        elif name not in COLUMNS:
            close = difflib.get_close_matches(name.lower(), missing, n=1, cutoff=0.5)
            close = close or difflib.get_close_matches(name.lower(), COLUMNS, n=1, cutoff=0.5)
            hint = f"; did you mean '{close[0]}'?" if close else f"; the columns are {_contract()}"
            problems.append(Problem("line 1", name, f"is not a known column{hint}"))
        seen.setdefault(name, position)
    problems.extend(Problem("line 1", name, "is missing from the header") for name in missing)
    return problems


def _contract() -> str:
    return ",".join(COLUMNS)


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}{'' if number == 1 else 's'}"
