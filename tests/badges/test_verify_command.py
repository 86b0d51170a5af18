"""`colbot badges verify`: valid or not, every check, and its own reason for each bad input."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest

from colbot.app import Colbot
from colbot.badges.artwork import render_png
from colbot.badges.issuers import shared_key_store
from colbot.badges.urls import partner_issuer
from colbot.content.locations import badges_dir
from colbot.openbadges import dataintegrity, jws
from colbot.openbadges.keys import IssuerKeys
from tests.support.badge_flow import CliRun, Handed, badges_of, handed_badge, make_code, redeem
from tests.support.demo import TEST_NOW

BAD_SIZE = 50 * 1024 * 1024


@pytest.fixture
async def handed(serving_colbot: Colbot) -> Handed:
    code, _ = await make_code(serving_colbot)
    _, replies = await redeem(serving_colbot, code)
    return handed_badge(replies)


@pytest.fixture(scope="module")
def stranger() -> IssuerKeys:
    return IssuerKeys.generate()


def unsigned(credential: dict[str, Any]) -> dict[str, Any]:
    document = copy.deepcopy(credential)
    document.pop("proof")
    return document


def resign(document: dict[str, Any], keys: IssuerKeys, issuer_id: str) -> dict[str, Any]:
    return dataintegrity.sign(document, keys.ed25519, keys.verification_method(issuer_id), TEST_NOW)


def write(folder: Path, name: str, data: bytes | str) -> str:
    path = folder / name
    path.write_bytes(data if isinstance(data, bytes) else data.encode())
    return str(path)


async def test_a_good_badge_in_every_form_is_valid_and_each_check_is_listed(
    serving_colbot: Colbot, handed: Handed, run_cli: CliRun, tmp_path: Path
) -> None:
    stored = (await badges_of(serving_colbot))[0]
    inputs = [
        write(tmp_path, "badge.png", handed.baked),
        write(tmp_path, "badge.json", json.dumps(handed.credential)),
        handed.ob2_jws,
        stored.ob3_jwt or "",
        handed.credential["id"].replace("credentials", "images") + ".svg",
        handed.credential["id"].replace("credentials", "images") + ".ob2.svg",
    ]
    for given in inputs:
        code, output = await run_cli("badges", "verify", given)
        assert code == 0, output
        assert output.startswith("VALID"), output
        for check in ("format", "signature", "issuer", "key-ownership", "revocation", "expiry"):
            assert f"✓ {check}:" in output, (check, output)
    code, output = await run_cli(
        "badges", "verify", inputs[0], "--recipient", "someone@example.net"
    )
    assert code == 1 and "✗ recipient:" in output


async def test_each_bad_input_gets_its_own_reason(
    serving_colbot: Colbot, handed: Handed, run_cli: CliRun, tmp_path: Path, stranger: IssuerKeys
) -> None:
    issuer_id = handed.credential["issuer"]["id"]
    issuer = partner_issuer("kensalfield-museum")
    keys = shared_key_store(serving_colbot.settings.data_dir.resolve()).current(issuer)

    tampered = copy.deepcopy(handed.credential)
    tampered["credentialSubject"]["achievement"]["name"] = "Brain Surgery"
    expired = unsigned(handed.credential)
    expired["validUntil"] = "2026-11-01T00:00:00Z"
    expired["validFrom"] = "2026-10-01T00:00:00Z"
    unknown = unsigned(handed.credential)
    nobody = issuer_id.replace(issuer, "partner-nobody")
    unknown["issuer"]["id"] = nobody
    forged = unsigned(handed.credential)
    header, payload, _ = handed.ob2_jws.split(".")
    bad_inputs = {
        "tampered": (
            write(tmp_path, "tampered.json", json.dumps(tampered)),
            "✗ signature: the Ed25519 signature does not match",
        ),
        "wrong key": (
            write(tmp_path, "forged.json", json.dumps(resign(forged, stranger, issuer_id))),
            "does not list the key",
        ),
        "wrong key for the JWS": (
            jws.sign_assertion(handed.assertion, stranger.rsa),
            "signed with another key",
        ),
        "expired": (
            write(tmp_path, "expired.json", json.dumps(resign(expired, keys, issuer_id))),
            "expired: validUntil was 2026-11-01T00:00:00Z",
        ),
        "unknown issuer": (
            write(tmp_path, "unknown.json", json.dumps(resign(unknown, stranger, nobody))),
            "unknown issuer: could not fetch the issuer profile",
        ),
        "malformed JSON": (write(tmp_path, "broken.json", '{"@context": ['), "malformed JSON"),
        "malformed JWS": (f"{header}.{payload[:-8]}.c2ln", "malformed JWS"),
        "PNG with no badge": (
            write(tmp_path, "plain.png", render_png(badges_dir() / "artwork" / "music.svg")),
            "this PNG image has no badge baked into it",
        ),
        "50 MB file": (_huge(tmp_path), "50.0 MB; colbot reads at most 10 MB"),
        "not a badge at all": ("hello", "is not a file, an http(s) URL"),
    }
    reasons = set()
    for name, (given, expected) in bad_inputs.items():
        code, output = await run_cli("badges", "verify", given)
        assert code == 1, (name, output)
        assert output.startswith("NOT VALID"), (name, output)
        assert expected in output, (name, output)
        reasons.add(output.splitlines()[0])
    assert len(reasons) == len(bad_inputs)


async def test_revoked_and_retired_key_badges(
    serving_colbot: Colbot, handed: Handed, run_cli: CliRun, tmp_path: Path
) -> None:
    png = write(tmp_path, "badge.png", handed.baked)

    code, output = await run_cli("keys", "rotate", "Kensalfield Museum")
    assert code == 0, output
    assert "stays published" in output
    code, output = await run_cli("badges", "verify", png)
    assert code == 0, output
    assert "retired" not in output.splitlines()[0] and output.startswith("VALID")
    old_method = handed.credential["proof"][0]["verificationMethod"]
    assert f"✓ key-ownership: the issuer lists {old_method}" in output

    code, output = await run_cli("badges", "revoke", handed.credential["id"], "--reason", "oops")
    assert code == 0
    code, output = await run_cli("badges", "verify", png)
    assert code == 1 and output.startswith("NOT VALID: revoked by the issuer"), output
    code, output = await run_cli("badges", "verify", handed.credential["id"])
    assert code == 1 and "revoked by the issuer" in output
    code, output = await run_cli("keys", "rotate", "no-such-partner")
    assert code == 1 and "no issuer" in output


def _huge(folder: Path) -> str:
    path = folder / "huge.png"
    with path.open("wb") as handle:
        handle.truncate(BAD_SIZE)
    return str(path)
