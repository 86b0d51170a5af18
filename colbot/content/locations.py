"""Where the editable content folders live, in a checkout or in an installed wheel."""

from __future__ import annotations

from pathlib import Path

_PACKAGE_DIR = Path(__file__).resolve().parent.parent


def content_root() -> Path:
    """The folder holding conversations/, cities/ and badges/."""
    bundled = _PACKAGE_DIR / "_content"
    if bundled.is_dir():
        return bundled
    return _PACKAGE_DIR.parent


def conversations_dir() -> Path:
    """The folder with one sub-folder of dialogue per language."""
    return content_root() / "conversations"


def city_dir(city: str) -> Path:
    """The data folder of one city."""
    return content_root() / "cities" / city


def badges_dir() -> Path:
    """The folder of badge classes (classes/*.yaml) and their artwork (artwork/*.svg)."""
    return content_root() / "badges"
