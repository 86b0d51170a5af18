"""Badge classes are content: YAML files under badges/classes/, checked up front with file:line."""

from __future__ import annotations

import re
from collections.abc import Collection, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from colbot.content.source import ContentError, fail, load_yaml
from colbot.openbadges.documents import Alignment

CLASSES_FOLDER = "classes"
ARTWORK_FOLDER = "artwork"
FALLBACK_ARTWORK = "learning.svg"
CITY_ARTWORK = "city.svg"
PARTNER_ARTWORK = "partner.svg"
MAX_ID_LENGTH = 64
MAX_NAME_LENGTH = 120
MAX_TEXT_LENGTH = 1000
MAX_HOURS = 1000

_SLUG = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
_ARTWORK = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*\.svg")
_REQUIRED = ("id", "name", "description", "criteria", "artwork")
_OPTIONAL = ("tags", "learning_hours", "alignment", "passion", "city")
_ALIGNMENT_KEYS = ("name", "url", "framework", "code", "description")


@dataclass(frozen=True)
class BadgeClass:
    """What a badge means: its name, what the young person did, its artwork and skills."""

    id: str
    name: str
    description: str
    criteria: str
    artwork: str
    tags: tuple[str, ...] = ()
    learning_hours: float = 0.0
    alignment: tuple[Alignment, ...] = ()
    passion: str | None = None
    city: bool = False  # the city awards it at the end of a pathway in badges/pathways/


@dataclass(frozen=True)
class BadgeClasses:
    """Every badge class in badges/, with the lookups issuing needs."""

    folder: Path
    by_id: Mapping[str, BadgeClass] = field(default_factory=dict)
    artworks: frozenset[str] = frozenset()  # the files in badges/artwork/, by name

    def __iter__(self) -> Iterator[BadgeClass]:
        return iter(self.by_id.values())

    def get(self, class_id: str | None) -> BadgeClass | None:
        """A class by id, if there is one."""
        return self.by_id.get(class_id) if class_id else None

    def ids(self) -> frozenset[str]:
        """The ids an opportunity may name (city badges are the city's alone)."""
        return frozenset(c.id for c in self if not c.city)

    def for_passion(self, passion: str) -> BadgeClass | None:
        """The default class for opportunities about a passion."""
        return next((c for c in self if c.passion == passion), None)

    def city_badges(self) -> list[BadgeClass]:
        """The badges the city awards at the end of a pathway."""
        return [c for c in self if c.city]

    def artwork_path(self, artwork: str) -> Path:
        """Where an artwork file lives."""
        return self.folder / ARTWORK_FOLDER / artwork


def _text(data: Any, key: str, limit: int = MAX_TEXT_LENGTH) -> str:
    value = data.get(key)
    if not isinstance(value, str) or not value.strip():
        raise fail(data, key, f"'{key}' should be some text, not {value!r}")
    if len(value.strip()) > limit:
        raise fail(data, key, f"'{key}' is longer than {limit} characters")
    return " ".join(value.split())


def _slug(data: Any, key: str) -> str:
    value = _text(data, key, MAX_ID_LENGTH)
    if not _SLUG.fullmatch(value):
        raise fail(data, key, f"'{value}' should use only a-z, 0-9 and single hyphens")
    return value


def _https_url(data: Any, key: str) -> str:
    value = _text(data, key)
    parts = urlsplit(value)
    if parts.scheme != "https" or not parts.netloc:
        raise fail(data, key, f"'{key}' should be an https:// address, not {value!r}")
    return value


def _alignment(data: Any, key: str) -> tuple[Alignment, ...]:
    items = data.get(key) or []
    if not isinstance(items, list):
        raise fail(data, key, "'alignment' should be a list of skills")
    found: list[Alignment] = []
    for position, item in enumerate(items):
        if not isinstance(item, dict):
            raise fail(items, position, "each alignment needs a name and a url")
        unknown = sorted(set(item) - set(_ALIGNMENT_KEYS))
        if unknown:
            raise fail(item, unknown[0], f"unknown key '{unknown[0]}' in an alignment")
        found.append(
            Alignment(
                target_name=_text(item, "name", MAX_NAME_LENGTH),
                target_url=_https_url(item, "url"),
                target_framework=_text(item, "framework") if "framework" in item else None,
                target_code=_text(item, "code") if "code" in item else None,
                target_description=_text(item, "description") if "description" in item else None,
            )
        )
    return tuple(found)


