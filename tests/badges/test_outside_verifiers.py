"""Digital Bazaar's VC stack and jose verify colbot's OB 3.0 badges, as wallets and verifiers do.

`.ci/oracles/verify.mjs` runs @digitalbazaar/vc with the eddsa-rdfc-2022 suite and the Bitstring
Status List check, loading documents the way @digitalcredentials/security-document-loader does
for the Learner Credential Wallet and VerifierPlus, and jose for the VC-JWT. It reads contexts
only from its npm packages and fetches only from this test's colbot on loopback.

The checks are made per badge, and the VC-JWT's `sub` is expected to be credentialSubject.id
whenever the credential has one. A copy reissued to a wallet's did:key through the wallet
exchange is checked the same way, status list and all.
"""

from __future__ import annotations

import asyncio
import copy
import json
from typing import Any

import aiohttp

from colbot.app import Colbot
from colbot.badges.cli import fetch as http_fetch
from colbot.badges.issuers import shared_key_store
from colbot.badges.urls import CITY_ISSUER, is_partner
from colbot.openbadges import dataintegrity
from colbot.openbadges.contexts import DID_CONTEXT, MULTIKEY_CONTEXT, PINNED_CONTEXTS, context_bytes
from colbot.openbadges.verify import verify
from colbot.storage.models import IssuedBadge
from tests.doubles.learner_credential_wallet import LearnerCredentialWallet
from tests.support.badge_flow import (
    CliRun,
    Handed,
    badges_of,
    fetch_json,
    fetched,
    make_code,
    redeem,
)
from tests.support.demo import TEST_NOW
from tests.support.oracles import Check, Oracle, Verdict, installed_module
from tests.wallet.conftest import earn_and_offer

# Where the key contexts colbot pins come from: each npm package's own copy.
PACKAGED_CONTEXTS = {
    MULTIKEY_CONTEXT: ("@digitalbazaar/multikey-context", "contexts/multikey-v1.jsonld"),
    DID_CONTEXT: ("did-context", "contexts/did-v1.jsonld"),
}


async def issued(colbot: Colbot) -> dict[str, IssuedBadge]:
    """One redemption's badges by kind: the partner's, and the city's first-badge milestone."""
    code, _ = await make_code(colbot)
    await redeem(colbot, code)
    by_kind = {
        "partner" if is_partner(badge.issuer_id) else badge.issuer_id: badge
        for badge in await badges_of(colbot)
    }
    assert by_kind.keys() == {"partner", CITY_ISSUER}
    return by_kind


def credential_of(badge: IssuedBadge) -> dict[str, Any]:
    assert badge.ob3_credential is not None
    return badge.ob3_credential


def expected_subject(credential: dict[str, Any]) -> str:
    """What a VC-JWT's sub must be: credentialSubject.id, else the hashed identifier."""
    subject = credential["credentialSubject"]
    return str(subject.get("id") or subject["identifier"][0]["identityHash"])


def assert_verified(verdict: Verdict, revoked: bool) -> None:
    """Proof, key, issuer and status list all accepted; the status bit as given."""
    assert verdict["verified"] is True, verdict["errors"]
    assert verdict["status"] == {"verified": True, "revoked": revoked, "errors": []}, verdict
    assert verdict["refused"] == [], verdict


def test_the_pinned_key_contexts_are_the_packages_own_copies(oracle: Oracle) -> None:
    assert PACKAGED_CONTEXTS.keys() <= PINNED_CONTEXTS.keys()
    for url, (package, path) in PACKAGED_CONTEXTS.items():
        assert context_bytes(url) == (installed_module(package) / path).read_bytes(), url


async def test_badges_of_each_issuer_verify_and_their_status_list_shows_the_revocation(
    oracle: Oracle, serving_colbot: Colbot, run_cli: CliRun, http: aiohttp.ClientSession
) -> None:
    badges = await issued(serving_colbot)
    tampered = copy.deepcopy(credential_of(badges["partner"]))
    tampered["credentialSubject"]["achievement"]["name"] = "Something they never did"
    checks: list[Check] = [
        {"name": kind, "credential": credential_of(badge)} for kind, badge in badges.items()
    ]
    status_lists: list[Check] = [
        {
            "name": f"{kind} status list",
            "credentialUrl": credential_of(badge)["credentialStatus"]["statusListCredential"],
        }
        for kind, badge in badges.items()
    ]

    before = await oracle.verdicts(
        [*checks, *status_lists, {"name": "tampered", "credential": tampered}]
    )

    for kind, badge in badges.items():
        verdict = before[kind]
        assert_verified(verdict, revoked=False)
        credential = credential_of(badge)
        method = credential["proof"][0]["verificationMethod"]
        assert verdict["verificationMethod"] == [method] and "#" not in method
        # The key itself, then its controller: the issuer's profile, which lists it.
        assert verdict["fetched"][:2] == [method, credential["issuer"]["id"]], verdict
        profile = await fetch_json(http, credential["issuer"]["id"])
        assert profile["@context"][-2:] == [DID_CONTEXT, MULTIKEY_CONTEXT]
    for status_list in status_lists:
        verdict = before[status_list["name"]]
        assert verdict["verified"] is True and verdict["status"] is None, verdict
    assert before["tampered"]["verified"] is False
    assert "Error: Invalid signature." in before["tampered"]["errors"], before["tampered"]

    revoked = credential_of(badges["partner"])["id"]
    code, output = await run_cli("badges", "revoke", revoked, "--reason", "Issued by mistake")
    assert code == 0, output

    after = await oracle.verdicts([*checks, *status_lists])
    assert_verified(after["partner"], revoked=True)
    assert_verified(after[CITY_ISSUER], revoked=False)
    assert all(after[s["name"]]["verified"] for s in status_lists), after


