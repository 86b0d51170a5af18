"""One language's words and passions and one city, read once and again only when a file changes.

Every colbot built in a process (the tests and benchmarks build hundreds) shares what it reads:
checking and parsing the YAML costs far more than hashing the files' bytes.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from colbot.content.city import City, load_city
from colbot.content.conversations import Conversations, load_conversations
from colbot.content.locations import city_dir, conversations_dir
from colbot.content.passions import Passion, load_passions
from colbot.content.source import ContentError, load_yaml
from colbot.domain.reading import Words


@dataclass(frozen=True)
class ContentBundle:
    """What a colbot says, the passions it knows and the city it serves."""

    conversations: Conversations
    passions: tuple[Passion, ...]
    city: City
    reading: Words = field(default_factory=Words)


def load_bundle(language: str, city: str) -> ContentBundle:
    """Loads and checks a language and a city; any mistake names its file and line."""
    language_folder, city_folder = conversations_dir() / language, city_dir(city)
    return _bundle(language_folder, city_folder, _digest(language_folder, city_folder))


@lru_cache(maxsize=4)
def _bundle(language_folder: Path, city_folder: Path, _digest: str) -> ContentBundle:
    conversations = load_conversations(language_folder)
    passions = load_passions(language_folder / "passions.yaml")
    city = load_city(city_folder, frozenset(p.id for p in passions))
    return ContentBundle(conversations, passions, city, load_reading(language_folder))


def load_reading(language_folder: Path) -> Words:
    """The words this language reads typed answers with; none when it has no reading.yaml."""
    path = language_folder / "reading.yaml"
    if not path.is_file():
        return Words()
    data = load_yaml(path)
    if not isinstance(data, dict):
        raise ContentError(f"{path}:1: the file should contain 'key: value' lines")
    try:
        return Words.of(data)
    except (TypeError, ValueError) as exc:
        raise ContentError(f"{path}: {exc}") from None


def _digest(*folders: Path) -> str:
    """A hash of every file's name and bytes in the folders; a missing folder hashes as empty."""
    digest = hashlib.sha256()
    for folder in folders:
        digest.update(str(folder.resolve()).encode() + b"\0")
        files = sorted(p for p in folder.rglob("*") if p.is_file()) if folder.is_dir() else []
        for path in files:
            digest.update(str(path.relative_to(folder)).encode() + b"\0")
            digest.update(hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest()
