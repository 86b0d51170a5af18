"""Completion codes: hard to guess, easy to type, and a typo is told apart from a wrong code.

A code is 9 random characters and 1 check character from Crockford's base-32 alphabet
(``0-9`` and ``A-Z`` without ``I``, ``L``, ``O`` and ``U``), shown as ``KX7PQ-2MDAS``.

* Entropy: 9 characters x 5 bits = 45 random bits before the shape rule below, which keeps
  about three draws in four, so about 44.5 bits remain (at least 40, as promised).
* Look-alikes: the alphabet leaves out the letters that pass for 0 and 1 (and U, which passes
  for V); when people type them anyway they are folded back: ``O`` -> ``0``, ``I`` and ``L`` ->
  ``1``, ``U`` -> ``V``. Case, spaces, dashes, dots, underscores, invisible characters and
  full-width forms make no difference. Pairs such as 5/S or 8/B remain (32 symbols need them);
  a slip between them is a substitution, which the check character catches as a typo.
* Check character: each character is a number 0-31, read as an element of the field GF(32)
  (polynomials over GF(2) modulo x^5 + x^2 + 1). Position i is weighted by a distinct non-zero
  power of the field's generator, and the check character makes the weighted sum zero. In a field
  a non-zero weight times a non-zero difference is never zero, so *every* single substitution
  is caught, and since the weights are pairwise distinct *every* transposition of two different
  characters is caught too, adjacent or not. (It is the mod-prime scheme with the prime 37
  swapped for the 32-element field, so the check character needs no extra symbols.)
* Shape: a code has at least two of the digits 2-9 and two letters, mixed rather than in one
  block at an end, in at most two words, so chat like "24hrs ahead" or "4pm tonight" is not
  taken for a code.
"""

from __future__ import annotations

import enum
import re
import secrets
import unicodedata
from collections.abc import Callable

ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
RANDOM_LENGTH = 9
CODE_LENGTH = RANDOM_LENGTH + 1
GROUP_SIZE = 5
BITS_PER_CHARACTER = 5
RANDOM_BITS = RANDOM_LENGTH * BITS_PER_CHARACTER
PAYLOAD_PREFIX = "c_"
TELEGRAM_PAYLOAD_MAX_CHARS = 64
# Longer input is chat, not a code; checking it cheaply keeps hostile input cheap too.
MAX_INPUT_CHARS = 64
# Rejection sampling keeps about three draws in four; this many failures means a broken source.
MAX_DRAWS = 1000
MAX_WORDS = 2
MIN_SURE_DIGITS = 2
MIN_LETTERS = 2
MIN_RUNS = 3

_FIELD_POLYNOMIAL = 0b100101  # x^5 + x^2 + 1, primitive, so x generates all 31 non-zero elements
_FIELD_SIZE = 32
_FOLDS = str.maketrans({"O": "0", "I": "1", "L": "1", "U": "V"})
_SEPARATORS = re.compile(r"[\s\-_.\u2010-\u2015\u2212\u00ad\u200b-\u200f\u2060-\u2064\ufeff]+")
_WORD_BREAKS = re.compile(r"[\s\u200b-\u200f\u2060-\u2064\ufeff]+")
_VALUES = {char: value for value, char in enumerate(ALPHABET)}
# Characters whose letter-or-digit nature a typist may flip (O/0, I/L/1) prove nothing either way.
_AMBIGUOUS = frozenset("01OIL")
_SURE_DIGITS = frozenset("23456789")


class CodeCheck(enum.StrEnum):
    """What a typed code looks like, so a typo gets 'check it' rather than 'not valid'."""

    WELL_FORMED = "well_formed"
    MISTYPED = "mistyped"
    NOT_A_CODE = "not_a_code"


def _field_multiply(a: int, b: int) -> int:
    """Multiplies in GF(32), where a non-zero product of non-zero factors makes the check work."""
    product = 0
    while b:
        if b & 1:
            product ^= a
        b >>= 1
        a <<= 1
        if a & _FIELD_SIZE:
            a ^= _FIELD_POLYNOMIAL
    return product


def _weights() -> tuple[int, ...]:
    """Distinct non-zero weights, one per position; the check character's weight is 1."""
    weights = [1]
    for _ in range(CODE_LENGTH - 1):
        weights.append(_field_multiply(weights[-1], 2))
    return tuple(reversed(weights))


_WEIGHTS = _weights()


def _weighted_sum(characters: str) -> int:
    """The field sum that a code's check character brings to zero."""
    total = 0
    for char, weight in zip(characters, _WEIGHTS, strict=False):
        total ^= _field_multiply(_VALUES[char], weight)
    return total


