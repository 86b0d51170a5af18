"""Issuer keys: made on demand, owner-only, never logged, rotated with old ones still published."""

from __future__ import annotations

import asyncio
import logging
import shutil
import stat

import aiohttp
import pytest

from colbot.app import Colbot
from colbot.badges.cli import fetch as http_fetch
from colbot.badges.issuers import CURRENT_FILE, KEYS_FOLDER, RETIRED_FOLDER
from colbot.badges.urls import CITY_ISSUER, partner_issuer
from colbot.openbadges.verify import verify
from tests.support.badge_flow import CliRun, fetch_json, handed_badge, make_code, redeem
from tests.support.demo import TEST_NOW

MUSEUM = partner_issuer("kensalfield-museum")


def mode(path: object) -> int:
    return stat.S_IMODE(path.stat().st_mode)  # type: ignore[attr-defined]


async def test_each_issuer_gets_owner_only_keys_when_first_needed(
    serving_colbot: Colbot, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    keys = serving_colbot.settings.data_dir / KEYS_FOLDER
    shutil.rmtree(keys / MUSEUM)  # the demo copy has keys; this colbot never had the museum's

    code, _ = await make_code(serving_colbot)
    await redeem(serving_colbot, code)

    for issuer in (MUSEUM, CITY_ISSUER):
        current = keys / issuer / CURRENT_FILE
        assert mode(current) == 0o600 and mode(keys / issuer) == 0o700
        assert b"PRIVATE KEY" in current.read_bytes()
    assert mode(keys) == 0o700
    assert "PRIVATE KEY" not in caplog.text and "-----BEGIN" not in caplog.text


async def test_rotation_publishes_new_keys_and_keeps_the_old_ones(
    serving_colbot: Colbot, http: aiohttp.ClientSession, run_cli: CliRun
) -> None:
    code, _ = await make_code(serving_colbot, uses=2)
    _, replies = await redeem(serving_colbot, code, who="before")
    before = handed_badge(replies)
    issuer_id = before.credential["issuer"]["id"]

    exit_code, output = await run_cli("keys", "rotate", "kensalfield-museum")
    assert exit_code == 0, output

    retired = serving_colbot.settings.data_dir / KEYS_FOLDER / MUSEUM / RETIRED_FOLDER
    assert [mode(p) for p in retired.iterdir()] == [0o600]
    assert b"PRIVATE KEY" not in next(retired.iterdir()).read_bytes()
    _, replies = await redeem(serving_colbot, code, who="after")
    after = handed_badge(replies)
    old_method = before.credential["proof"][0]["verificationMethod"]
    new_method = after.credential["proof"][0]["verificationMethod"]
    assert old_method != new_method
    profile = await fetch_json(http, issuer_id)
    assert {old_method, new_method} <= set(profile["assertionMethod"])
    ob2 = await fetch_json(http, issuer_id + "/ob2")
    old_key = before.assertion["verification"]["creator"]
    new_key = after.assertion["verification"]["creator"]
    assert old_key != new_key and {old_key, new_key} <= set(ob2["publicKey"])
    for form in (before.baked, before.ob2_jws, after.baked, after.ob2_jws):
        verdict = await asyncio.to_thread(verify, form, http_fetch, TEST_NOW)
        assert verdict.valid, verdict.reason
    status_list = await fetch_json(
        http, before.credential["credentialStatus"]["statusListCredential"]
    )
    assert status_list["proof"][0]["verificationMethod"] == new_method