async def test_jose_verifies_each_vc_jwt_with_the_issuers_jwks_and_its_sub_is_bound(
    oracle: Oracle, serving_colbot: Colbot, http: aiohttp.ClientSession
) -> None:
    badges = await issued(serving_colbot)
    checks: list[Check] = []
    for kind, badge in badges.items():
        issuer_id = credential_of(badge)["issuer"]["id"]
        subject = expected_subject(credential_of(badge))
        token = {"jwt": badge.ob3_jwt, "jwks": f"{issuer_id}/jwks.json", "issuer": issuer_id}
        checks.append({"name": kind, **token, "subject": subject})
        checks.append({"name": f"{kind} for someone else", **token, "subject": "sha256$0"})

    verdicts = await oracle.verdicts(checks)

    for kind, badge in badges.items():
        credential = credential_of(badge)
        verdict = verdicts[kind]
        assert verdict["verified"] is True, verdict["errors"]
        assert verdict["refused"] == [], verdict
        assert verdict["sub"] == expected_subject(credential)
        assert (verdict["iss"], verdict["jti"]) == (credential["issuer"]["id"], credential["id"])
        profile = await fetch_json(http, credential["issuer"]["id"])
        assert verdict["kid"] in profile["assertionMethod"]
        other = verdicts[f"{kind} for someone else"]
        assert other["verified"] is False
        assert any('"sub" claim' in error for error in other["errors"]), other


async def test_the_first_badges_fragment_form_key_still_resolves_inside_the_profile(
    oracle: Oracle, serving_colbot: Colbot
) -> None:
    """Badges signed before the Multikey URL name '<issuer>#<publicKeyMultibase>'."""
    badges = await issued(serving_colbot)
    credential = credential_of(badges["partner"])
    issuer_id = credential["issuer"]["id"]
    keys = shared_key_store(serving_colbot.settings.data_dir).current(badges["partner"].issuer_id)
    fragment = keys.verification_method(issuer_id)
    old = dataintegrity.sign(dataintegrity.unsecured(credential), keys.ed25519, fragment, TEST_NOW)

    verdict = await asyncio.to_thread(verify, json.dumps(old), http_fetch, TEST_NOW)
    assert verdict.valid, verdict.reason

    # The profile lists the method with that full id (CID 1.0 fragment resolution); a loader
    # that resolves fragments finds the key there, one that fetches the URL as it stands does not.
    found = await oracle.verdicts(
        [
            {"name": "resolving fragments", "credential": old, "resolveFragments": True},
            {"name": "as wallets fetch", "credential": old},
        ]
    )
    assert_verified(found["resolving fragments"], revoked=False)
    assert found["resolving fragments"]["fetched"][:2] == [fragment, issuer_id]
    as_wallets_fetch = found["as wallets fetch"]
    assert as_wallets_fetch["verified"] is False
    assert any('Unsupported key type "Profile"' in e for e in as_wallets_fetch["errors"])


async def test_the_credential_baked_into_the_chats_picture_verifies_as_issued(
    oracle: Oracle, serving_colbot: Colbot, http: aiohttp.ClientSession
) -> None:
    """What a young person saves from the chat is the badge: the picture's own bytes verify."""
    code, _ = await make_code(serving_colbot)
    _, replies = await redeem(serving_colbot, code)
    pictures = [Handed(message) for message in replies if message.image is not None]
    assert [message.file for message in replies if message.file is not None] == []
    earned, first_badge = await badges_of(serving_colbot)
    checks: list[Check] = []
    for handed, issued_badge in zip(pictures, (earned, first_badge), strict=True):
        url = f"{serving_colbot.settings.public_url}/badges/images/{issued_badge.public_id}.png"
        assert (await fetched(http, url))[2] == handed.picture.content, "the published badge"
        checks.append({"name": handed.picture.filename, "credential": handed.credential})
    tampered = copy.deepcopy(checks[0]["credential"])
    tampered["credentialSubject"]["achievement"]["name"] = "Something they never did"

    verdicts = await oracle.verdicts([*checks, {"name": "tampered", "credential": tampered}])

    for check in checks:
        assert_verified(verdicts[check["name"]], revoked=False)
    assert verdicts["tampered"]["verified"] is False


async def test_a_badge_reissued_to_a_wallets_did_key_verifies_and_is_revoked_with_the_badge(
    oracle: Oracle, serving_colbot: Colbot, run_cli: CliRun, http: aiohttp.ClientSession
) -> None:
    offer = await earn_and_offer(serving_colbot)
    wallet = LearnerCredentialWallet(http)
    (copy_in_wallet,) = (await wallet.request(offer.request_link)).credentials
    assert copy_in_wallet["credentialSubject"]["id"] == wallet.did
    check: Check = {"name": "wallet copy", "credential": copy_in_wallet}

    assert_verified((await oracle.verdicts([check]))["wallet copy"], revoked=False)

    code, output = await run_cli(
        "badges", "revoke", offer.handed.credential["id"], "--reason", "Issued by mistake"
    )
    assert code == 0, output
    assert_verified((await oracle.verdicts([check]))["wallet copy"], revoked=True)


async def test_the_oracle_fetches_nothing_but_colbot(oracle: Oracle) -> None:
    """A control: a document anywhere else is refused, not fetched."""
    elsewhere = "https://badges.example/credentials/1"

    verdict = (await oracle.verdicts([{"name": "elsewhere", "credentialUrl": elsewhere}]))[
        "elsewhere"
    ]

    assert verdict["verified"] is False
    assert (verdict["fetched"], verdict["refused"]) == ([], [elsewhere])
