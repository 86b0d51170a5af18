"""Every file in badges/ loads and renders; mistakes in a badge class name the file and line."""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest
from PIL import Image

from colbot.badges.artwork import parse, render_png
from colbot.badges.classes import MEASURES, load_classes
from colbot.content.locations import badges_dir, conversations_dir
from colbot.content.passions import load_passions
from colbot.content.source import ContentError
from colbot.openbadges.baking import bake_svg_credential, unbake

PASSIONS = [p.id for p in load_passions(conversations_dir() / "en" / "passions.yaml")]
EXPECTED_FOLDERS = {"classes", "artwork"}


def test_every_file_in_badges_loads_or_renders() -> None:
    folder = badges_dir()
    seen: set[Path] = set()
    classes = load_classes(folder, PASSIONS)
    seen |= set((folder / "classes").glob("*.yaml"))
    assert len(list(classes)) == len(seen)
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


def test_every_passion_has_a_default_badge_and_the_four_milestones_exist() -> None:
    classes = load_classes(badges_dir(), PASSIONS)
    for passion in PASSIONS:
        default = classes.for_passion(passion)
        assert default is not None and passion in default.tags, passion
    milestones = {m.id: m.milestone for m in classes.milestones()}
    assert {k: (v.measure, v.at, v.sessions) for k, v in milestones.items() if v} == {
        "first-badge": ("badges", 1, 1),
        "three-passions": ("passions", 3, 2),
        "ten-hours": ("hours", 10, 1),
        "fifty-hours": ("hours", 50, 1),
    }
    assert [m.milestone.measure for m in classes.milestones() if m.milestone] == sorted(
        (m.milestone.measure for m in classes.milestones() if m.milestone), key=MEASURES.index
    )


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
    assert set(MEASURE_WORDS) == set(MEASURES)
    for badge_class in load_classes(badges_dir(), PASSIONS).milestones():
        rule = badge_class.milestone
        assert rule is not None
        criteria = badge_class.criteria
        stated = {rule.at} | ({rule.sessions} if rule.sessions > 1 else set())
        assert _numbers(criteria) == stated, (badge_class.id, criteria)
        assert MEASURE_WORDS[rule.measure] in criteria, (badge_class.id, criteria)
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
        (
            ("learning_hours: 2\n", "learning_hours: 2\nmilestone:\n  measure: badges\n  at: 0\n"),
            10,
            "'at' should be a whole number",
        ),
        (
            (
                "learning_hours: 2\n",
                "learning_hours: 2\nmilestone:\n  measure: passions\n  at: 3\n  sessions: two\n",
            ),
            11,
            "'sessions' should be a whole number",
        ),
        (
            ("learning_hours: 2\n", "learning_hours: 2\nmilestone:\n  measure: hours\n  by: 3\n"),
            8,
            "needs a measure and an at",
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
