"""Revoking a badge is seen by every form: the OB 2.0 list, the OB 3.0 status list, the hosting."""

from __future__ import annotations

import asyncio
import json
import secrets

import aiohttp
import pytest
from sqlalchemy import select

from colbot.app import Colbot
from colbot.badges.cli import fetch as http_fetch
from colbot.badges.store import WITHDRAWN, new_public_id
from colbot.openbadges import dataintegrity
from colbot.openbadges.canonical import expand
from colbot.openbadges.contexts import OB2_CONTEXT
from colbot.openbadges.statuslist import decode_bitstring, status_bit
from colbot.openbadges.verify import verify
from colbot.storage.models import IssuedBadge, YoungPerson
from tests.support.badge_checks import multikey_checked
from tests.support.badge_flow import (
    CliRun,
    Handed,
    badges_of,
    fetch_json,
    fetched,
    handed_badge,
    make_code,
    redeem,
)
from tests.support.demo import TEST_NOW


def forms_of(handed: Handed, stored: IssuedBadge) -> dict[str, bytes | str]:
    return {
        "baked png": handed.baked,
        "ob2 jws": handed.ob2_jws,
        "credential json": json.dumps(handed.credential),
        "vc-jwt": stored.ob3_jwt or "",
    }


async def is_listed_as_revoked(
    http: aiohttp.ClientSession, handed: Handed
) -> tuple[str | None, bool]:
    """(OB 2.0 revocation reason or None, OB 3.0 status bit), both read over HTTP."""
    issuer = await fetch_json(http, (await fetch_json(http, handed.assertion["badge"]))["issuer"])
    revocations = await fetch_json(http, issuer["revocationList"])
    reason = next(
        (
            entry.get("revocationReason")
            for entry in revocations["revokedAssertions"]
            if entry["id"] == handed.assertion["id"]
        ),
        None,
    )
    entry = handed.credential["credentialStatus"]
    status_list = await fetch_json(http, entry["statusListCredential"])
    method = status_list["proof"][0]["verificationMethod"]
    key = await multikey_checked(http, method, status_list["issuer"])
    checked = dataintegrity.verify(status_list, public_key=key, expected_verification_method=method)
    assert checked.valid, checked.checks
    bits = decode_bitstring(status_list["credentialSubject"]["encodedList"])
    return reason, status_bit(bits, int(entry["statusListIndex"]))


async def test_revoke_command_revokes_every_form_at_once(
    serving_colbot: Colbot, http: aiohttp.ClientSession, run_cli: CliRun
) -> None:
    code, _ = await make_code(serving_colbot)
    _, replies = await redeem(serving_colbot, code)
    handed = handed_badge(replies)
    stored = (await badges_of(serving_colbot))[0]
    assert await is_listed_as_revoked(http, handed) == (None, False)

    exit_code, output = await run_cli(
        "badges", "revoke", handed.credential["id"], "--reason", "Issued by mistake"
    )

    assert exit_code == 0, output
    assert "Revoked" in output and "status/1" in output
    assert await is_listed_as_revoked(http, handed) == ("Issued by mistake", True)
    for name, form in forms_of(handed, stored).items():
        verdict = await asyncio.to_thread(verify, form, http_fetch, TEST_NOW)
        assert not verdict.valid, name
        assert verdict.reason.startswith("revoked by the issuer"), (name, verdict.reason)
    for url in (handed.credential["id"], handed.assertion["id"], handed.credential["id"] + ".jwt"):
        status, _, body = await fetched(http, url)
        gone = json.loads(body)
        assert status == 410 and gone["revoked"] is True
        assert gone["@context"] == OB2_CONTEXT and gone["type"] == "Assertion"
        expand(gone)  # JSON-LD that loses nothing on expansion
    again, output = await run_cli("badges", "revoke", stored.public_id, "--reason", "twice")
    assert again == 0 and "already revoked" in output
    after_dashes, output = await run_cli(
        "badges", "revoke", "--reason", "x", "--", stored.public_id
    )
    assert after_dashes == 0 and "already revoked" in output
    unknown, output = await run_cli("badges", "revoke", "no-such-badge", "--reason", "x")
    assert unknown == 1 and "no badge" in output


def test_badge_ids_never_start_like_an_option(monkeypatch: pytest.MonkeyPatch) -> None:
    drawn = iter(["-hZk-TKyMSR86mFBOgq5wA", "_x", "Zk-TKyMSR86mFBOgq5wA"])
    monkeypatch.setattr(secrets, "token_urlsafe", lambda nbytes: next(drawn))

    assert new_public_id() == "_x"
    assert new_public_id() == "Zk-TKyMSR86mFBOgq5wA"


async def test_delete_revokes_badges_as_withdrawn_at_the_recipients_request(
    serving_colbot: Colbot, http: aiohttp.ClientSession
) -> None:
    code, _ = await make_code(serving_colbot)
    talker, replies = await redeem(serving_colbot, code)
    handed = handed_badge(replies)

    await talker.say("/delete")
    labels = talker.last.button_labels()
    assert labels == ["Yes, delete everything", "No, keep it", "Delete, but keep my badges working"]
    assert "badges will stop working" in talker.last_text()
    await talker.press("Yes, delete everything")

    assert await is_listed_as_revoked(http, handed) == (WITHDRAWN, True)
    for badge in await badges_of(serving_colbot):
        assert badge.revocation_reason == WITHDRAWN and badge.young_person_id is None
        assert badge.ob3_credential is None and badge.ob2_assertion_jws is None
    verdict = await asyncio.to_thread(verify, handed.baked, http_fetch, TEST_NOW)
    assert not verdict.valid and "revoked" in verdict.reason


async def test_delete_can_keep_badges_working(
    serving_colbot: Colbot, http: aiohttp.ClientSession
) -> None:
    code, _ = await make_code(serving_colbot)
    talker, replies = await redeem(serving_colbot, code)
    handed = handed_badge(replies)

    await talker.say("/delete")
    await talker.press("keep my badges working")

    async with serving_colbot.database.transaction() as session:
        assert await session.scalar(select(YoungPerson)) is None
    assert await is_listed_as_revoked(http, handed) == (None, False)
    assert all(b.revoked_at is None for b in await badges_of(serving_colbot))
    verdict = await asyncio.to_thread(verify, handed.baked, http_fetch, TEST_NOW)
    assert verdict.valid, verdict.reason


async def test_delete_without_badges_asks_as_before(serving_colbot: Colbot) -> None:
    talker, _ = await redeem(serving_colbot, "/start")
    await talker.press("Yes")
    await talker.say("/delete")
    assert talker.last.button_labels() == ["Yes, delete everything", "No, keep it"]
