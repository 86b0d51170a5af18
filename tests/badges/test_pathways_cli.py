"""`colbot pathways check` and `colbot pathways list`, run as the city team runs them."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from sqlalchemy import select, update

from colbot import app as colbot_app
from colbot.app import Colbot
from colbot.content.locations import badges_dir
from colbot.pathways import store
from colbot.storage.models import IssuedBadge, Partner
from tests.badges.test_pathway_badge import finish_game_maker
from tests.support.badge_flow import CliRun
from tests.support.demo import TEST_NOW


async def test_check_passes_the_shipped_pathways(serving_colbot: Colbot, run_cli: CliRun) -> None:
    code, output = await run_cli("pathways", "check")
    assert code == 0, output
    assert "8 pathways read; every step can be met" in output
    assert "warning" not in output


async def test_check_warns_of_a_step_nothing_in_the_catalogue_can_meet(
    serving_colbot: Colbot, run_cli: CliRun
) -> None:
    async with serving_colbot.database.transaction() as session:
        await session.execute(
            update(Partner).where(Partner.kind == "college").values(kind="further education")
        )
    code, output = await run_cli("pathways", "check")
    assert code == 0, output
    path = badges_dir() / "pathways" / "into-film.yaml"
    line = next(
        n for n, text in enumerate(path.read_text().splitlines(), 1) if "attend: college" in text
    )
    assert (
        f"warning: {path}:{line}: no opportunity in the catalogue can meet the step "
        "'Go to a session at Kensalfield College' of Into Film"
    ) in output
    assert "1 step no opportunity can meet yet" in output


async def test_check_refuses_a_bad_file_with_its_line(
    serving_colbot: Colbot, run_cli: CliRun, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    folder = tmp_path / "badges"
    shutil.copytree(badges_dir(), folder)
    broken = folder / "pathways" / "game-maker.yaml"
    broken.write_text(broken.read_text().replace("about: gaming", "about: knitting"))
    monkeypatch.setattr(colbot_app, "badges_dir", lambda: folder)
    code, output = await run_cli("pathways", "check")
    assert code == 2
    assert f"{broken}:" in output and "no passion 'knitting'" in output


async def test_list_counts_followers_steps_and_finishers(
    serving_colbot: Colbot, run_cli: CliRun
) -> None:
    city_badge, _ = await finish_game_maker(serving_colbot)
    async with serving_colbot.database.transaction() as session:
        sam = await session.scalar(
            select(IssuedBadge.young_person_id).where(IssuedBadge.id == city_badge.id)
        )
        assert sam is not None
        await store.follow(session, sam, "game-maker", TEST_NOW)
        await store.follow(session, sam, "into-film", TEST_NOW)
    code, output = await run_cli("pathways", "list")
    assert code == 0, output
    lines = output.splitlines()
    at = lines.index("Game Maker (game-maker): 1 following, 1 finished")
    assert lines[at + 1 : at + 4] == [
        "  1. Go to a coding session: 1 reached",
        "  2. Go to a gaming session: 1 reached",
        "  3. Go to a session with an employer, like Pixel Forge: 1 reached",
    ]
    assert "Into Film (into-film): 1 following, 0 finished" in lines
    assert "First Badge (first-badge): everyone, 1 finished" in lines
    assert "Outdoors and Active (outdoors-and-active): 0 following, 0 finished" in lines
