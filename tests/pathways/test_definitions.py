"""Pathway files load, and every mistake in one is refused with its file and line."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from colbot.badges.classes import load_classes
from colbot.content.locations import badges_dir, conversations_dir
from colbot.content.passions import load_passions
from colbot.content.source import ContentError
from colbot.pathways.definitions import load_pathways

PASSIONS = [p.id for p in load_passions(conversations_dir() / "en" / "passions.yaml")]

GOOD = """id: into-film
name: Into Film
description: Make a short film and see where film could take you.
passions: [film, drama]
min_age: 13
max_age: 19
badge: into-film
steps:
  - name: Try a film session
    about: film
  - name: Put in 6 learning hours
    hours: 6
  - name: Try 2 of these 3
    any: 2
    of:
      - name: A drama session
        about: drama
      - name: A writing session
        about: writing
      - name: A coding session
        about: coding
  - name: A taster day at college
    attend: college
    into: education
"""

CITY_BADGE = """id: into-film
name: Into Film
description: Finished the Into Film pathway.
criteria: Finished every step of the Into Film pathway.
artwork: film.svg
city: true
"""


def _folder(tmp_path: Path, body: str = GOOD, name: str = "into-film") -> Path:
    """A badges/ folder with the real classes and artwork, one city badge and one pathway."""
    folder = tmp_path / "badges"
    shutil.copytree(badges_dir() / "classes", folder / "classes")
    shutil.copytree(badges_dir() / "artwork", folder / "artwork")
    shutil.copytree(badges_dir() / "pathways", folder / "pathways")
    (folder / "classes" / "into-film.yaml").write_text(CITY_BADGE)
    (folder / "pathways" / f"{name}.yaml").write_text(body)
    return folder


def _load(folder: Path) -> object:
    return load_pathways(folder, load_classes(folder, PASSIONS), PASSIONS)


def test_the_shipped_pathways_load_and_the_milestones_are_among_them() -> None:
    pathways = load_pathways(badges_dir(), load_classes(badges_dir(), PASSIONS), PASSIONS)
    everyone = {p.id: p for p in pathways.for_everyone()}
    assert set(everyone) >= {"first-badge", "ten-hours", "fifty-hours", "three-passions"}
    (step,) = everyone["three-passions"].steps
    assert (step.options[0].kind, step.options[0].count, step.options[0].sessions) == (
        "passions",
        3,
        2,
    )
    classes = load_classes(badges_dir(), PASSIONS)
    assert {c.id for c in classes.city_badges()} == {p.badge for p in pathways}


def test_a_good_pathway_reads_into_its_steps(tmp_path: Path) -> None:
    pathways = load_pathways(folder := _folder(tmp_path), load_classes(folder, PASSIONS), PASSIONS)
    film = pathways.get("into-film")
    assert film is not None and not film.everyone and not film.in_order
    assert [s.name for s in film.steps] == [
        "Try a film session",
        "Put in 6 learning hours",
        "Try 2 of these 3",
        "A taster day at college",
    ]
    choice = film.steps[2]
    assert choice.is_choice and choice.need == 2 and len(choice.options) == 3
    assert film.steps[-1].into == "education"
    assert film.fits(["film"], 15) and not film.fits(["film"], 12) and not film.fits(["sport"], 15)


@pytest.mark.parametrize(
    ("change", "line", "words"),
    [
        (("badge: into-film", "badge: nowhere"), 7, "no badge class 'nowhere'"),
        (("badge: into-film", "badge: film"), 7, "should say 'city: true'"),
        (("    about: film\n", "    badge: no-such-badge\n"), 10, "no badge class 'no-such-badge'"),
        (("    about: film\n", "    about: knitting\n"), 10, "no passion 'knitting'"),
        (("    any: 2\n", "    any: 4\n"), 14, "from 1 to 3"),
        (("    any: 2\n", "    any: 0\n"), 14, "from 1 to 3"),
        (("    hours: 6\n", "    hours: 0\n"), 12, "'hours' should be a whole number"),
        (("    hours: 6\n", "    passions: 99\n"), 12, "'passions' should be a whole number"),
        (("    hours: 6\n", "    badges: 2\n    sessions: 3\n"), 13, "cannot come from 3"),
        (("    about: film\n", "    about: film\n    into: work\n"), 11, "only the last step"),
        (("    into: education\n", "    into: space\n"), 24, "'into' should be"),
        (("    about: film\n", "    about: film\n    hours: 2\n"), 9, "should say one of"),
        (("  - name: Try a film session\n", "  - title: Try\n"), 9, "unknown key 'title'"),
        (("max_age: 19", "max_age: 12"), 6, "below min_age"),
        (("passions: [film, drama]\n", ""), 1, "say which passions it fits"),
        (("id: into-film", "id: film-journey"), 1, "should match the file name"),
        (("name: Into Film\n", "name: Into Film\ncolour: red\n"), 3, "unknown key 'colour'"),
        (("    of:\n", "    from:\n"), 15, "unknown key 'from'"),
    ],
)
def test_mistakes_name_file_and_line(
    tmp_path: Path, change: tuple[str, str], line: int, words: str
) -> None:
    assert change[0] in GOOD
    folder = _folder(tmp_path, GOOD.replace(*change))
    with pytest.raises(ContentError) as raised:
        _load(folder)
    path = folder / "pathways" / "into-film.yaml"
    assert str(raised.value).startswith(f"{path}:{line}:"), raised.value
    assert words in str(raised.value)


def test_pathways_that_need_each_others_badges_are_refused_as_a_circle(tmp_path: Path) -> None:
    folder = _folder(tmp_path, GOOD.replace("    about: film\n", "    badge: into-drama\n"))
    (folder / "classes" / "into-drama.yaml").write_text(
        CITY_BADGE.replace("into-film", "into-drama").replace("Film", "Drama")
    )
    drama = GOOD.replace("into-film", "into-drama").replace(
        "    about: film\n", "    badge: into-film\n"
    )
    (folder / "pathways" / "into-drama.yaml").write_text(drama)
    with pytest.raises(ContentError, match="in a circle") as raised:
        _load(folder)
    assert "into-drama -> into-film -> into-drama" in str(raised.value)


def test_a_pathway_may_not_need_its_own_badge(tmp_path: Path) -> None:
    folder = _folder(tmp_path, GOOD.replace("    about: film\n", "    badge: into-film\n"))
    with pytest.raises(ContentError, match="into-film -> into-film"):
        _load(folder)


def test_a_pathway_may_build_on_another_ones_badge(tmp_path: Path) -> None:
    folder = _folder(tmp_path, GOOD.replace("    about: film\n", "    badge: first-badge\n"))
    assert _load(folder) is not None


def test_two_pathways_cannot_end_in_one_city_badge(tmp_path: Path) -> None:
    folder = _folder(tmp_path)
    (folder / "pathways" / "film-again.yaml").write_text(
        GOOD.replace("id: into-film", "id: film-again")
    )
    with pytest.raises(ContentError, match="already ends"):
        _load(folder)


def test_a_city_badge_no_pathway_ends_in_is_refused(tmp_path: Path) -> None:
    folder = _folder(tmp_path)
    (folder / "pathways" / "into-film.yaml").unlink()
    with pytest.raises(ContentError, match="'into-film' ends no pathway"):
        _load(folder)


def test_a_yaml_mistake_names_its_line(tmp_path: Path) -> None:
    folder = _folder(tmp_path, GOOD.replace("  - name: Try a film session", "  - name: [Try"))
    with pytest.raises(ContentError, match=r"into-film.yaml:\d+:"):
        _load(folder)
