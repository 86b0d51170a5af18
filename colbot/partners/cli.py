"""`colbot partners`: add and list partners, and make one-time staff invite links."""

from __future__ import annotations

import argparse
import logging
import re
import sys
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from colbot.catalogue import store as catalogue
from colbot.partners import store as partners
from colbot.web.paths import web_chat_start

if TYPE_CHECKING:
    from colbot.app import Colbot  # only its type: the app is built by colbot/cli.py

EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def add_parser(commands: argparse._SubParsersAction[Any]) -> None:
    """Adds `colbot partners add|list|invite`."""
    group = commands.add_parser("partners", help="add and list partners, invite their staff")
    tasks = group.add_subparsers(dest="partners_command", required=True)
    add = tasks.add_parser("add", help="add a partner (or update its website and email)")
    add.add_argument("name", help="the partner's name, as young people will see it")
    add.add_argument("--website", help="https://... address of the partner's website")
    add.add_argument("--email", help="an email address for the partner")
    tasks.add_parser("list", help="list partners and how many staff each has")
    invite = tasks.add_parser("invite", help="print a one-time invite link for a partner's staff")
    invite.add_argument("name", help="the partner's name or id")
    invite.add_argument("--bot", help="the bot's @username, if COLBOT_TELEGRAM_TOKEN is not set")


def _problem(args: argparse.Namespace) -> str | None:
    if not args.name.strip():
        return "the partner needs a name"
    if args.website:
        parts = urlsplit(args.website)
        if parts.scheme not in {"http", "https"} or not parts.netloc:
            return f"--website must be an http(s) address, not {args.website!r}"
    if args.email and not EMAIL.match(args.email):
        return f"--email must be an email address, not {args.email!r}"
    return None


async def run(colbot: Colbot, args: argparse.Namespace) -> int:
    """Runs one partners task; problems exit non-zero with one clear line."""
    logging.getLogger().setLevel(logging.WARNING)
    try:
        await colbot.database.upgrade()
        now = colbot.clock.now()
        if args.partners_command == "add":
            problem = _problem(args)
            if problem:
                print(f"colbot: {problem}", file=sys.stderr)
                return 2
            async with colbot.database.transaction() as session:
                partner = await partners.add_partner(
                    session, args.name.strip(), now, website=args.website, email=args.email
                )
            print(f"Partner {partner.name} is ready (id {partner.slug}).")
            return 0
        if args.partners_command == "list":
            async with colbot.database.transaction() as session:
                rows = await partners.list_partners(session)
            if not rows:
                print("No partners yet. Add one with: colbot partners add NAME")
            for partner, staff in rows:
                details = " · ".join(x for x in (partner.website, partner.email) if x)
                print(
                    f"{partner.name} (id {partner.slug}) · {staff} staff"
                    + (f" · {details}" if details else "")
                )
            return 0
        try:
            username = await colbot.bot_username(args.bot)
        except ValueError as exc:
            print(f"colbot: {exc}", file=sys.stderr)
            return 2
        async with colbot.database.transaction() as session:
            invited = await catalogue.find_partner(session, args.name)
            if invited is None:
                print(
                    f"colbot: there is no partner called {args.name!r}; add it first with "
                    f"colbot partners add {args.name!r}",
                    file=sys.stderr,
                )
                return 1
            payload = await partners.create_invite(session, invited, now, "city", "cli")
        print(
            f"One-time invite for {invited.name}, valid for 7 days. Send it only to the person "
            "who should join:"
        )
        print(f"Web chat: {web_chat_start(colbot.settings.public_url, payload)}")
        if username:
            print(f"Telegram: {partners.invite_link(username, payload)}")
        return 0
    finally:
        await colbot.database.dispose()
