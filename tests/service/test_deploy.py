"""deploy/ as shipped: the settings file loads, the systemd units verify, backups restore.

deploy/Caddyfile is run by tests/service/test_rolling_restart.py.
"""

from __future__ import annotations

import asyncio
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from colbot.settings import SETTING_NAMES, load_settings
from tests.support import databases
from tests.support.process import colbot_env, start_colbot

DEPLOY = Path(__file__).parents[2] / "deploy"


def test_the_example_settings_file_names_only_real_settings_and_loads() -> None:
    pairs = [
        line.split("=", 1)
        for line in (DEPLOY / "colbot.env.example").read_text().splitlines()
        if line and not line.startswith("#")
    ]
    assert {name for name, _ in pairs} <= set(SETTING_NAMES)
    settings = load_settings(dict(pairs))
    assert settings.trusted_proxies and settings.public_url.startswith("https://")


@pytest.mark.skipif(shutil.which("systemd-analyze") is None, reason="needs systemd-analyze")
def test_the_systemd_units_verify(tmp_path: Path) -> None:
    colbot = Path(sys.executable).with_name("colbot")
    for unit in (DEPLOY / "systemd").iterdir():
        text = unit.read_text().replace("/opt/colbot/.venv/bin/colbot", str(colbot))
        text = text.replace("/opt/colbot/deploy", str(DEPLOY))
        (tmp_path / unit.name).write_text(text)
    (tmp_path / "colbot@8081.service").symlink_to(tmp_path / "colbot@.service")
    names = ["colbot@8081.service", "colbot-backup.service", "colbot-backup.timer"]
    verified = subprocess.run(
        ["systemd-analyze", "verify", *(str(tmp_path / name) for name in names)],
        capture_output=True,
        text=True,
        check=False,
    )
    problems = [line for line in verified.stderr.splitlines() if "colbot" in line]
    assert verified.returncode == 0 and not problems, verified.stderr


@pytest.mark.skipif(not databases.ON_POSTGRES, reason="pg_dump backs up PostgreSQL")
async def test_the_backup_script_writes_a_dump_pg_restore_reads(tmp_path: Path) -> None:
    env = colbot_env(tmp_path / "data", {"COLBOT_BACKUP_DIR": str(tmp_path / "backups")})
    upgrade = await start_colbot("db", "upgrade", env=env)
    await asyncio.wait_for(upgrade.communicate(), 60)
    backup = await asyncio.create_subprocess_exec(
        str(DEPLOY / "backup.sh"),
        env=env,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    out, err = await asyncio.wait_for(backup.communicate(), 60)
    assert backup.returncode == 0, err.decode()
    dumps = list((tmp_path / "backups").glob("colbot-*.dump"))
    assert len(dumps) == 1 and str(dumps[0]) in out.decode()
    listed = subprocess.run(
        ["pg_restore", "--list", str(dumps[0])], capture_output=True, text=True, check=True
    )
    assert "webchat_messages" in listed.stdout and "alembic_version" in listed.stdout
