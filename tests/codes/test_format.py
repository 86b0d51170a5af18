"""Completion codes: unguessable, forgiving of how they are typed, and strict about typos."""

from __future__ import annotations

import math
import random
import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from colbot.codes import format as codes
from colbot.codes.format import CodeCheck

EXAMPLE = "KX7PQ2MDAS"
EXAMPLE_DISPLAY = "KX7PQ-2MDAS"
SAMPLE_SIZE = 300
TELEGRAM_PAYLOAD = re.compile(r"^[A-Za-z0-9_-]{1,64}$")


def sample_codes(count: int, seed: int = 2026) -> list[str]:
    """Reproducible codes, so an exhaustive check covers the same ground every run."""
    source = random.Random(seed)
    return [codes.generate_code(source.randrange) for _ in range(count)]


def test_the_alphabet_has_32_characters_none_of_them_look_alikes() -> None:
    assert len(codes.ALPHABET) == len(set(codes.ALPHABET)) == 32
    assert not set(codes.ALPHABET) & set("ILOU")
    assert codes.ALPHABET.isascii() and codes.ALPHABET.isupper()


def test_codes_carry_at_least_40_random_bits() -> None:
    assert codes.RANDOM_BITS == codes.RANDOM_LENGTH * math.log2(len(codes.ALPHABET)) >= 45
    # The shape rule throws some draws away; what is kept must still be at least 40 bits.
    source = random.Random(40)
    draws = 20_000
    kept = 0
    for _ in range(draws):
        body = "".join(source.choice(codes.ALPHABET) for _ in range(codes.RANDOM_LENGTH))
        kept += codes.looks_like_code(body + codes.check_character(body))
    assert codes.RANDOM_BITS + math.log2(kept / draws) >= 44


def test_a_new_code_is_canonical_well_formed_and_code_shaped() -> None:
    for code in [codes.generate_code() for _ in range(200)]:
        assert len(code) == codes.CODE_LENGTH == 10
        assert set(code) <= set(codes.ALPHABET)
        assert codes.normalise(code) == code
        assert codes.check(code) is CodeCheck.WELL_FORMED
        assert codes.looks_like_code(code)


def test_an_injected_source_makes_codes_reproducible() -> None:
    assert sample_codes(20, seed=1) == sample_codes(20, seed=1)
    assert sample_codes(20, seed=1) != sample_codes(20, seed=2)


