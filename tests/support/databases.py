"""Which database the tests run on: SQLite files by default, PostgreSQL when a server is named.

With COLBOT_TEST_DATABASE_URL set (a `postgresql+asyncpg://` URL of a server the tests may create
databases on, as `.ci/postgres start` prints), every colbot the tests build gets a database of its
own on that server instead of `colbot.sqlite3` in its data directory. The demo template is
migrated and seeded once per test process; a test that copies it into a data directory gets
`CREATE DATABASE ... TEMPLATE` of it, one that does not gets an empty database, and each test's
databases are dropped when it ends. The data directory stays the key, so a colbot restarted on the
same directory, or a `colbot` subprocess given it, finds the same database.
"""

from __future__ import annotations

import os
import secrets
import subprocess
from pathlib import Path

import pytest
from sqlalchemy.engine import make_url

TEST_DATABASE_URL = os.environ.get("COLBOT_TEST_DATABASE_URL", "").strip() or None
ON_POSTGRES = TEST_DATABASE_URL is not None
# Tests of several `colbot serve` processes: they share a PostgreSQL database, so run only there.
SEVERAL_PROCESSES = [
    pytest.mark.e2e,
    pytest.mark.skipif(
        not ON_POSTGRES, reason="several processes share a PostgreSQL database only"
    ),
]
SQLITE_ONLY_REASON = "about SQLite's own file; PostgreSQL has its own test"
# What a copied demo "file" holds on PostgreSQL: the name of the template database to clone.
TEMPLATE_MARK = b"colbot-test-template:"
DATABASE_FILE = "colbot.sqlite3"


class PostgresServer:
    """Creates and drops the tests' databases on one PostgreSQL server, through psql."""

    def __init__(self, url: str) -> None:
        self.url = make_url(url)
        if self.url.get_backend_name() != "postgresql":
            raise ValueError(f"COLBOT_TEST_DATABASE_URL must be PostgreSQL, not {url!r}")
        self.prefix = f"t{os.getpid()}_{secrets.token_hex(3)}"
        self.by_folder: dict[Path, str] = {}
        self.created: list[str] = []
        self._count = 0

    def database_url(self, name: str) -> str:
        """The SQLAlchemy URL of one database on the server."""
        return self.url.set(database=name).render_as_string(hide_password=False)

    def psql(self, sql: str) -> None:
        """Runs one statement as the server's admin connection."""
        admin = self.url.set(drivername="postgresql").render_as_string(hide_password=False)
        subprocess.run(
            ["psql", "--no-psqlrc", "--quiet", "-v", "ON_ERROR_STOP=1", admin, "-c", sql],
            check=True,
            capture_output=True,
        )

    def create(self, template: str | None = None, name: str | None = None) -> str:
        """A new database, empty or a copy of the template; returns its name."""
        if name is None:
            self._count += 1
            name = f"{self.prefix}_{self._count}"
        clone = f" TEMPLATE {template} STRATEGY FILE_COPY" if template else ""
        self.psql(f"CREATE DATABASE {name}{clone}")
        self.created.append(name)
        return name

    def for_folder(self, data_dir: Path) -> str:
        """The URL of the database standing for a data directory's colbot.sqlite3."""
        folder = data_dir.resolve()
        if folder not in self.by_folder:
            marked = folder / DATABASE_FILE
            template = None
            if marked.is_file() and marked.read_bytes().startswith(TEMPLATE_MARK):
                template = marked.read_bytes()[len(TEMPLATE_MARK) :].decode()
            self.by_folder[folder] = self.create(template)
        return self.database_url(self.by_folder[folder])

    def drop_test_databases(self, keep: set[str]) -> None:
        """Drops every database made since the last call, except the templates."""
        for name in self.created:
            if name not in keep:
                self.psql(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        self.created = [name for name in self.created if name in keep]
        self.by_folder = {folder: name for folder, name in self.by_folder.items() if name in keep}


_server: PostgresServer | None = None


def server() -> PostgresServer:
    """The one PostgreSQL server of this test process."""
    global _server
    if _server is None:
        assert TEST_DATABASE_URL is not None, "COLBOT_TEST_DATABASE_URL is not set"
        _server = PostgresServer(TEST_DATABASE_URL)
    return _server


def database_url_for(data_dir: Path) -> str | None:
    """The database a colbot on this data directory uses in the tests (None: its SQLite file)."""
    return server().for_folder(data_dir) if ON_POSTGRES else None
