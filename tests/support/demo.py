"""The test clock's now, a copy of the migrated demo city for each test, and a free port."""

from __future__ import annotations

import shutil
import socket
from datetime import UTC, datetime
from pathlib import Path

from colbot.badges.issuers import KEYS_FOLDER
from tests.support import databases

# A Saturday morning in term time, so that "today" and "after school" both mean something.
TEST_NOW = datetime(2026, 11, 28, 9, 30, tzinfo=UTC)


def free_port() -> int:
    """A TCP port nobody is listening on right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def copy_demo(data_dir: Path, demo_database: Path) -> None:
    """Gives a test's colbot its own copy of the migrated demo city (on PostgreSQL, a clone).

    The copy holds the demo issuers' signing keys too, as any colbot that has run a while does;
    making RSA keys afresh for every test cost more than most tests.
    """
    data_dir.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(demo_database, data_dir / databases.DATABASE_FILE)
    shutil.copytree(demo_database.parent / KEYS_FOLDER, data_dir / KEYS_FOLDER, dirs_exist_ok=True)
