"""`colbot opportunities`: import a catalogue file, or list the catalogue."""

from __future__ import annotations

import argparse
import logging
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from colbot.catalogue.importers import ImportRefused
from colbot.catalogue.imports import format_catalogue, import_file, list_catalogue
from colbot.content.locations import conversations_dir
from colbot.content.passions import load_passions

if TYPE_CHECKING:
    from colbot.app import Colbot  # only its type: the app is built by colbot/cli.py


def add_parser(commands: argparse._SubParsersAction[Any]) -> None:
    """Adds `colbot opportunities import FILE` and `colbot opportunities list`."""
    opportunities = commands.add_parser("opportunities", help="import or list the catalogue")
    tasks = opportunities.add_subparsers(dest="opportunities_command", required=True)
    load = tasks.add_parser(
        "import",
        help="import opportunities from a CSV, OpenActive (.json) or iCalendar (.ics) file",
    )
    load.add_argument("file", type=Path, help="the file; a file with any problem is refused whole")
    listing = tasks.add_parser("list", help="show the catalogue, upcoming first")
    listing.add_argument("--all", action="store_true", help="include past opportunities")


async def run(colbot: Colbot, args: argparse.Namespace) -> int:
    """Imports a file or lists the catalogue; a refused file exits 1 with every problem."""
    logging.getLogger().setLevel(logging.WARNING)
    try:
        await colbot.database.upgrade()
        now = colbot.clock.now()
        if args.opportunities_command == "list":
            lines = await list_catalogue(colbot.database, now, include_past=args.all)
            print(format_catalogue(lines, colbot.city.timezone))
            return 0
        passions = load_passions(conversations_dir() / colbot.settings.language / "passions.yaml")
        try:
            summary = await import_file(colbot.database, args.file, colbot.city, passions, now)
        except OSError as exc:
            print(f"colbot: cannot read {args.file}: {exc.strerror or exc}", file=sys.stderr)
            return 1
        except ImportRefused as refused:
            count = len(refused.problems)
            print(
                f"colbot: {args.file} was not imported, and nothing was changed; "
                f"fix {'this problem' if count == 1 else f'these {count} problems'} and try again:",
                file=sys.stderr,
            )
            for problem in refused.problems:
                print(problem, file=sys.stderr)
            return 1
        print(f"Imported {args.file}: {summary}.")
        return 0
    finally:
        await colbot.database.dispose()
