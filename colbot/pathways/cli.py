"""`colbot pathways`: check the pathway files against the catalogue, and list how far people got."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING, Any

from colbot.pathways.catalogue import offers
from colbot.pathways.check import unreachable
from colbot.pathways.figures import figures

if TYPE_CHECKING:
    from colbot.app import Colbot  # only its type: the app is built by colbot/cli.py


def add_parser(commands: argparse._SubParsersAction[Any]) -> None:
    """Adds `colbot pathways check` and `colbot pathways list`."""
    group = commands.add_parser("pathways", help="pathways: check the files, list the figures")
    tasks = group.add_subparsers(dest="pathways_command", required=True)
    tasks.add_parser(
        "check",
        help="check badges/pathways/ (a bad file stops with its line) and warn of steps no "
        "opportunity can meet",
    )
    tasks.add_parser(
        "list", help="each pathway with how many follow it, reached each step and finished"
    )


async def run(colbot: Colbot, args: argparse.Namespace) -> int:
    """Runs one pathways task; the files were already checked when the app was built."""
    assert colbot.pathways is not None and colbot.badge_classes is not None
    await colbot.database.upgrade()
    try:
        async with colbot.database.transaction() as session:
            if args.pathways_command == "check":
                warnings = unreachable(colbot.pathways, await offers(session))
                for warning in warnings:
                    print(f"warning: {warning}")
                ending = (
                    f"{len(warnings)} step{'' if len(warnings) == 1 else 's'} no opportunity "
                    "can meet yet (see above)."
                    if warnings
                    else "every step can be met by something in the catalogue."
                )
                print(f"{len(colbot.pathways)} pathways read; {ending}")
                return 0
            for found in await figures(session, colbot.pathways, colbot.badge_classes):
                who = "everyone" if found.pathway.everyone else f"{found.following} following"
                print(
                    f"{found.pathway.name} ({found.pathway.id}): {who}, {found.finished} finished"
                )
                for number, (step, reached) in enumerate(
                    zip(found.pathway.steps, found.reached, strict=True), 1
                ):
                    print(f"  {number}. {step.name}: {reached} reached")
            return 0
    finally:
        await colbot.database.dispose()
