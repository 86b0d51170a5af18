"""Which passion a label or a title means, by the passions' names, synonyms and activities."""

from __future__ import annotations

import difflib
from collections.abc import Iterable

from colbot.content.passions import Passion
from colbot.domain.text import folded

# Passion words too ordinary to mean a passion when they turn up in a title or summary
# ("Run by volunteers", "Make it yours"); they still count in activity labels and categories.
_TOO_COMMON_IN_TITLES = frozenset(
    folded(word)
    for word in (
        "it", "act", "run", "read", "make", "build", "help out", "words", "outside", "green",
        "stage", "data", "style", "training", "moves", "program", "sell", "shop", "money",
        "job", "jobs", "calm", "chill", "relax", "mood", "ball", "fits", "drip", "tap",
        "contemporary", "keys", "beat", "park", "parks", "news", "coach", "coaching",
        "help", "play", "saving", "culture", "community", "walks", "walking", "lighting",
    )
)  # fmt: skip


class PassionVocabulary:
    """Finds passion ids in labels and text by the passions' names, synonyms and activity labels."""

    def __init__(self, passions: Iterable[Passion]) -> None:
        passions = tuple(passions)
        self.ids: tuple[str, ...] = tuple(p.id for p in passions)
        self._by_phrase: dict[str, str] = {}
        for passion in passions:
            for word in passion.words:
                if folded(word):
                    self._by_phrase.setdefault(folded(word), passion.id)
        for passion in passions:
            for label in passion.activities:
                if folded(label):
                    self._by_phrase.setdefault(folded(label), passion.id)
        self._longest = max((len(p.split()) for p in self._by_phrase), default=1)

    def owner(self, word: str) -> str | None:
        """The passion a single word or phrase means, if it means one exactly."""
        phrase = folded(word)
        return self._by_phrase.get(phrase) or (
            self._by_phrase.get(phrase[:-1]) if phrase.endswith("s") else None
        )

    def find(self, text: str, in_titles: bool = False) -> list[str]:
        """The passion ids a label or text names, in the order they appear, without repeats.

        Longer phrases win ("rock climbing" is sport, not music); `in_titles` leaves out words
        that are too ordinary to mean a passion in a sentence.
        """
        words = folded(text).split()
        taken = [False] * len(words)
        found: list[tuple[int, str]] = []
        for size in range(min(self._longest, len(words)), 0, -1):
            for start in range(len(words) - size + 1):
                if any(taken[start : start + size]):
                    continue
                phrase = " ".join(words[start : start + size])
                if in_titles and phrase in _TOO_COMMON_IN_TITLES:
                    continue
                passion_id = self._by_phrase.get(phrase)
                if passion_id is None and size == 1 and phrase.endswith("s") and len(phrase) > 3:
                    singular = phrase[:-1]
                    if not (in_titles and singular in _TOO_COMMON_IN_TITLES):
                        passion_id = self._by_phrase.get(singular)
                if passion_id is not None:
                    found.append((start, passion_id))
                    taken[start : start + size] = [True] * size
        return list(dict.fromkeys(passion_id for _, passion_id in sorted(found)))

    def suggest(self, word: str) -> str | None:
        """The passion id someone most likely meant by an unknown id."""
        meant = self.owner(word)
        if meant is not None:
            return meant
        close = difflib.get_close_matches(folded(word), [*self.ids, *self._by_phrase], n=1)
        if not close:
            return None
        return close[0] if close[0] in self.ids else self._by_phrase[close[0]]
