"""Turning what someone types ("footy, drawing, beats") into the city's passion ids."""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable
from dataclasses import dataclass

from colbot.domain.text import folded

FUZZY_CUTOFF = 0.8
_SEPARATORS = re.compile(r",|;|/|\band\b|&|\+|\n")


@dataclass(frozen=True)
class PassionWords:
    """The words that mean one passion."""

    passion_id: str
    words: tuple[str, ...]


class PassionMatcher:
    """Matches free text to passions by name, synonym, or a near spelling of either."""

    def __init__(self, passions: Iterable[PassionWords]) -> None:
        self._by_word: dict[str, str] = {}
        for passion in passions:
            for word in (passion.passion_id, *passion.words):
                self._by_word.setdefault(folded(word), passion.passion_id)
        self._vocabulary = sorted(self._by_word)

    def match(self, text: str) -> list[str]:
        """The passion ids the text mentions, in the order they were written, without repeats."""
        found: list[str] = []
        for phrase in _SEPARATORS.split(text):
            for passion_id in self._match_phrase(folded(phrase)):
                if passion_id not in found:
                    found.append(passion_id)
        return found

    def _match_phrase(self, phrase: str) -> list[str]:
        if not phrase:
            return []
        if phrase in self._by_word:
            return [self._by_word[phrase]]
        found: list[tuple[int, str]] = []
        words = phrase.split()
        taken = [False] * len(words)
        # Longer phrases first, and a word they use is not read again on its own: "making
        # beats" is music, not music and making.
        for size in (3, 2, 1):
            for start in range(len(words) - size + 1):
                if any(taken[start : start + size]):
                    continue
                chunk = " ".join(words[start : start + size])
                passion_id = self._lookup(chunk)
                if passion_id:
                    taken[start : start + size] = [True] * size
                    found.append((start, passion_id))
        return list(dict.fromkeys(passion_id for _, passion_id in sorted(found)))

    def _lookup(self, chunk: str) -> str | None:
        if chunk in self._by_word:
            return self._by_word[chunk]
        if len(chunk) < 4:
            return None
        # A slip of the thumb rarely changes the first letter: "nothing" is not "clothing".
        near = [word for word in self._vocabulary if word[0] == chunk[0]]
        close = difflib.get_close_matches(chunk, near, n=1, cutoff=FUZZY_CUTOFF)
        return self._by_word[close[0]] if close else None
