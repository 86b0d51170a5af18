"""1EdTech's OB 2.0 reference validator accepts colbot's signed assertions and baked PNGs.

The validator (PyPI `openbadges` 1.1.2) lives in a virtual environment of its own (see .ci/run);
it fetches the issuer, key and badge class from a colbot listening on 127.0.0.1.
"""

from __future__ import annotations

import asyncio
import json
import os
from pathlib import Path
from typing import Any

import aiohttp

from colbot.app import Colbot
from tests.badgeflow.conftest import Handed, fetched, handed_badge, make_code, redeem
from tests.badges.world import SHARED

RUNNER = Path(__file__).with_name("ob2_validator.py")
OB2_CONTEXT = SHARED / "contexts" / "openbadges-v2.json"
VALIDATOR_TIMEOUT_S = 120


async def validated(
    python: Path, badge: bytes | str, tmp_path: Path, email: str | None = None
) -> dict[str, Any]:
    """The validator's report on a baked PNG (bytes) or a JWS (str)."""
    arguments = [str(RUNNER), str(OB2_CONTEXT)]
    if isinstance(badge, bytes):
        image = tmp_path / "baked.png"
        image.write_bytes(badge)
        arguments += ["--png", str(image)]
    else:
        arguments += ["--text", badge]
    if email is not None:
        arguments += ["--email", email]
    process = await asyncio.create_subprocess_exec(
        str(python),
        *arguments,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
        env={"PATH": os.environ.get("PATH", ""), "PYTHONWARNINGS": "ignore"},
    )
    out, err = await asyncio.wait_for(process.communicate(), VALIDATOR_TIMEOUT_S)
    assert process.returncode == 0, err.decode()[-3000:]
    result: dict[str, Any] = json.loads(out)
    return result


def problems(result: dict[str, Any]) -> list[str]:
    """The validator's errors and warnings, one line each."""
    return [
        f"{m['messageLevel']} {m.get('name')}: {m.get('result')}"
        for m in result["report"]["messages"]
    ]


def assert_valid(result: dict[str, Any], handed: Handed) -> None:
    """Valid, with nothing to say, having fetched every document the assertion leads to."""
    report = result["report"]
    assert report["valid"] is True, problems(result)
    assert report["errorCount"] == 0 and report["warningCount"] == 0, problems(result)
    nodes = {node.get("type"): node["id"] for node in result["graph"]}
    assertion = handed.assertion
    assert nodes["Assertion"] == report["validationSubject"] == assertion["id"]
    assert nodes["BadgeClass"] == assertion["badge"]
    assert nodes["CryptographicKey"] == assertion["verification"]["creator"]
    assert {"Issuer", "RevocationList"} <= nodes.keys()


async def test_the_reference_validator_accepts_the_signed_assertion_and_the_baked_pngs(
    served: Colbot, http: aiohttp.ClientSession, validator_python: Path, tmp_path: Path
) -> None:
    code, _ = await make_code(served)
    _, replies = await redeem(served, code)
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
    served: Colbot, validator_python: Path, tmp_path: Path
) -> None:
    first_code, _ = await make_code(served)
    talker, _ = await redeem(served, first_code)
    await talker.say("/email sam.learner@example.net")
    code, _ = await make_code(served, opportunity_id=2)
    handed = handed_badge(await talker.say(code))
    assert handed.assertion["recipient"]["type"] == "email"

    mine = await validated(validator_python, handed.baked, tmp_path, "sam.learner@example.net")
    assert_valid(mine, handed)
    theirs = await validated(validator_python, handed.ob2_jws, tmp_path, "someone@example.net")
    assert theirs["report"]["valid"] is False
    assert any("VERIFY_RECIPIENT_IDENTIFIER" in line for line in problems(theirs))


async def test_the_reference_validator_rejects_a_tampered_assertion(
    served: Colbot, validator_python: Path, tmp_path: Path
) -> None:
    """A control: the same validator and setup do refuse a badge that is not colbot's."""
    code, _ = await make_code(served)
    _, replies = await redeem(served, code)
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
