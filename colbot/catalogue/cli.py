"""`colbot opportunities`: import a catalogue file, or list the catalogue."""

from __future__ import annotations

import argparse
import logging
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

import yaml

from colbot.catalogue.changes import SessionChanges
from colbot.catalogue.importers import ImportRefused
from colbot.catalogue.imports import format_catalogue, import_file, list_catalogue
from colbot.content.locations import badges_dir, conversations_dir
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
    load.add_argument(
        "--new-partner",
        action="store_true",
        help="create the partners the file names that colbot does not know yet",
    )
    listing = tasks.add_parser("list", help="show the catalogue, upcoming first")
    listing.add_argument("--all", action="store_true", help="include past opportunities")


def known_badge_ids() -> set[str]:
    """The ids of the badge classes in badges/classes, which an opportunity may award."""
    ids = set()
    for path in (badges_dir() / "classes").glob("*.yaml"):
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        if isinstance(data, dict) and isinstance(data.get("id"), str):
            ids.add(data["id"])
    return ids


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
        changes = SessionChanges(colbot.content, colbot.city.timezone, colbot.settings.quiet_hours)
        try:
            summary = await import_file(
                colbot.database,
                args.file,
                colbot.city,
                passions,
                now,
                badge_ids=known_badge_ids(),
                new_partners=args.new_partner,
                changes=changes,
            )
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
