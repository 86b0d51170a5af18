"""Content is read once per process, and read again as soon as any file's bytes change."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from colbot.content import bundle
from colbot.content.locations import city_dir, conversations_dir
from colbot.content.source import ContentError


@pytest.fixture
def content(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A copy of the English words and the demo city that a test may edit."""
    shutil.copytree(conversations_dir() / "en", tmp_path / "conversations" / "en")
    shutil.copytree(city_dir("kensalfield"), tmp_path / "cities" / "kensalfield")
    monkeypatch.setattr(bundle, "conversations_dir", lambda: tmp_path / "conversations")
    monkeypatch.setattr(bundle, "city_dir", lambda city: tmp_path / "cities" / city)
    return tmp_path


def test_the_same_files_are_read_once(content: Path) -> None:
    first = bundle.load_bundle("en", "kensalfield")

    assert bundle.load_bundle("en", "kensalfield") is first
    assert first.city.name == "Kensalfield" and first.conversations.has("welcome")


def test_an_edited_file_is_read_again(content: Path) -> None:
    before = bundle.load_bundle("en", "kensalfield")
    city_yaml = content / "cities" / "kensalfield" / "city.yaml"
    city_yaml.write_text(city_yaml.read_text().replace("name: Kensalfield", "name: Kensalford"))

    after = bundle.load_bundle("en", "kensalfield")

    assert after is not before and after.city.name == "Kensalford"


def test_a_mistake_added_later_is_still_reported(content: Path) -> None:
    bundle.load_bundle("en", "kensalfield")
    (content / "conversations" / "en" / "flows.yaml").write_text("onboarding: [")

    with pytest.raises(ContentError, match=r"flows\.yaml"):
        bundle.load_bundle("en", "kensalfield")
