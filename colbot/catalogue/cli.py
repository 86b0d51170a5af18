"""`colbot opportunities`: import a catalogue file, or list the catalogue."""

from __future__ import annotations

import argparse
import logging
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

import yaml

from colbot.catalogue import feeds
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
    follow = tasks.add_parser(
        "follow", help="follow a partner's OpenActive feed or calendar URL, polled on a schedule"
    )
    follow.add_argument("url", help="the feed's first page, or the calendar's address")
    follow.add_argument("--partner", required=True, help="the partner it belongs to")
    tasks.add_parser("feeds", help="list followed feeds: position, last success, errors, counts")
    poll = tasks.add_parser("poll", help="poll every followed feed now, or one")
    poll.add_argument("url", nargs="?", help="only this feed")
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
        if args.opportunities_command in {"follow", "feeds", "poll"}:
            return await _feeds(colbot, args)
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


async def _feeds(colbot: Colbot, args: argparse.Namespace) -> int:
    """`follow`, `feeds` and `poll`: a refused feed says why and exits 1."""
    now = colbot.clock.now()
    if args.opportunities_command == "feeds":
        lines = await feeds.list_feeds(colbot.database)
        for line in lines:
            when = line.last_success_at.isoformat() if line.last_success_at else "never"
            print(f"{line.url}\n  partner: {line.partner} ({line.kind})")
            print(f"  position: {line.position or 'start'}\n  last success: {when}")
            print(f"  last error: {line.last_error or 'none'}")
            print(f"  items: {line.items}, opportunities: {line.opportunities}")
        print(f"{len(lines)} feed{'' if len(lines) == 1 else 's'}")
        return 0
    harvester = colbot.feeds()
    if args.opportunities_command == "follow":
        try:
            feed = await feeds.follow(
                colbot.database,
                args.url,
                args.partner,
                now,
                allow_private=colbot.settings.feeds_allow_private,
                internal=colbot.settings.internal_hosts,
            )
        except feeds.FeedError as exc:
            print(f"colbot: {args.url} was not followed: {exc}", file=sys.stderr)
            return 1
        print(f"Following {feed.url} for {args.partner}; reading it now.")
        args.url = feed.url
    outcomes = await feeds.poll_due(harvester, now, args.url)
    if args.url and not outcomes:
        print(f"colbot: no followed feed is at {args.url}", file=sys.stderr)
        return 1
    for url, outcome in outcomes.items():
        print(f"{url}: {outcome}")
    return 1 if any(o.startswith("error:") for o in outcomes.values()) else 0