def _city(data: Any) -> bool:
    value = data.get("city", False)
    if not isinstance(value, bool):
        raise fail(data, "city", f"'city' should be true or false, not {value!r}")
    return value


def _hours(data: Any) -> float:
    value = data.get("learning_hours", 0)
    if isinstance(value, bool) or not isinstance(value, int | float) or not 0 <= value <= MAX_HOURS:
        raise fail(
            data, "learning_hours", f"learning_hours should be a number from 0 to {MAX_HOURS}"
        )
    return float(value)


def load_class(path: Path, passions: Collection[str] | None = None) -> BadgeClass:
    """Reads one badge class file; every mistake names the file and line."""
    data = load_yaml(path)
    if not isinstance(data, dict):
        raise ContentError(f"{path}:1: a badge class file should be a mapping of keys")
    for key in _REQUIRED:
        if key not in data:
            raise fail(data, None, f"the badge class needs '{key}'")
    unknown = sorted(set(data) - set(_REQUIRED) - set(_OPTIONAL))
    if unknown:
        raise fail(data, unknown[0], f"unknown key '{unknown[0]}'")
    class_id = _slug(data, "id")
    if class_id != path.stem:
        raise fail(data, "id", f"the id '{class_id}' should match the file name '{path.stem}'")
    artwork = _text(data, "artwork")
    if not _ARTWORK.fullmatch(artwork):
        raise fail(data, "artwork", "artwork should name an .svg file in badges/artwork/")
    if not (path.parent.parent / ARTWORK_FOLDER / artwork).is_file():
        raise fail(data, "artwork", f"there is no badges/{ARTWORK_FOLDER}/{artwork}")
    tags = data.get("tags") or []
    if not isinstance(tags, list) or not all(
        isinstance(t, str) and _SLUG.fullmatch(t) for t in tags
    ):
        raise fail(data, "tags", "tags should be a list of passion ids")
    passion = _slug(data, "passion") if "passion" in data else None
    for position, tag in enumerate(tags):
        if passions is not None and tag not in passions:
            raise fail(tags, position, f"'{tag}' is not a passion in passions.yaml")
    if passion is not None and passions is not None and passion not in passions:
        raise fail(data, "passion", f"'{passion}' is not a passion in passions.yaml")
    city = _city(data)
    if city and passion is not None:
        raise fail(data, "passion", "a city badge cannot also be a passion's default badge")
    return BadgeClass(
        id=class_id,
        name=_text(data, "name", MAX_NAME_LENGTH),
        description=_text(data, "description"),
        criteria=_text(data, "criteria"),
        artwork=artwork,
        tags=tuple(tags),
        learning_hours=_hours(data),
        alignment=_alignment(data, "alignment"),
        passion=passion,
        city=city,
    )


def load_classes(folder: Path, passions: Iterable[str] | None = None) -> BadgeClasses:
    """Reads badges/classes/*.yaml; a passion may have one default class only."""
    known = frozenset(passions) if passions is not None else None
    by_id: dict[str, BadgeClass] = {}
    defaults: dict[str, Path] = {}
    for path in sorted((folder / CLASSES_FOLDER).glob("*.yaml")):
        badge = load_class(path, known)
        if badge.passion is not None:
            if badge.passion in defaults:
                raise ContentError(
                    f"{path}: passion '{badge.passion}' already has a default badge in "
                    f"{defaults[badge.passion].name}"
                )
            defaults[badge.passion] = path
        by_id[badge.id] = badge
    artworks = frozenset(
        path.name
        for path in (folder / ARTWORK_FOLDER).glob("*.svg")
        if _ARTWORK.fullmatch(path.name)
    )
    return BadgeClasses(folder, by_id, artworks)


@cache
def cached_classes(folder: Path, passions: frozenset[str] | None = None) -> BadgeClasses:
    """The badge classes, read once per process."""
    return load_classes(folder, passions)