def test_the_default_source_is_secrets(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(codes.secrets, "randbelow", random.Random(5).randrange)
    assert codes.generate_code() == codes.generate_code(random.Random(5).randrange)


def test_a_broken_source_fails_loudly_rather_than_looping() -> None:
    with pytest.raises(RuntimeError):
        codes.generate_code(lambda _: 0)


def test_100k_codes_are_all_different() -> None:
    made = sample_codes(100_000, seed=100)
    assert len(set(made)) == len(made)
    assert len({codes.display(code) for code in made}) == len(made)


@pytest.mark.parametrize(
    "typed",
    [
        EXAMPLE,
        EXAMPLE_DISPLAY,
        "kx7pq-2mdas",
        "Kx7Pq 2mDaS",
        " kx7 pq2 mda s ",
        "KX7PQ_2MDAS",
        "KX7PQ.2MDAS",
        "KX7PQ–2MDAS",  # an en dash, as phones like to type
        "KX7PQ\u200b2MDAS\u200d",
        "ＫＸ７ＰＱ－２ＭＤＡＳ",  # full-width, from a CJK keyboard
    ],
)
def test_case_spaces_dashes_and_invisible_characters_make_no_difference(typed: str) -> None:
    assert codes.normalise(typed) == EXAMPLE
    assert codes.check(typed) is CodeCheck.WELL_FORMED


def test_look_alikes_fold_into_the_alphabet() -> None:
    assert codes.normalise("AB0CD-1EF1G") == "AB0CD1EF1G"
    assert codes.normalise("abocd-iefLg") == "AB0CD1EF1G"
    assert codes.normalise("ABUCD-EFGHJ") == "ABVCD" + "EFGHJ"


@settings(database=None, max_examples=300)
@given(
    seed=st.integers(min_value=0, max_value=2**32),
    decorations=st.lists(
        st.tuples(st.booleans(), st.sampled_from(["", " ", "-", "  ", "_", "\u200b", "."])),
        min_size=codes.CODE_LENGTH,
        max_size=codes.CODE_LENGTH,
    ),
)
def test_any_typing_of_a_code_gives_the_code_back(
    seed: int, decorations: list[tuple[bool, str]]
) -> None:
    code = codes.generate_code(random.Random(seed).randrange)
    look_alikes = {"0": "O", "1": "I"}
    typed = ""
    for char, (lower, separator) in zip(code, decorations, strict=True):
        shown = look_alikes.get(char, char)
        typed += (shown.lower() if lower else shown) + separator
    assert codes.normalise(typed) == code
    assert codes.check(typed) is CodeCheck.WELL_FORMED
    # Spaced out letter by letter it reads as chat; in one or two words it reads as a code.
    assert codes.looks_like_code(typed.replace(" ", "-").replace("\u200b", ""))


@pytest.mark.parametrize(
    "text", ["", "KX7PQ2MDA", "KX7PQ2MDAS2", "KX7PQ!2MDAS", "KX7PQ😀2MDAS", "ẞX7PQ2MDAS", "x" * 500]
)
def test_wrong_lengths_and_strange_characters_are_not_codes(text: str) -> None:
    assert codes.normalise(text) is None
    assert codes.check(text) is CodeCheck.NOT_A_CODE


def test_every_single_substitution_is_caught() -> None:
    for code in sample_codes(SAMPLE_SIZE):
        for position, original in enumerate(code):
            for other in codes.ALPHABET:
                if other != original:
                    typo = code[:position] + other + code[position + 1 :]
                    assert codes.check(typo) is CodeCheck.MISTYPED, (code, typo)


def test_every_adjacent_transposition_is_caught() -> None:
    swaps = 0
    for code in sample_codes(SAMPLE_SIZE):
        for position in range(codes.CODE_LENGTH - 1):
            first, second = code[position], code[position + 1]
            if first != second:
                typo = code[:position] + second + first + code[position + 2 :]
                assert codes.check(typo) is CodeCheck.MISTYPED, (code, typo)
                swaps += 1
    assert swaps > SAMPLE_SIZE * 8


def test_even_distant_transpositions_are_caught() -> None:
    for code in sample_codes(SAMPLE_SIZE):
        for left in range(codes.CODE_LENGTH):
            for right in range(left + 1, codes.CODE_LENGTH):
                if code[left] != code[right]:
                    typo = list(code)
                    typo[left], typo[right] = typo[right], typo[left]
                    assert codes.check("".join(typo)) is CodeCheck.MISTYPED


def test_a_code_with_a_typo_is_mistyped_and_chat_is_not_a_code() -> None:
    assert codes.check("KX7PQ-2MDA5") is CodeCheck.MISTYPED
    assert codes.check("KX7PQ-2MADS") is CodeCheck.MISTYPED
    assert codes.check("hello") is CodeCheck.NOT_A_CODE
    assert codes.check("KX7PQ-2MDAS-9") is CodeCheck.NOT_A_CODE


@pytest.mark.parametrize(
    "text",
    [
        "hello",
        "thanks!",
        "football",
        "I am 15",
        "basketball",
        "Basketball",
        "hello there",
        "see you then",
        "24hrs ahead",
        "4pm tonight",
        "b4 2morrow x",
        "going at 4pm",
        "07700 900123",
        "1234567890",
        "yes please",
        "",
        "   ",
    ],
)
def test_ordinary_chat_does_not_look_like_a_code(text: str) -> None:
    assert not codes.looks_like_code(text)
    assert codes.find_code(text) is None


@pytest.mark.parametrize("typed", [EXAMPLE, EXAMPLE_DISPLAY, "kx7pq 2mdas", "kx7pq-2mdas "])
def test_a_code_sent_as_a_message_looks_like_a_code(typed: str) -> None:
    assert codes.looks_like_code(typed)


def test_a_mistyped_code_still_looks_like_a_code() -> None:
    assert codes.looks_like_code("KX7PQ-2MDA5")


def test_a_code_is_found_inside_a_sentence() -> None:
    assert codes.find_code("my code is kx7pq-2mdas thanks!") == EXAMPLE
    assert codes.find_code("code: KX7PQ 2MDAS") == EXAMPLE
    assert codes.find_code("(KX7PQ-2MDAS)") == EXAMPLE


def test_a_code_is_shown_in_two_groups_of_five() -> None:
    assert codes.display(EXAMPLE) == EXAMPLE_DISPLAY
    assert codes.display("kx7pq2mdas") == EXAMPLE_DISPLAY
    with pytest.raises(ValueError):
        codes.display("hello")


def test_the_check_character_needs_a_whole_body() -> None:
    assert codes.check_character(EXAMPLE[:-1]) == EXAMPLE[-1]
    with pytest.raises(ValueError):
        codes.check_character("KX7")
    with pytest.raises(ValueError):
        codes.check_character("KX7PQ2MDO")


def test_a_deep_link_payload_round_trips() -> None:
    for code in sample_codes(200):
        payload = codes.deep_link_payload(code)
        assert TELEGRAM_PAYLOAD.match(payload)
        assert codes.code_from_payload(payload) == code
    assert codes.deep_link_payload(EXAMPLE_DISPLAY) == "c_" + EXAMPLE
    assert codes.deep_link("@colbot", EXAMPLE) == "https://t.me/colbot?start=c_KX7PQ2MDAS"


@pytest.mark.parametrize("payload", ["", "hello", "c_", "c_hello", "x_KX7PQ2MDAS", "c_" + "A" * 70])
def test_other_start_payloads_carry_no_code(payload: str) -> None:
    assert codes.code_from_payload(payload) is None


def test_a_damaged_link_is_answered_as_mistyped() -> None:
    damaged = codes.code_from_payload("c_KX7PQ2MDA5")
    assert damaged is not None
    assert codes.check(damaged) is CodeCheck.MISTYPED
