"""`colbot dashboard link`: a one-time sign-in link to the city dashboard, from the terminal."""

from __future__ import annotations

import argparse
import getpass
from typing import TYPE_CHECKING, Any

from colbot.dashboard import access as dashboard_access
from colbot.dashboard.chat import SIGN_IN_PATH

if TYPE_CHECKING:
    from colbot.app import Colbot  # only its type: the app is built by colbot/cli.py

COMMAND_LINE = "cli"


def add_parser(commands: argparse._SubParsersAction[Any]) -> None:
    """Adds `colbot dashboard link`."""
    group = commands.add_parser("dashboard", help="the city's dashboard on the web")
    tasks = group.add_subparsers(dest="dashboard_command", required=True)
    tasks.add_parser("link", help="print a one-time sign-in link (works once, for 10 minutes)")


async def run(colbot: Colbot, args: argparse.Namespace) -> int:
    """Prints the link; whoever runs colbot counts as the city team."""
    await colbot.database.upgrade()
    who = f"{COMMAND_LINE}:{getpass.getuser()}"
    async with colbot.database.transaction() as session:
        secret = await dashboard_access.create_link(session, who, COMMAND_LINE, colbot.clock.now())
    public_url = colbot.settings.public_url.rstrip("/")
    print("Sign in to the city dashboard with this link. It works once, in the next 10 minutes:")
    print(f"{public_url}{SIGN_IN_PATH}?t={secret}")
    return 0
