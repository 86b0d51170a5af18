"""A consistent copy of a running colbot's database: SQLite's online backup, or pg_dump."""

from __future__ import annotations

import os
import re
import shutil
import sqlite3
import subprocess
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy.engine import make_url

PAGES_PER_STEP = 1024  # copy a few MB at a time, letting writers in between


# Backups written without a file name, into the backup folder; only these are ever pruned.
NAME = re.compile(r"colbot-(\d{8}T\d{6}Z)\.(sqlite3|pgdump)")
STAMP = "%Y%m%dT%H%M%SZ"


def backup_name(url: str, now: datetime) -> str:
    """The file name of a backup made now: colbot-20261206T211500Z.sqlite3 (or .pgdump)."""
    suffix = "pgdump" if make_url(url).get_backend_name() == "postgresql" else "sqlite3"
    return f"colbot-{now.astimezone(UTC):{STAMP}}.{suffix}"


def made_at(path: Path) -> datetime | None:
    """When a backup named by `backup_name` was made; None for any other file."""
    match = NAME.fullmatch(path.name)
    if match is None:
        return None
    return datetime.strptime(match[1], STAMP).replace(tzinfo=UTC)


class BackupError(RuntimeError):
    """The backup could not be made; the message says why in one line."""


def backup(url: str, target: Path) -> str:
    """Writes a backup of the database at `url` to `target`; returns how it was made."""
    if target.exists():
        raise BackupError(f"{target} already exists; choose a new file name")
    if not target.parent.is_dir():
        raise BackupError(
            f"the folder {target.parent} does not exist; make it first "
            f"(mkdir -p {target.parent}) or choose a file in a folder that does"
        )
    parsed = make_url(url)
    backend = parsed.get_backend_name()
    if backend == "sqlite":
        if not parsed.database or parsed.database == ":memory:":
            raise BackupError("an in-memory SQLite database has nothing to back up")
        source = Path(parsed.database)
        if not source.exists():
            raise BackupError(f"there is no database at {source}")
        _sqlite_backup(source, target)
        return "SQLite online backup"
    if backend == "postgresql":
        _pg_dump(url, target)
        return "pg_dump, custom format (restore with pg_restore)"
    raise BackupError(f"colbot cannot back up a {backend} database")


def _sqlite_backup(source: Path, target: Path) -> None:
    reader = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
    try:
        writer = sqlite3.connect(target)
    except sqlite3.OperationalError as exc:
        reader.close()
        raise BackupError(
            f"cannot write {target} ({exc}); check the folder can be written to"
        ) from exc
    try:
        with writer:
            reader.backup(writer, pages=PAGES_PER_STEP)
    finally:
        writer.close()
        reader.close()


def _pg_dump(url: str, target: Path) -> None:
    program = shutil.which("pg_dump")
    if program is None:
        raise BackupError("pg_dump is not installed (Debian: apt-get install postgresql-client)")
    parsed = make_url(url)
    libpq = parsed.set(drivername="postgresql", password=None).render_as_string()
    env = dict(os.environ)
    if parsed.password:
        env["PGPASSWORD"] = str(parsed.password)
    done = subprocess.run(  # noqa: S603 - fixed program, arguments are not shell-parsed
        [program, "--format=custom", "--no-owner", f"--file={target}", f"--dbname={libpq}"],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        target.unlink(missing_ok=True)
        raise BackupError(f"pg_dump failed: {done.stderr.strip().splitlines()[-1:]}")
