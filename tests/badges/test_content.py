"""Every file in badges/ loads and renders; mistakes in a badge class name the file and line."""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest
from PIL import Image

from colbot.badges.artwork import parse, render_png
from colbot.badges.classes import load_classes
from colbot.content.locations import badges_dir, conversations_dir
from colbot.content.passions import load_passions
from colbot.content.source import ContentError
from colbot.openbadges.baking import bake_svg_credential, unbake
from colbot.pathways.definitions import MEASURE_KINDS, Requirement, load_pathways

PASSIONS = [p.id for p in load_passions(conversations_dir() / "en" / "passions.yaml")]
EXPECTED_FOLDERS = {"classes", "artwork", "pathways"}


def test_every_file_in_badges_loads_or_renders() -> None:
    folder = badges_dir()
    seen: set[Path] = set()
    classes = load_classes(folder, PASSIONS)
    seen |= set((folder / "classes").glob("*.yaml"))
    assert len(list(classes)) == len(seen)
    pathways = load_pathways(folder, classes, PASSIONS)
    files = set((folder / "pathways").glob("*.yaml"))
    assert len(pathways) == len(files)
    seen |= files
    for path in sorted((folder / "artwork").glob("*.svg")):
        png = Image.open(io.BytesIO(render_png(path)))
        assert png.size == (600, 600) and png.mode == "RGBA"
        assert png.getpixel((300, 262))[3] == 255, f"{path.name} draws nothing in the middle"
        assert parse(path).title.strip()
        baked = bake_svg_credential(path.read_bytes(), '{"id": "urn:x"}')
        assert unbake(baked).credential == '{"id": "urn:x"}'
        seen.add(path)
    others = {p for p in folder.rglob("*") if p.is_file()} - seen
    assert {p.name for p in others} <= {"README.md"}
    assert {p.name for p in folder.iterdir() if p.is_dir()} == EXPECTED_FOLDERS


def _milestones() -> dict[str, Requirement]:
    """The pathways everyone follows, each a single step, by the city badge they end in."""
    classes = load_classes(badges_dir(), PASSIONS)
    found = {}
    for pathway in load_pathways(badges_dir(), classes, PASSIONS).for_everyone():
        (step,) = pathway.steps
        (found[pathway.badge],) = step.options
    return found


def test_every_passion_has_a_default_badge_and_the_four_milestones_exist() -> None:
    classes = load_classes(badges_dir(), PASSIONS)
    for passion in PASSIONS:
        default = classes.for_passion(passion)
        assert default is not None and passion in default.tags, passion
    milestones = _milestones()
    assert {k: (v.kind, v.count, v.sessions) for k, v in milestones.items()} == {
        "first-badge": ("badges", 1, 1),
        "three-passions": ("passions", 3, 2),
        "ten-hours": ("hours", 10, 1),
        "fifty-hours": ("hours", 50, 1),
    }
    assert list(milestones) == ["first-badge", "three-passions", "ten-hours", "fifty-hours"]


# What each measure counts, as a milestone's criteria must name it.
MEASURE_WORDS = {
    "badges": "redeemed its completion code",
    "hours": "learning hours",
    "passions": "different passions",
}
NUMBER_WORDS = {"first": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6}
SPELLED = {2: "two", 3: "three", 4: "four", 5: "five", 6: "six"}


def _numbers(text: str) -> set[int]:
    """Every number a sentence states, in digits or in words."""
    words = re.findall(r"[a-z]+|\d+", text.lower())
    return {
        int(w) if w.isdigit() else NUMBER_WORDS[w]
        for w in words
        if w.isdigit() or w in NUMBER_WORDS
    }


def test_each_milestones_criteria_says_exactly_what_its_rule_checks() -> None:
    assert set(MEASURE_WORDS) == set(MEASURE_KINDS)
    classes = load_classes(badges_dir(), PASSIONS)
    for class_id, rule in _milestones().items():
        badge_class = classes.by_id[class_id]
        criteria = badge_class.criteria
        stated = {rule.count} | ({rule.sessions} if rule.sessions > 1 else set())
        assert _numbers(criteria) == stated, (badge_class.id, criteria)
        assert MEASURE_WORDS[rule.kind] in criteria, (badge_class.id, criteria)
        if rule.sessions > 1:
            assert f"at least {SPELLED[rule.sessions]} different sessions" in criteria
        assert _numbers(badge_class.description) <= stated, badge_class.id


def _class_file(folder: Path, body: str, name: str = "bike-repair") -> Path:
    (folder / "classes").mkdir(parents=True, exist_ok=True)
    (folder / "artwork").mkdir(exist_ok=True)
    (folder / "artwork" / "bike.svg").write_bytes(
        (badges_dir() / "artwork" / "making.svg").read_bytes()
    )
    path = folder / "classes" / f"{name}.yaml"
    path.write_text(body)
    return path


GOOD = """id: bike-repair
name: Bike Repair
description: Fixed bikes.
criteria: Fixed a puncture and adjusted brakes.
artwork: bike.svg
tags: [making]
learning_hours: 2
"""


@pytest.mark.parametrize(
    ("change", "line", "words"),
    [
        (("artwork: bike.svg", "artwork: missing.svg"), 5, "no badges/artwork/missing.svg"),
        (("tags: [making]", "tags: [knitting]"), 6, "'knitting' is not a passion"),
        (("learning_hours: 2", "learning_hours: lots"), 7, "learning_hours should be a number"),
        (("id: bike-repair", "id: bike-fixing"), 1, "should match the file name"),
        (("name: Bike Repair\n", "name: Bike Repair\ncolour: red\n"), 3, "unknown key 'colour'"),
        (
            (
                "learning_hours: 2\n",
                "learning_hours: 2\nalignment:\n  - name: Teamwork\n    url: http://x\n",
            ),
            10,
            "https:// address",
        ),
        (("learning_hours: 2\n", "learning_hours: 2\ncity: yes please\n"), 8, "true or false"),
        (
            ("tags: [making]\n", "tags: [making]\npassion: making\ncity: true\n"),
            7,
            "cannot also be a passion's default",
        ),
    ],
)
def test_mistakes_name_file_and_line(
    tmp_path: Path, change: tuple[str, str], line: int, words: str
) -> None:
    path = _class_file(tmp_path, GOOD.replace(*change))
    with pytest.raises(ContentError) as raised:
        load_classes(tmp_path, PASSIONS)
    assert str(raised.value).startswith(f"{path}:{line}:"), raised.value
    assert words in str(raised.value)


def test_artwork_refuses_what_colbot_cannot_draw(tmp_path: Path) -> None:
    path = tmp_path / "bad.svg"
    path.write_text(
        '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 10 10"><title>x</title>\n'
        '<path d="M0 0L10 10"/></svg>'
    )
    with pytest.raises(ContentError, match=r"bad.svg:2: colbot cannot draw <path>"):
        render_png(path)
