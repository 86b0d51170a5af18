"""The `colbot` command: serve, chat, demo, database, catalogue, partner and privacy tasks."""

from __future__ import annotations

import argparse
import asyncio
import getpass
import logging
import signal
import sys
from collections.abc import Sequence
from pathlib import Path

from colbot import log_redaction
from colbot.app import Colbot, StartError, build_app
from colbot.badges import cli as badges
from colbot.catalogue import cli as opportunities
from colbot.catalogue import store as catalogue
from colbot.channels.console import FILES_FOLDER, ConsoleChannel
from colbot.content.source import ContentError
from colbot.dashboard import cli as report
from colbot.dashboard import sign_in_cli as sign_in
from colbot.logs import JsonFormatter
from colbot.outreach import cli as broadcast
from colbot.partners import cli as partners
from colbot.pathways import cli as pathways
from colbot.privacy import cli as privacy
from colbot.runtime.loops import run_service
from colbot.runtime.status import describe, read_status
from colbot.settings import Settings, SettingsError, load_settings
from colbot.storage.backup import BackupError, backup, backup_name
from colbot.team import cli as admins

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
        "--files",
        type=Path,
        default=None,
        help="a folder to save pictures and files into (default: colbot-chat-files beside the "
        "database)",
    )
    chat.add_argument(
        "--as",
        dest="chat_id",
        default=None,
        help="who you are in the console channel (default: your login name)",
    )
    chat.add_argument("--name", default="", help="the first name colbot sees (default: none)")
    commands.add_parser("demo", help="load or refresh the demo city (Kensalfield)")
    commands.add_parser(
        "status", help="show the colbot processes alive, the jobs each holds and the queues"
    )
    db = commands.add_parser("db", help="database tasks")
    db_commands = db.add_subparsers(dest="db_command", required=True)
    db_commands.add_parser("upgrade", help="apply every pending migration")
    db_commands.add_parser("status", help="show the migration the database is at")
    db_backup = db_commands.add_parser(
        "backup", help="write a consistent copy of the database to FILE, even while serving"
    )
    db_backup.add_argument(
        "file",
        type=Path,
        nargs="?",
        help="where to write it (must not exist yet); without it, a dated file in the backup "
        "folder (COLBOT_BACKUP_DIR), which the retention job prunes",
    )
    opportunities.add_parser(commands)
    partners.add_parser(commands)
    broadcast.add_parser(commands)
    badges.add_parser(commands)
    report.add_parser(commands)
    admins.add_parser(commands)
    pathways.add_parser(commands)
    sign_in.add_parser(commands)
    privacy.add_parser(commands)
    return parser


async def _serve(colbot: Colbot) -> None:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stop.set)
    try:
        await colbot.start()
    except StartError:
        await colbot.stop()
        raise
    try:
        await stop.wait()
        log.info("stopping: finishing the updates in hand")
    finally:
        await colbot.stop()
    log.info("stopped cleanly")


async def _chat(colbot: Colbot, chat_id: str, first_name: str, files: Path | None) -> None:
    await colbot.prepare()
    if sys.stdin.isatty():
        print(
            f"You're chatting with colbot ({colbot.city.name}). Type /start to begin, "
            "a number to pick a choice, and /quit to leave.\n"
        )
    try:
        folder = files or colbot.settings.data_dir / FILES_FOLDER
        await ConsoleChannel(colbot.engine, chat_id, first_name, files=folder).run()
    finally:
        await colbot.database.dispose()


async def _demo(colbot: Colbot) -> None:
    await colbot.prepare()
    async with colbot.database.transaction() as session:
        partners, opportunities = await catalogue.counts(session)
    await colbot.database.dispose()
    city = colbot.city.name
    print(f"Demo city {city} is ready: {partners} partners, {opportunities} opportunities.")


async def _status(colbot: Colbot) -> None:
    try:
        now = colbot.clock.now()
        for line in describe(await read_status(colbot.database, now), now):
            print(line)
    finally:
        await colbot.database.dispose()


async def _db(colbot: Colbot, task: str, file: Path | None = None) -> None:
    try:
        if task == "backup":
            if file is None:
                folder = colbot.settings.resolved_backup_dir
                folder.mkdir(parents=True, exist_ok=True)
                file = folder / backup_name(colbot.database.url, colbot.clock.now())
            made = await asyncio.to_thread(backup, colbot.database.url, file)
            print(f"Backed up the database to {file} ({made}).")
            print(f"Back up the signing keys too: {colbot.settings.data_dir / 'keys'}")
        elif task == "upgrade":
            await colbot.database.upgrade()
            print(f"Database is up to date (revision {await colbot.database.current_revision()}).")
        else:
            current = await colbot.database.current_revision()
            head = colbot.database.head_revision()
            state = "up to date" if current == head else f"behind (code is at {head})"
            print(f"Database revision: {current or 'none'}, {state}.")
    finally:
        await colbot.database.dispose()


# Loggers that say something on every request or job; kept to warnings unless colbot is.
QUIETENED_LOGGERS = ("httpx", "apscheduler", "telegram.ext.Application", "aiohttp.access")


def _configure_logging(settings: Settings) -> None:
    logging.basicConfig(
        level=settings.log_level, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    if settings.log_format == "json":
        for handler in logging.getLogger().handlers:
            handler.setFormatter(JsonFormatter())
    log_redaction.install()
    for noisy in QUIETENED_LOGGERS:
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
        try:
            run_service(_serve(colbot), settings.event_loop)
        except StartError as exc:
            print(f"colbot: {exc}", file=sys.stderr)
            return 1
    elif args.command == "chat":
        logging.getLogger().setLevel(logging.WARNING)
        chat_id = args.chat_id or getpass.getuser()
        asyncio.run(_chat(colbot, chat_id, args.name, args.files))
    elif args.command == "demo":
        asyncio.run(_demo(colbot))
    elif args.command == "status":
        asyncio.run(_status(colbot))
    elif args.command == "db":
        try:
            asyncio.run(_db(colbot, args.db_command, getattr(args, "file", None)))
        except BackupError as exc:
            print(f"colbot: {exc}", file=sys.stderr)
            return 1
    elif args.command == "opportunities":
        return asyncio.run(opportunities.run(colbot, args))
    elif args.command == "partners":
        return asyncio.run(partners.run(colbot, args))
    elif args.command == "broadcast":
        return asyncio.run(broadcast.run(colbot, args))
    elif args.command == "pathways":
        return asyncio.run(pathways.run(colbot, args))
    elif args.command in ("badges", "keys"):
        return asyncio.run(badges.run(colbot, args))
    elif args.command == "report":
        return asyncio.run(report.run(colbot, args))
    elif args.command == "admins":
        return asyncio.run(admins.run(colbot, args))
    elif args.command == "dashboard":
        return asyncio.run(sign_in.run(colbot, args))
    elif args.command == "privacy":
        return asyncio.run(privacy.run(colbot, args))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
