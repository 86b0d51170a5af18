"""The words partners' feeds use for each passion are content, checked when colbot starts."""

from __future__ import annotations

from pathlib import Path

import pytest

from colbot.catalogue.importers.vocabulary import PassionVocabulary
from colbot.content.locations import conversations_dir
from colbot.content.passions import load_passions
from colbot.content.source import ContentError


def test_activity_labels_come_from_the_language_folder() -> None:
    passions = {p.id: p for p in load_passions(conversations_dir() / "en" / "passions.yaml")}
    assert "Rock Climbing" in passions["sport"].activities
    vocabulary = PassionVocabulary(passions.values())
    assert vocabulary.find("Rock Climbing for beginners") == ["sport"]
    assert vocabulary.find("Forest School") == ["nature"]


def test_an_activity_listed_twice_is_refused_with_its_line(tmp_path: Path) -> None:
    path = tmp_path / "passions.yaml"
    path.write_text(
        "passions:\n"
        "  - id: sport\n"
        "    name: Sport\n"
        '    emoji: "⚽"\n'
        "    synonyms: [football]\n"
        "    activities: [Archery, Archery]\n"
    )
    with pytest.raises(ContentError, match=r"passions.yaml:6: activity 'Archery' is listed twice"):
        load_passions(path)
