"""The `colbot` command: serve, chat, demo and database tasks."""

from __future__ import annotations

import argparse
import asyncio
import getpass
import logging
import signal
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from colbot.app import Colbot, build_app
from colbot.channels.console import ConsoleChannel
from colbot.content.source import ContentError
from colbot.services import catalogue
from colbot.settings import Settings, SettingsError, load_settings

log = logging.getLogger("colbot")


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="colbot", description="The City of Learning chat-bot.")
    commands = parser.add_subparsers(dest="command", required=True)
    serve = commands.add_parser(
        "serve", help="run the web server, the Telegram channel and the scheduler"
    )
    serve.add_argument("--demo", action="store_true", help="load the demo city (Kensalfield) first")
    chat = commands.add_parser("chat", help="chat with colbot in this terminal (or through a pipe)")
    chat.add_argument("--demo", action="store_true", help="load the demo city (Kensalfield) first")
    chat.add_argument(
        "--as",
        dest="chat_id",
        default=None,
        help="who you are in the console channel (default: your login name)",
    )
    chat.add_argument("--name", default="", help="the first name colbot sees (default: none)")
    commands.add_parser("demo", help="load or refresh the demo city (Kensalfield)")
    db = commands.add_parser("db", help="database tasks")
    db_commands = db.add_subparsers(dest="db_command", required=True)
    db_commands.add_parser("upgrade", help="apply every pending migration")
    db_commands.add_parser("status", help="show the migration the database is at")
    _add_opportunities_parser(commands)
    return parser


def _add_opportunities_parser(commands: argparse._SubParsersAction[Any]) -> None:
    opportunities = commands.add_parser("opportunities", help="import or list the catalogue")
    tasks = opportunities.add_subparsers(dest="opportunities_command", required=True)
    load = tasks.add_parser(
        "import",
        help="import opportunities from a CSV, OpenActive (.json) or iCalendar (.ics) file",
    )
    load.add_argument("file", type=Path, help="the file; a file with any problem is refused whole")
    listing = tasks.add_parser("list", help="show the catalogue, upcoming first")
    listing.add_argument("--all", action="store_true", help="include past opportunities")


async def _opportunities(colbot: Colbot, args: argparse.Namespace) -> int:
    from colbot.city import load_passions
    from colbot.content.locations import conversations_dir
    from colbot.importers import ImportRefused
    from colbot.services.imports import format_catalogue, import_file, list_catalogue

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


async def _serve(colbot: Colbot) -> None:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stop.set)
    await colbot.start()
    try:
        await stop.wait()
        log.info("stopping: finishing the updates in hand")
    finally:
        await colbot.stop()
    log.info("stopped cleanly")


async def _chat(colbot: Colbot, chat_id: str, first_name: str) -> None:
    await colbot.prepare()
    if sys.stdin.isatty():
        print(
            f"You're chatting with colbot ({colbot.city.name}). Type /start to begin, "
            "a number to pick a choice, and /quit to leave.\n"
        )
    try:
        await ConsoleChannel(colbot.engine, chat_id, first_name).run()
    finally:
        await colbot.database.dispose()


async def _demo(colbot: Colbot) -> None:
    await colbot.prepare()
    async with colbot.database.transaction() as session:
        partners, opportunities = await catalogue.counts(session)
    await colbot.database.dispose()
    city = colbot.city.name
    print(f"Demo city {city} is ready: {partners} partners, {opportunities} opportunities.")


async def _db(colbot: Colbot, task: str) -> None:
    try:
        if task == "upgrade":
            await colbot.database.upgrade()
            print(f"Database is up to date (revision {await colbot.database.current_revision()}).")
        else:
            current = await colbot.database.current_revision()
            head = colbot.database.head_revision()
            state = "up to date" if current == head else f"behind (code is at {head})"
            print(f"Database revision: {current or 'none'}, {state}.")
    finally:
        await colbot.database.dispose()


def _configure_logging(settings: Settings) -> None:
    logging.basicConfig(
        level=settings.log_level, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    for noisy in ("httpx", "apscheduler", "telegram.ext.Application", "aiohttp.access"):
        logging.getLogger(noisy).setLevel(max(logging.WARNING, logging.getLogger().level))


def main(argv: Sequence[str] | None = None) -> int:
    """Runs one colbot command; a bad setting or content file stops it with one clear line."""
    args = _parser().parse_args(argv)
    try:
        settings = load_settings()
        _configure_logging(settings)
        demo = args.command == "demo" or getattr(args, "demo", False)
        colbot = build_app(settings, demo=demo)
    except (SettingsError, ContentError) as exc:
        print(f"colbot: {exc}", file=sys.stderr)
        return 2
    if args.command == "serve":
        asyncio.run(_serve(colbot))
    elif args.command == "chat":
        logging.getLogger().setLevel(logging.WARNING)
        chat_id = args.chat_id or getpass.getuser()
        asyncio.run(_chat(colbot, chat_id, args.name))
    elif args.command == "demo":
        asyncio.run(_demo(colbot))
    elif args.command == "db":
        asyncio.run(_db(colbot, args.db_command))
    elif args.command == "opportunities":
        return asyncio.run(_opportunities(colbot, args))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
