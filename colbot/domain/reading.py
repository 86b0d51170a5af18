"""Reading what people type: numbers inside sentences, number words, distances, whole phrases.

Pure and language-neutral: the words (number words, distance words, units) come from the
conversation files of each language, so a second language brings its own.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field

from colbot.domain.text import folded

MILE_KM = 1.609
WALKING_KM_PER_MINUTE = 5.0 / 60
_NEGATIVE = re.compile(r"(?:^|\s)[-\u2212]\s*\d")
_NUMBER = re.compile(r"(?<!\d)(?<!\d[.,])(\d{1,4}(?:[.,]\d+)?)(?!\d|[.,]\d)")


def plain(text: str) -> str:
    """Lower-case words only: accents, emoji and punctuation gone, spaces single."""
    joined = text.replace("'", "").replace("\u2019", "")  # "don't" is one word, "dont"
    kept = "".join(ch if unicodedata.category(ch)[0] in "LN" else " " for ch in folded(joined))
    return " ".join(kept.split())


def has_phrase(text: str, phrase: str) -> bool:
    """Whether a whole word or phrase appears in plain text ("ye" is not in "yes")."""
    wanted = plain(phrase)
    return bool(wanted) and f" {wanted} " in f" {text} "


def squeezed(text: str) -> str:
    """A word with its stretched letters made single ("yeahh", "nooo"), to compare loosely."""
    return re.sub(r"(.)\1+", r"\1", text)


def emoji_of(text: str) -> str:
    """The pictographs in a text, in order, so an emoji typed alone can match a button."""
    return "".join(ch for ch in text if unicodedata.category(ch) == "So")


@dataclass(frozen=True)
class Words:
    """One language's words for reading typed answers (conversations/<language>/reading.yaml)."""

    numbers: Mapping[str, float] = field(default_factory=dict)
    # Units for distances: each unit word and how many km one of it is ("miles": 1.609).
    units_km: Mapping[str, float] = field(default_factory=dict)
    # Words for walking minutes ("mins", "minutes") and for a walk ("walk").
    minutes: tuple[str, ...] = ()
    # Whole phrases that mean a distance in km, or None for "anywhere".
    distances: Mapping[str, float | None] = field(default_factory=dict)
    # Words that turn a sentence around ("not sure"): then only an exact answer counts.
    negations: frozenset[str] = frozenset()
    # Said after an age, these mean a birthday is coming ("17 in march" is 16 today).
    birthday_soon: tuple[str, ...] = ()
    # Words between the two ends of a time range ("10pm to 7am"), and "half 9" for 9:30.
    until: tuple[str, ...] = ()
    half: tuple[str, ...] = ()
    # Words typed alone that mean a command at any question ("help" is /help).
    commands: Mapping[str, str] = field(default_factory=dict)

    # Typed alone, these choose every option of a pick-several question ("whenever").
    all_of_them: tuple[str, ...] = ()
    # Typed alone, these say yes to a question such as "Did you mean Saturday 5 December, 14:00?".
    yes: frozenset[str] = frozenset()
    # Words before a name that are not the name ("call me", "im").
    nickname_leads: tuple[str, ...] = ()
    # Why something is not for them, by reason id ("far": "too far", "miles away").
    reasons: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    # Times said as words ("noon": "12:00"), the word before a bare hour ("at 4"), short forms
    # of dates ("tmrw": "tomorrow"), and the order of day and month in a date ("DMY").
    clock_words: Mapping[str, str] = field(default_factory=dict)
    at: tuple[str, ...] = ()
    date_words: Mapping[str, str] = field(default_factory=dict)
    date_order: str = "DMY"
    # After one number, these make a range open at the top ("16+", "14 and up").
    and_over: tuple[str, ...] = ()
    # Words that add nothing to an answer ("pls", "from"), left out before reading it.
    filler: tuple[str, ...] = ()

    def without_filler(self, text: str) -> str:
        """The text without words that add nothing ("10pm to 7am pls" is "10pm to 7am")."""
        kept = [w for w in text.split() if plain(w) not in self.filler or not plain(w)]
        return " ".join(kept) if kept else text

    def means_all(self, text: str) -> bool:
        """Whether a message typed on its own means "all of them"."""
        return plain(text) in self.all_of_them

    def command_in(self, text: str) -> str | None:
        """The command a message typed on its own means, if it is one of those words."""
        return self.commands.get(plain(text))

    def night_range(self, text: str) -> tuple[str, str] | None:
        """An evening-to-morning range typed any common way, as ("22:00", "07:00").

        "10pm to 7am", "21:30-07:15", "half 9 till 7", "10 till 6": an end with no am or pm is
        the morning, a start with none is the evening, as quiet hours are.
        """
        said = " ".join(self.without_filler(text).lower().replace(".", ":").split())
        for word in sorted(self.until, key=len, reverse=True):
            said = re.sub(rf"\s+{re.escape(word)}\s+", " - ", said)
        parts = [p.strip() for p in re.split(r"\s*[-\u2013\u2014]\s*", said) if p.strip()]
        if len(parts) != 2:
            return None
        start = self._clock(parts[0], evening=True)
        end = self._clock(parts[1], evening=False)
        if start is None or end is None or start == end:
            return None
        return start, end

    def _clock(self, text: str, evening: bool) -> str | None:
        words = plain(text.replace(":", " : ")).split()
        half = bool(words) and words[0] in self.half
        if half:
            words = words[1:]
        match = re.fullmatch(r"(\d{1,2})(?: (\d{2}))? ?(am|pm)?", " ".join(words))
        if match is None:
            return None
        hour, minutes = int(match.group(1)), int(match.group(2) or 0)
        if half:
            minutes = 30
        suffix = match.group(3)
        if hour > 23 or minutes > 59 or (suffix and not 1 <= hour <= 12):
            return None
        if suffix == "pm" and hour != 12:
            hour += 12
        elif suffix == "am" and hour == 12:
            hour = 0
        elif suffix is None and evening and 5 <= hour <= 11:
            hour += 12
        return f"{hour:02d}:{minutes:02d}"

    def age_in(self, text: str) -> int | None:
        """The one age a typed answer gives, a coming birthday counted; None if unclear."""
        numbers = {n for n in self.numbers_in(text) if n == int(n)}
        if len(numbers) != 1 or _NEGATIVE.search(text):
            return None
        age = int(numbers.pop())
        said = plain(text)
        return age - 1 if any(has_phrase(said, cue) for cue in self.birthday_soon) else age

    def negated(self, text: str) -> bool:
        """Whether a typed answer contains a word that turns it around."""
        return any(word in self.negations for word in plain(text).split())

    def numbers_in(self, text: str) -> list[float]:
        """Every number in a text, written in digits or in words ("im fifteen", "2.5km")."""
        found: list[tuple[int, float]] = []
        spaced = re.sub(r"(\d)([a-z])", r"\1 \2", " ".join(text.casefold().split()))
        for match in _NUMBER.finditer(spaced):
            found.append((match.start(), float(match.group(1).replace(",", "."))))
        words = plain(spaced).split()
        position = 0
        for index, word in enumerate(words):
            position = spaced.find(word, position)
            if word in self.numbers:
                value = self.numbers[word]
                following = words[index + 1] if index + 1 < len(words) else ""
                if following in self.numbers and self.numbers[following] < 10 <= value:
                    value += self.numbers[following]  # "twenty one"
                elif index and words[index - 1] in self.numbers:
                    continue
                found.append((position, float(value)))
        return [value for _, value in sorted(found)]

    def distance_km(self, text: str) -> tuple[bool, float | None]:
        """A distance in km typed any common way; (False, None) when none is there.

        (True, None) means "anywhere". A number with no unit counts as km.
        """
        said = plain(text)
        for phrase, km in sorted(self.distances.items(), key=lambda item: -len(item[0])):
            if has_phrase(said, phrase):
                turned = self.negated(text) and not self.negated(phrase)
                return (False, None) if turned else (True, km)
        spaced = re.sub(r"(\d)([a-z])", r"\1 \2", folded(text))
        words = plain(spaced).split()
        numbers = self.numbers_in(text)
        if not numbers:
            return False, None
        value = numbers[0]
        if any(word in self.minutes for word in words):
            return True, value * WALKING_KM_PER_MINUTE
        for word in words:
            if word in self.units_km:
                return True, value * self.units_km[word]
        return True, value

    def yes_in(self, text: str) -> bool:
        """Whether a message typed on its own says yes ("yeah", "yep that's right")."""
        said = plain(text)
        return bool(said) and not self.negated(text) and said in self.yes

    def nickname_in(self, text: str) -> str:
        """The name in "call me Jay" or "im Sam": the words before it are dropped."""
        said = " ".join(text.split())
        lowered = plain(said)
        for lead in sorted(self.nickname_leads, key=len, reverse=True):
            if lowered == lead:
                return ""
            if lowered.startswith(lead + " "):
                count = len(lead.split())
                return " ".join(said.split()[count:]).strip(" .!,")
        return said

    def and_over_in(self, text: str) -> bool:
        """Whether a number is said to be the lowest of an open range ("16+", "14 and over")."""
        said = plain(text.replace("+", " plus "))
        return any(has_phrase(said, phrase) for phrase in self.and_over)

    def reason_in(self, text: str) -> str | None:
        """The one reason a typed answer gives ("its too far" is "far"), or None."""
        said = plain(text)
        found = {
            reason
            for reason, phrases in self.reasons.items()
            if any(has_phrase(said, phrase) for phrase in phrases)
        }
        return found.pop() if len(found) == 1 else None

    @classmethod
    def of(cls, data: Mapping[str, object]) -> Words:
        """Words from a language's reading.yaml (already checked by the content loader)."""

        def mapping(key: str) -> dict[str, object]:
            value = data.get(key) or {}
            return dict(value) if isinstance(value, Mapping) else {}

        def listed(key: str, fold: Callable[[str], str] = plain) -> tuple[str, ...]:
            raw = data.get(key) or ()
            items = raw if isinstance(raw, Iterable) and not isinstance(raw, str) else ()
            return tuple(fold(str(item)) for item in items)

        def amounts(key: str) -> dict[str, float]:
            return {plain(str(k)): float(str(v)) for k, v in mapping(key).items()}

        return cls(
            numbers=amounts("numbers"),
            units_km=amounts("units_km"),
            minutes=listed("minutes"),
            distances={
                plain(str(k)): (None if v in (None, "any") else float(str(v)))
                for k, v in mapping("distances").items()
            },
            negations=frozenset(listed("negations")),
            birthday_soon=listed("birthday_soon"),
            until=listed("until", folded),
            half=listed("half", folded),
            commands={plain(str(k)): str(v) for k, v in mapping("commands").items()},
            all_of_them=listed("all_of_them"),
            yes=frozenset(listed("yes")),
            nickname_leads=listed("nickname_leads"),
            reasons={str(k): listed_of(v) for k, v in mapping("reasons").items()},
            clock_words={plain(str(k)): str(v) for k, v in mapping("clock_words").items()},
            at=listed("at", folded),
            date_words={plain(str(k)): str(v) for k, v in mapping("date_words").items()},
            date_order=str(data.get("date_order") or "DMY"),
            and_over=listed("and_over"),
            filler=listed("filler"),
        )


def listed_of(value: object) -> tuple[str, ...]:
    """A list of phrases from YAML, each made plain."""
    items = value if isinstance(value, Iterable) and not isinstance(value, str) else ()
    return tuple(plain(str(item)) for item in items)
