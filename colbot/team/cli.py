"""`colbot admins`: invite someone onto the city team on any channel, list them, remove them."""

from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING, Any

from colbot.team import store as team
from colbot.web.paths import web_chat_start

if TYPE_CHECKING:
    from colbot.app import Colbot  # only its type: the app is built by colbot/cli.py


def add_parser(commands: argparse._SubParsersAction[Any]) -> None:
    """Adds `colbot admins invite NAME`, `colbot admins list` and `colbot admins remove ID`."""
    group = commands.add_parser("admins", help="the city team: invite, list and remove admins")
    tasks = group.add_subparsers(dest="admins_command", required=True)
    invite = tasks.add_parser("invite", help="print a one-time link that makes its opener an admin")
    invite.add_argument("name", help="who the link is for, as the team will see them listed")
    invite.add_argument("--bot", help="the bot's @username, for a Telegram link without a token")
    tasks.add_parser("list", help="list the city admins (COLBOT_ADMINS and invited ones)")
    remove = tasks.add_parser("remove", help="take an invited admin off the team")
    remove.add_argument("id", type=int, help="the admin's number, from `colbot admins list`")


async def run(colbot: Colbot, args: argparse.Namespace) -> int:
    """Runs one admins task; problems exit non-zero with one clear line."""
    await colbot.database.upgrade()
    now = colbot.clock.now()
    if args.admins_command == "invite":
        name = " ".join(args.name.split())
        if not name:
            print("colbot: say who the invite is for, like: colbot admins invite 'Sam Patel'")
            return 2
        try:
            username = await colbot.bot_username(args.bot)
        except ValueError as exc:
            print(f"colbot: {exc}", file=sys.stderr)
            return 2
        async with colbot.database.transaction() as session:
            payload = await team.create_invite(session, name, now, "cli")
        print(
            f"One-time city admin invite for {name}, valid for 7 days. Whoever opens it joins the "
            "city team, so send it only to them:"
        )
        print(f"Web chat: {web_chat_start(colbot.settings.public_url, payload)}")
        if username:
            print(f"Telegram: https://t.me/{username}?start={payload}")
        return 0
    if args.admins_command == "list":
        async with colbot.database.transaction() as session:
            invited = await team.active_admins(session)
        for telegram_id in sorted(colbot.settings.admins):
            print(f"- Telegram {telegram_id} (COLBOT_ADMINS)")
        for admin in invited:
            print(f"{admin.id}. {admin.name} on {admin.channel}, since {admin.joined_at:%d %b %Y}")
        if not invited and not colbot.settings.admins:
            print("No city admins yet. Invite one with: colbot admins invite NAME")
        return 0
    async with colbot.database.transaction() as session:
        removed = await team.remove_admin(session, args.id, now)
    if removed is None:
        print(f"colbot: there is no city admin number {args.id}; see colbot admins list")
        return 1
    print(f"{removed.name} is no longer a city admin.")
    return 0
