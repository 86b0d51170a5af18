"""`colbot report`: the dashboard's headline figures for a period, and its tables as CSV files."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from colbot.content.locations import conversations_dir
from colbot.content.passions import load_passions
from colbot.dashboard import figures as dashboard
from colbot.dashboard.periods import PeriodError, parse_period
from colbot.dashboard.report import Area, Report, build_report
from colbot.dashboard.web import format_cell, table_as_csv

if TYPE_CHECKING:
    from colbot.app import Colbot  # only its type: the app is built by colbot/cli.py


def add_parser(commands: argparse._SubParsersAction[Any]) -> None:
    """Adds `colbot report --from DATE --to DATE [--csv DIR]`."""
    report = commands.add_parser(
        "report", help="print the dashboard's headline figures for a period; write its tables"
    )
    report.add_argument("--from", dest="first", required=True, help="first day, like 2026-09-01")
    report.add_argument("--to", dest="last", required=True, help="last day, like 2026-11-30")
    report.add_argument("--csv", type=Path, help="a folder to write each table to as CSV")


def render(report: Report) -> str:
    """The headline figures as plain text, with the rule about small numbers."""
    lines = [report.title, report.period_label, ""]
    for item in report.headlines:
        unit = f" {item.unit}" if item.unit and item.value is not None else ""
        note = f" ({item.note})" if item.note else ""
        lines.append(f"{item.label}: {format_cell(item.value)}{unit}{note}")
    lines += ["", f"Most deprived areas (IMD deciles 1 and 2): {', '.join(report.deprived_areas)}"]
    lines += [f"- {note}" for note in report.notes]
    return "\n".join(lines)


async def run(colbot: Colbot, args: argparse.Namespace) -> int:
    """Prints the report and, with --csv, writes one CSV per table; 2 for a bad period."""
    today = colbot.clock.now().astimezone(colbot.city.timezone).date()
    try:
        period = parse_period(args.first, args.last, today)
    except PeriodError as error:
        print(f"colbot report: {error}", file=sys.stderr)
        return 2
    await colbot.prepare()
    try:
        async with colbot.database.reading() as session:
            raw = await dashboard.figures(
                session, dashboard.Scope(), period, colbot.city.timezone, colbot.clock.now()
            )
    finally:
        await colbot.database.dispose()
    areas = [Area(a.id, a.name, a.imd_decile) for a in colbot.city.areas]
    language = conversations_dir() / colbot.settings.language
    passions = {p.id: p.name for p in load_passions(language / "passions.yaml")}
    report = build_report(raw, areas, passions, colbot.city.name)
    print(render(report))
    if args.csv is not None:
        args.csv.mkdir(parents=True, exist_ok=True)
        for table in report.tables:
            path = args.csv / f"{table.id}.csv"
            path.write_text(table_as_csv(table.columns, table.rows), "utf-8", newline="")
        print(f"\nWrote {len(report.tables)} tables to {args.csv}/")
    return 0
