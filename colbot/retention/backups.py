"""Pruning the backups `colbot db backup` wrote into the backup folder, to a count and an age."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

from colbot.storage.backup import made_at


def prune(folder: Path, now: datetime, max_age: timedelta, keep: int, dry_run: bool) -> int:
    """Deletes backups older than `max_age` and all but the newest `keep`; returns how many."""
    if not folder.is_dir():
        return 0
    dated = sorted(
        ((made, path) for path in folder.iterdir() if (made := made_at(path)) is not None),
        reverse=True,
    )
    doomed = [path for i, (made, path) in enumerate(dated) if i >= keep or made < now - max_age]
    if not dry_run:
        for path in doomed:
            path.unlink(missing_ok=True)
    return len(doomed)
