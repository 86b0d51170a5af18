"""1EdTech's OB 2.0 reference validator accepts colbot's signed assertions and baked PNGs.

The validator (PyPI `openbadges` 1.1.2) lives in a virtual environment of its own (see .ci/run);
it fetches the issuer, key and badge class from a colbot listening on 127.0.0.1.
"""

from __future__ import annotations

from pathlib import Path

import aiohttp

from colbot.app import Colbot
from tests.support.badge_flow import fetched, handed_badge, make_code, redeem
from tests.support.reference_validator import assert_valid, problems, validated


async def test_the_reference_validator_accepts_the_signed_assertion_and_the_baked_pngs(
    serving_colbot: Colbot, http: aiohttp.ClientSession, validator_python: Path, tmp_path: Path
) -> None:
    code, _ = await make_code(serving_colbot)
    _, replies = await redeem(serving_colbot, code)
    handed = handed_badge(replies)

    from_jws = await validated(validator_python, handed.ob2_jws, tmp_path)
    assert_valid(from_jws, handed)
    assert from_jws["input"]["input_type"] == "jws"

    from_png = await validated(validator_python, handed.baked, tmp_path)
    assert_valid(from_png, handed)
    assert from_png["input"]["input_type"] == "jws"

    hosted_url = handed.credential["id"].replace("/credentials/", "/images/") + ".png"
    status, content_type, hosted = await fetched(http, hosted_url)
    assert (status, content_type) == (200, "image/png")
    assert_valid(await validated(validator_python, hosted, tmp_path), handed)


async def test_the_reference_validator_matches_the_email_recipient(
    serving_colbot: Colbot, validator_python: Path, tmp_path: Path
) -> None:
    first_code, _ = await make_code(serving_colbot)
    talker, _ = await redeem(serving_colbot, first_code)
    await talker.say("/email sam.learner@example.net")
    code, _ = await make_code(serving_colbot, opportunity_id=2)
    handed = handed_badge(await talker.say(code))
    assert handed.assertion["recipient"]["type"] == "email"

    mine = await validated(validator_python, handed.baked, tmp_path, "sam.learner@example.net")
    assert_valid(mine, handed)
    theirs = await validated(validator_python, handed.ob2_jws, tmp_path, "someone@example.net")
    assert theirs["report"]["valid"] is False
    assert any("VERIFY_RECIPIENT_IDENTIFIER" in line for line in problems(theirs))


async def test_the_reference_validator_rejects_a_tampered_assertion(
    serving_colbot: Colbot, validator_python: Path, tmp_path: Path
) -> None:
    """A control: the same validator and setup do refuse a badge that is not colbot's."""
    code, _ = await make_code(serving_colbot)
    _, replies = await redeem(serving_colbot, code)
    header, payload, signature = handed_badge(replies).ob2_jws.split(".")
    forged = ".".join(
        (header, payload, signature[:-4] + ("AAAA" if signature[-4:] != "AAAA" else "BBBB"))
    )

    result = await validated(validator_python, forged, tmp_path)
    assert result["report"]["valid"] is False
    assert any(
        line.startswith("ERROR VERIFY_JWS") and "Signature verification failed" in line
        for line in problems(result)
    ), problems(result)
