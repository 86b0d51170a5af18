"""`colbot privacy purge [--dry-run]`: the retention job now, or what its next run would remove."""

from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING, Any, TextIO

if TYPE_CHECKING:
    from colbot.app import Colbot

# How each kind a run counts is said on the command line.
LABELS = {
    "profiles_warned": "quiet profiles told they will be deleted",
    "profiles_erased": "quiet profiles erased",
    "outbox_messages": "delivered outbox messages",
    "webchat_messages": "web chat messages",
    "webchat_files": "web chat pictures and files",
    "sign_in_links": "sign-in links, sessions and invites",
    "personal_links": "wallet and move-chat links",
    "audit_records": "audit records pseudonymised",
    "backups": "backups",
}


def add_purge_parser(privacy: argparse._SubParsersAction[Any]) -> None:
    """Adds `purge [--dry-run]` under `colbot privacy`."""
    purge = privacy.add_parser(
        "purge", help="run the retention job now: warn, erase and delete what is past its period"
    )
    purge.add_argument(
        "--dry-run", action="store_true", help="only say what the next run would remove"
    )


async def run(colbot: Colbot, args: argparse.Namespace, out: TextIO | None = None) -> int:
    """Runs (or dry-runs) the retention job once and prints a count per kind."""
    out = out or sys.stdout
    try:
        await colbot.database.upgrade()
        counts = await colbot.retention().run(colbot.clock.now(), dry_run=args.dry_run)
    finally:
        await colbot.database.dispose()
    out.write("The next run would remove:\n" if args.dry_run else "Removed in this run:\n")
    for kind, count in counts.items():
        out.write(f"  {LABELS[kind]}: {count}\n")
    return 0