def check_character(body: str) -> str:
    """The character that makes a 9-character body a whole code."""
    if len(body) != RANDOM_LENGTH or any(char not in _VALUES for char in body):
        raise ValueError("a code body is 9 characters of the code alphabet")
    # The check's weight is 1 and GF(32) addition is XOR, so the check is the body's sum itself.
    return ALPHABET[_weighted_sum(body)]


def _is_well_formed(code: str) -> bool:
    """Whether a normalised code's check character agrees with the rest."""
    return _weighted_sum(code) == 0


def normalise(text: str) -> str | None:
    """The canonical code in text, or None if it has not even the shape of a code."""
    if len(text) > MAX_INPUT_CHARS:
        return None
    folded = _SEPARATORS.sub("", unicodedata.normalize("NFKC", text))
    if not folded.isascii():
        return None
    folded = folded.upper().translate(_FOLDS)
    if len(folded) != CODE_LENGTH or any(char not in _VALUES for char in folded):
        return None
    return folded


def check(text: str) -> CodeCheck:
    """Whether text is a code, a code with a typo in it, or not a code at all."""
    code = normalise(text)
    if code is None:
        return CodeCheck.NOT_A_CODE
    return CodeCheck.WELL_FORMED if _is_well_formed(code) else CodeCheck.MISTYPED


def _runs(kinds: list[bool]) -> int:
    """How many blocks of letters and digits there are, to tell 'KX7PQ2' from '24hrs'."""
    return sum(1 for index, kind in enumerate(kinds) if index == 0 or kind != kinds[index - 1])


def _words(text: str) -> list[str]:
    """The words of a message, not counting a lone dash between the halves of a code."""
    return [word for word in _WORD_BREAKS.split(text) if any(char.isalnum() for char in word)]


def looks_like_code(text: str) -> bool:
    """Whether a plain message is a code, so chat like "basketball" is never called mistyped."""
    if normalise(text) is None:
        return False
    if len(_words(text)) > MAX_WORDS:
        return False
    sure = [
        char in _SURE_DIGITS
        for char in unicodedata.normalize("NFKC", text).upper()
        if char.isalnum() and char not in _AMBIGUOUS
    ]
    digits = sum(sure)
    return (
        digits >= MIN_SURE_DIGITS and len(sure) - digits >= MIN_LETTERS and _runs(sure) >= MIN_RUNS
    )


def find_code(text: str) -> str | None:
    """The first code-like word or pair of words in a message, for "my code is KX7PQ-2MDAS"."""
    words = _words(text)
    for index in range(len(words)):
        for candidate in (" ".join(words[index : index + 2]), words[index]):
            trimmed = candidate.strip("!?.,:;'\"()[]")
            if looks_like_code(trimmed):
                return normalise(trimmed)
    return None


def generate_code(random: Callable[[int], int] | None = None) -> str:
    """A new unguessable code in canonical form; random(n) gives 0 <= r < n (secrets by default)."""
    draw = secrets.randbelow if random is None else random
    for _ in range(MAX_DRAWS):
        body = "".join(ALPHABET[draw(len(ALPHABET))] for _ in range(RANDOM_LENGTH))
        code = body + check_character(body)
        if looks_like_code(code):
            return code
    raise RuntimeError("the random source never gave a code-shaped draw")


def display(code: str) -> str:
    """The code as people read it, in groups of five: KX7PQ-2MDAS."""
    canonical = normalise(code)
    if canonical is None:
        raise ValueError("not a code")
    return "-".join(
        canonical[start : start + GROUP_SIZE] for start in range(0, CODE_LENGTH, GROUP_SIZE)
    )


# The code shown in wording as an example ("Codes look like ..."): a real, well-formed code.
EXAMPLE_CODE = display("KX7PQ2MDA" + check_character("KX7PQ2MDA"))


def deep_link_payload(code: str) -> str:
    """The /start payload that redeems a code from a scanned QR (Telegram allows [A-Za-z0-9_-])."""
    canonical = normalise(code)
    if canonical is None:
        raise ValueError("not a code")
    return PAYLOAD_PREFIX + canonical


def code_from_payload(payload: str) -> str | None:
    """The canonical code in a /start payload, or None if the payload is not a code link.

    The result is not checked: pass it to check() so a damaged link is answered as mistyped.
    """
    payload = payload.strip()
    if len(payload) > TELEGRAM_PAYLOAD_MAX_CHARS or not payload.startswith(PAYLOAD_PREFIX):
        return None
    return normalise(payload.removeprefix(PAYLOAD_PREFIX))


def deep_link(bot_username: str, code: str) -> str:
    """The URL a venue card's QR holds: opening it starts the bot with the code."""
    return f"https://t.me/{bot_username.lstrip('@')}?start={deep_link_payload(code)}"
