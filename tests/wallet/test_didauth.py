"""The DIDAuth check on its own: what the wallet signs passes, anything else says why not."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from importlib import resources
from typing import Any

import pytest
from pyld.documentloader.frozen import BUNDLED_CONTEXTS  # type: ignore[import-untyped]

from colbot.wallet.contexts import PINNED_SUITE_CONTEXTS, SUITE_2020_CONTEXT
from colbot.wallet.didauth import DidAuthError, Expected, authenticated_holder
from tests.doubles.learner_credential_wallet import (
    CREDENTIALS_V2,
    LearnerCredentialWallet,
    base58btc,
    canonical_hash,
    w3c_date,
)

CHALLENGE = "9374011d-2b48-4416-a7a8-ea7a50b155a8"
DOMAIN = "https://colbot.example"
EXPECTED = Expected(CHALLENGE, DOMAIN)


def eddsa_rdfc_2022(wallet: LearnerCredentialWallet, **changes: Any) -> dict[str, Any]:
    """A DIDAuth with a DataIntegrityProof, as VC-API wallets other than the LCW sign it."""
    presentation: dict[str, Any] = {
        "@context": [CREDENTIALS_V2],
        "type": ["VerifiablePresentation"],
        "holder": wallet.did,
    }
    proof = {
        "type": "DataIntegrityProof",
        "cryptosuite": "eddsa-rdfc-2022",
        "created": w3c_date(datetime.now(UTC)),
        "verificationMethod": wallet.key_id,
        "proofPurpose": "authentication",
        "challenge": CHALLENGE,
        "domain": DOMAIN,
        **changes,
    }
    signed = canonical_hash({"@context": presentation["@context"], **proof})
    signed += canonical_hash(presentation)
    return {**presentation, "proof": [{**proof, "proofValue": base58btc(wallet.key.sign(signed))}]}


def refusal(presentation: object, expected: Expected = EXPECTED) -> str:
    with pytest.raises(DidAuthError) as raised:
        authenticated_holder(presentation, expected)
    return str(raised.value)


def test_the_learner_credential_wallets_ed25519_signature_2020_is_accepted() -> None:
    wallet = LearnerCredentialWallet()

    presentation = wallet.signed_presentation(CHALLENGE, DOMAIN)

    assert presentation["proof"]["type"] == "Ed25519Signature2020"
    assert authenticated_holder(presentation, EXPECTED) == wallet.did


def test_an_eddsa_rdfc_2022_data_integrity_proof_is_accepted_too() -> None:
    wallet = LearnerCredentialWallet()

    assert authenticated_holder(eddsa_rdfc_2022(wallet), EXPECTED) == wallet.did


def test_the_request_links_didauth_signs_no_domain_and_needs_none() -> None:
    wallet = LearnerCredentialWallet()
    presentation = wallet.signed_presentation(CHALLENGE, None)

    assert authenticated_holder(presentation, Expected(CHALLENGE, DOMAIN, False)) == wallet.did
    assert "domain None" in refusal(presentation)


def test_a_presentation_changed_after_signing_fails_its_signature() -> None:
    presentation = LearnerCredentialWallet().signed_presentation(CHALLENGE, DOMAIN)
    presentation["holder"] = LearnerCredentialWallet().did
    presentation["proof"]["verificationMethod"] = (
        presentation["holder"] + "#" + presentation["holder"].removeprefix("did:key:")
    )

    assert "signature does not match" in refusal(presentation)


@pytest.mark.parametrize(
    ("changes", "why"),
    [
        ({"proofPurpose": "assertionMethod"}, "proofPurpose"),
        ({"domain": "https://attacker.example"}, "attacker.example"),
        ({"challenge": "replayed-from-elsewhere"}, "another challenge"),
        (
            {"verificationMethod": "did:key:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK#k"},
            "not by the key",
        ),
        ({"cryptosuite": "ecdsa-rdfc-2019"}, "cannot be checked"),
        ({"created": "yesterday"}, "not a dateTime"),
    ],
)
def test_each_wrong_proof_option_is_named(changes: dict[str, Any], why: str) -> None:
    assert why in refusal(eddsa_rdfc_2022(LearnerCredentialWallet(), **changes))


def test_only_an_ed25519_did_key_can_be_the_holder() -> None:
    presentation = eddsa_rdfc_2022(LearnerCredentialWallet())
    for holder in (
        "did:web:colbot.example",
        "did:key:zDnaerDaTF5BXEavCrfRZEk316dpbLsfPDZ3WJ5hRTPFU2169",
    ):
        assert "Ed25519 did:key" in refusal({**presentation, "holder": holder})


@pytest.mark.parametrize(
    ("document", "why"),
    [
        ("not a presentation", "no VerifiablePresentation"),
        ({"type": ["VerifiableCredential"]}, "no VerifiablePresentation"),
        (
            {
                "@context": ["https://www.w3.org/2018/credentials/v1"],
                "type": "VerifiablePresentation",
            },
            "must start with",
        ),
        ({"@context": [CREDENTIALS_V2], "type": ["VerifiablePresentation"]}, "no holder"),
    ],
)
def test_what_is_not_a_signed_presentation_is_refused(document: object, why: str) -> None:
    assert why in refusal(document)


def test_a_presentation_needs_exactly_one_proof() -> None:
    wallet = LearnerCredentialWallet()
    presentation = eddsa_rdfc_2022(wallet)
    twice = {**presentation, "proof": presentation["proof"] * 2}
    bare = {key: value for key, value in presentation.items() if key != "proof"}

    assert "exactly one proof" in refusal(twice)
    assert "exactly one proof" in refusal(bare)


def test_contexts_outside_the_pinned_ones_are_never_loaded() -> None:
    wallet = LearnerCredentialWallet()
    presentation = wallet.signed_presentation(CHALLENGE, DOMAIN)
    presentation["@context"].append("https://attacker.example/context.json")

    assert "not pinned" in refusal(presentation)


def test_the_pinned_suite_context_is_the_one_pyld_bundles_from_w3id() -> None:
    pinned = PINNED_SUITE_CONTEXTS[SUITE_2020_CONTEXT]
    packaged = resources.files("colbot.wallet").joinpath("contexts", pinned.filename).read_bytes()

    assert json.loads(packaged) == json.loads(BUNDLED_CONTEXTS[SUITE_2020_CONTEXT].read_bytes())
