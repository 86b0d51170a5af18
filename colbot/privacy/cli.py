"""`colbot privacy pack`: the privacy pack for the city's DPO, written from what colbot keeps."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from colbot.privacy import pack

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
    """Adds `colbot privacy` with its `pack` task."""
    group = commands.add_parser("privacy", help="what colbot keeps about people, for the DPO")
    add_pack_parser(group.add_subparsers(dest="privacy_command", required=True))


async def run(colbot: Colbot, args: argparse.Namespace) -> int:
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
