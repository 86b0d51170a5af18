"""`colbot db backup FILE`, and the restore the README describes, on either database."""

from __future__ import annotations

import asyncio
import shutil
import subprocess
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.engine import make_url

from colbot.app import Colbot, build_app
from colbot.clock import FrozenClock
from colbot.settings import Settings
from colbot.storage.backup import BackupError, backup
from colbot.storage.models import Opportunity, Partner
from tests.support import databases


async def _counts(app: Colbot) -> tuple[int, int]:
    async with app.database.reading() as session:
        partners = await session.scalar(select(func.count()).select_from(Partner))
        opportunities = await session.scalar(select(func.count()).select_from(Opportunity))
    return partners or 0, opportunities or 0


async def test_a_backup_restores_to_the_same_data(
    colbot: Colbot, settings: Settings, clock: FrozenClock, tmp_path: Path
) -> None:
    before = await _counts(colbot)
    assert before[0] > 0
    target = tmp_path / "colbot.backup"
    made = await asyncio.to_thread(backup, colbot.database.url, target)
    assert target.stat().st_size > 0
    with pytest.raises(BackupError, match="already exists"):
        backup(colbot.database.url, target)

    restored_dir = tmp_path / "restored"
    restored_dir.mkdir()
    if databases.ON_POSTGRES:
        assert made.startswith("pg_dump")
        url = databases.database_url_for(restored_dir)
        assert url is not None
        libpq = make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)
        pg_restore = shutil.which("pg_restore")
        assert pg_restore is not None
        subprocess.run(
            [pg_restore, "--no-owner", f"--dbname={libpq}", str(target)],
            check=True,
            capture_output=True,
        )
    else:  # the README's restore: the backup file becomes colbot.sqlite3 while colbot is stopped
        assert made.startswith("SQLite")
        shutil.copyfile(target, restored_dir / "colbot.sqlite3")
    restored = build_app(
        Settings(data_dir=restored_dir, port=settings.port, public_url=settings.public_url),
        clock=clock,
    )
    assert await restored.database.is_current()
    assert await _counts(restored) == before
    await restored.database.dispose()


async def test_without_a_file_the_backup_is_dated_in_the_backup_folder(
    colbot: Colbot, clock: FrozenClock, capsys: pytest.CaptureFixture[str]
) -> None:
    from colbot.cli import _db
    from colbot.storage.backup import made_at

    if databases.ON_POSTGRES and shutil.which("pg_dump") is None:
        pytest.skip("pg_dump is not installed")  # the SQLite run covers the naming
    await _db(colbot, "backup")
    (made,) = colbot.settings.resolved_backup_dir.iterdir()
    assert made_at(made) == clock.now().replace(microsecond=0)
    assert str(made) in capsys.readouterr().out
