"""`colbot broadcast`: an announcement with a preview, a count, a confirmation and progress."""

from __future__ import annotations

import argparse
import asyncio
import logging
import secrets
import sys
from typing import TYPE_CHECKING, Any, TextIO

from colbot.outreach import broadcasts

if TYPE_CHECKING:
    from colbot.app import Colbot

PROGRESS_INTERVAL_S = 1.0
STALLED_HINT_S = 15.0


def add_parser(commands: argparse._SubParsersAction[Any]) -> None:
    """Adds `colbot broadcast [--passion ID]... [--area ID]... [--yes] MESSAGE`."""
    parser = commands.add_parser(
        "broadcast",
        help="send an announcement to every onboarded young person, or those with given "
        "passions or areas",
    )
    parser.add_argument("message", help="what to send, as young people will see it")
    parser.add_argument(
        "--passion", action="append", default=[], help="only those with this passion (repeatable)"
    )
    parser.add_argument(
        "--area", action="append", default=[], help="only those in this area (repeatable)"
    )
    parser.add_argument(
        "--safety",
        action="store_true",
        help="a safety message: also to those who said no to messages from colbot",
    )
    parser.add_argument("--yes", action="store_true", help="confirm without asking")
    parser.add_argument(
        "--no-wait", action="store_true", help="queue it and return without waiting for progress"
    )


def _confirmed(out: TextIO, count: int) -> bool:
    out.write(f"Send it to {count} young people? [y/N] ")
    out.flush()
    answer = sys.stdin.readline().strip().lower()
    return answer in {"y", "yes"}


async def run(colbot: Colbot, args: argparse.Namespace, out: TextIO = sys.stdout) -> int:
    """Previews, confirms, queues, then follows the broadcast to a summary."""
    logging.getLogger().setLevel(logging.WARNING)
    try:
        await colbot.database.upgrade()
        audience = broadcasts.Audience(tuple(args.passion), tuple(args.area), args.safety)
        text = args.message.strip()
        if not text:
            print("colbot: the message is empty", file=sys.stderr)
            return 2
        async with colbot.database.reading() as session:
            count = await broadcasts.count_recipients(session, audience)
        preview = colbot.content.render("broadcast.preview", message=text, recipients=count)
        out.write(f"{preview}\n(To: {broadcasts.describe(audience)}.)\n")
        if count == 0:
            out.write("Nobody to send it to, so nothing was sent.\n")
            return 1
        if not args.yes and not _confirmed(out, count):
            out.write("Not sent.\n")
            return 1
        now = colbot.clock.now()
        batch = f"cli-{now:%Y%m%dT%H%M%S}-{secrets.token_hex(4)}"
        async with colbot.database.transaction() as session:
            queued = await broadcasts.queue(
                session, batch, text, audience, now, colbot.settings.quiet_hours
            )
        out.write(f"Queued {queued} messages (broadcast {batch}); colbot serve sends them.\n")
        if args.no_wait:
            return 0
        return await _follow(colbot, batch, out)
    finally:
        await colbot.database.dispose()


async def _follow(colbot: Colbot, batch: str, out: TextIO) -> int:
    """Prints progress until every message has an outcome or only quiet-hour holds remain."""
    loop = asyncio.get_running_loop()
    last_settled, last_change = -1, loop.time()
    while True:
        async with colbot.database.reading() as session:
            now = await broadcasts.progress(session, batch)
        if now.settled != last_settled:
            last_settled, last_change = now.settled, loop.time()
            out.write(
                f"  {now.settled}/{now.total}: sent {now.sent}, held for quiet hours "
                f"{now.deferred}, unreachable {now.unreachable}\n"
            )
            out.flush()
        waiting_for_morning = now.settled + now.deferred >= now.total
        if now.done or (waiting_for_morning and now.deferred):
            break
        if loop.time() - last_change > STALLED_HINT_S:
            out.write("  Nothing has been sent for a while: is `colbot serve` running?\n")
            last_change = loop.time()
        await asyncio.sleep(PROGRESS_INTERVAL_S)
    summary = colbot.content.render(
        "broadcast.sent", sent=now.sent, deferred=now.deferred, unreachable=now.unreachable
    )
    out.write(f"Done. {summary}\n")
    return 0
