"""What young people can say they're into: the passions, read from YAML and checked up front."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from colbot.content.checked_yaml import Register, blocks, line_of, read_document
from colbot.content.source import fail


@dataclass(frozen=True)
class Passion:
    """Something a young person is into, with the words they might type for it."""

    id: str
    name: str
    emoji: str
    synonyms: tuple[str, ...]
    # Labels partners' feeds use for it (OpenActive activity lists); its own words win over them.
    activities: tuple[str, ...] = ()

    @property
    def words(self) -> tuple[str, ...]:
        """Every lower-case word or phrase that means this passion, its id and name first."""
        return tuple(dict.fromkeys((self.id, self.name.lower(), *self.synonyms)))


def load_passions(path: Path) -> tuple[Passion, ...]:
    """Reads the passion list, making sure every word a young person types means one passion."""
    document = read_document(path, "passions")
    items = document.sequence("passions", non_empty=True)
    passions: list[Passion] = []
    ids = Register("passion id")
    word_owner: dict[str, tuple[str, int]] = {}

    def claim_word(word: str, passion_id: str, container: Any, key: str | int) -> None:
        owner = word_owner.get(word)
        if owner is not None and owner[0] != passion_id:
            raise fail(container, key, f"'{word}' already means '{owner[0]}' (line {owner[1]})")
        word_owner.setdefault(word, (passion_id, line_of(container, key)))

    for block in blocks(items, "passion", ("id", "name", "emoji", "synonyms"), ("activities",)):
        passion_id = block.slug("id")
        ids.claim(passion_id, block, "id")
        name = block.text("name")
        emoji = block.text("emoji")
        synonyms_list = block.sequence("synonyms")
        claim_word(passion_id, passion_id, block.data, "id")
        claim_word(name.lower(), passion_id, block.data, "name")
        synonyms: list[str] = []
        for position, word in enumerate(synonyms_list):
            if not isinstance(word, str) or not word.strip():
                raise fail(synonyms_list, position, "each synonym must be a word or phrase")
            tidy = " ".join(word.split()).lower()
            if word != tidy:
                raise fail(synonyms_list, position, f"write synonym '{word}' as '{tidy}'")
            if word in synonyms:
                raise fail(synonyms_list, position, f"synonym '{word}' is listed twice")
            claim_word(word, passion_id, synonyms_list, position)
            synonyms.append(word)
        activities: list[str] = []
        listed = block.sequence("activities") if block.value("activities") is not None else []
        for position, label in enumerate(listed):
            if not isinstance(label, str) or not label.strip():
                raise fail(listed, position, "each activity must be a label, like Rock Climbing")
            if label in activities:
                raise fail(listed, position, f"activity '{label}' is listed twice")
            activities.append(" ".join(label.split()))
        passions.append(Passion(passion_id, name, emoji, tuple(synonyms), tuple(activities)))
    return tuple(passions)
