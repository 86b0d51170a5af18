"""`colbot report`: headline figures printed, every table written as CSV, small counts hidden."""

from __future__ import annotations

import asyncio
import csv
from pathlib import Path

import pytest

from colbot.app import build_app
from colbot.cli import main
from colbot.clock import FrozenClock
from colbot.settings import load_settings
from tests.support.dashboard import FORMULA_GROUPS, FORMULA_NAMES, GROUPS, NEUTRALISED
from tests.support.dashboard_seed import rename_partners, seed
from tests.support.demo import TEST_NOW, copy_demo


def test_report_prints_the_headline_and_writes_the_tables(
    demo_database: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    data_dir = tmp_path / "data"
    copy_demo(data_dir, demo_database)

    async def make() -> None:
        colbot = build_app(load_settings({}, data_dir=data_dir), clock=FrozenClock(TEST_NOW))
        await colbot.prepare()
        await seed(colbot.database, TEST_NOW, GROUPS)
        await colbot.database.dispose()

    asyncio.run(make())
    monkeypatch.setenv("COLBOT_DATA_DIR", str(data_dir))
    out = tmp_path / "csv"
    assert main(["report", "--from", "2026-09-01", "--to", "2026-11-28", "--csv", str(out)]) == 0
    printed = capsys.readouterr().out
    assert "Kensalfield City of Learning" in printed
    assert "1 September 2026 to 28 November 2026" in printed
    assert "Young people onboarded: 24" in printed
    assert "Badges issued: 17" in printed
    assert "Learning hours logged: 34.5 hours" in printed
    assert "From the most deprived areas: 58%" in printed
    written = sorted(p.name for p in out.iterdir())
    assert written == [
        "areas.csv",
        "deciles.csv",
        "demand-supply.csv",
        "funnel.csv",
        "hours-by-passion.csv",
        "partners.csv",
        "weekly.csv",
    ]
    assert "The Foundry Gallery,fewer than 5" in (out / "partners.csv").read_text()


def test_the_written_csvs_never_carry_a_formula(
    demo_database: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    data_dir = tmp_path / "data"
    copy_demo(data_dir, demo_database)

    async def make() -> None:
        colbot = build_app(load_settings({}, data_dir=data_dir), clock=FrozenClock(TEST_NOW))
        await colbot.prepare()
        await rename_partners(colbot.database, FORMULA_NAMES)
        await seed(colbot.database, TEST_NOW, FORMULA_GROUPS)
        await colbot.database.dispose()

    asyncio.run(make())
    monkeypatch.setenv("COLBOT_DATA_DIR", str(data_dir))
    out = tmp_path / "csv"
    assert main(["report", "--from", "2026-09-01", "--to", "2026-11-28", "--csv", str(out)]) == 0
    with (out / "partners.csv").open(newline="", encoding="utf-8") as written:
        rows = list(csv.reader(written))
    assert {row[0] for row in rows[1:]} == NEUTRALISED


def test_a_period_that_makes_no_sense_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("COLBOT_DATA_DIR", str(tmp_path))
    assert main(["report", "--from", "2026-11-28", "--to", "2026-11-01"]) == 2
    assert "on or after" in capsys.readouterr().err
