"""`colbot privacy`: the privacy pack for the city's DPO, and the retention job run by hand."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from colbot.privacy import pack
from colbot.retention import cli as retention

if TYPE_CHECKING:
    from colbot.app import Colbot  # only its type: the app is built by colbot/cli.py


def add_pack_parser(privacy: argparse._SubParsersAction[Any]) -> None:
    """Adds `pack [--out DIR]` under `colbot privacy`."""
    made = privacy.add_parser(
        "pack", help="write privacy-pack.md and privacy-pack.html for the city's DPO"
    )
    made.add_argument(
        "--out", type=Path, default=Path(), help="the folder to write them into (default: here)"
    )


def add_parser(commands: argparse._SubParsersAction[Any]) -> None:
    """Adds `colbot privacy` with its `pack` and `purge` tasks."""
    group = commands.add_parser(
        "privacy", help="what colbot keeps about people (the DPO's pack) and how long (purge)"
    )
    tasks = group.add_subparsers(dest="privacy_command", required=True)
    add_pack_parser(tasks)
    retention.add_purge_parser(tasks)


async def run(colbot: Colbot, args: argparse.Namespace) -> int:
    """Runs the task asked for."""
    if args.privacy_command == "purge":
        return await retention.run(colbot, args)
    return await _pack(colbot, args)


async def _pack(colbot: Colbot, args: argparse.Namespace) -> int:
    """Writes the pack; it reads the code and settings, never the database."""
    try:
        built = pack.build(colbot.city, colbot.settings, colbot.clock.now())
    except pack.UndeclaredColumns as exc:
        print(f"colbot: {exc}", file=sys.stderr)
        return 1
    for path in pack.write(built, args.out):
        print(f"Wrote {path}")
    print(
        f"{len(built.personal_columns)} columns in {len(built.tables)} tables hold personal data."
    )
    return 0
