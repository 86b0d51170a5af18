"""The official eddsa-rdfc-2022 signing vector, reproduced byte for byte."""

from __future__ import annotations

import copy
import hashlib
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric import ed25519

from colbot.openbadges import dataintegrity
from colbot.openbadges.canonical import canonical_nquads
from colbot.openbadges.keys import ed25519_public_multibase
from colbot.openbadges.multibase import decode_base58btc
from colbot.openbadges.timestamps import parse_xsd
from tests.support.badge_world import SHARED, load_json

VECTORS = SHARED / "vectors"


@pytest.fixture(scope="module")
def vector() -> dict[str, Any]:
    return load_json(VECTORS / "ob3-eddsa-rdfc-2022.json")


@pytest.fixture(scope="module")
def private_key(vector: dict[str, Any]) -> ed25519.Ed25519PrivateKey:
    return ed25519.Ed25519PrivateKey.from_private_bytes(bytes.fromhex(vector["private_key_hex"]))


def unsigned_and_proof(vector: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    document = copy.deepcopy(vector["signed_credential"])
    proof = document.pop("proof")
    return document, proof


def test_the_vector_key_pair_gives_the_vector_multikey(
    vector: dict[str, Any], private_key: ed25519.Ed25519PrivateKey
) -> None:
    assert ed25519_public_multibase(private_key.public_key()) == vector["public_key_multibase"]


def test_canonical_document_and_hash_match(vector: dict[str, Any]) -> None:
    document, _ = unsigned_and_proof(vector)
    nquads = canonical_nquads(document)
    assert nquads == (VECTORS / vector["document_canon_file"]).read_text(encoding="utf-8")
    assert hashlib.sha256(nquads.encode()).hexdigest() == vector["document_hash_hex"]


def test_canonical_proof_configuration_and_hash_match(vector: dict[str, Any]) -> None:
    document, proof = unsigned_and_proof(vector)
    configuration = dataintegrity.proof_configuration(
        document, proof["verificationMethod"], parse_xsd(proof["created"])
    )
    nquads = canonical_nquads(configuration)
    assert nquads == (VECTORS / vector["proof_canon_file"]).read_text(encoding="utf-8")
    assert hashlib.sha256(nquads.encode()).hexdigest() == vector["proof_config_hash_hex"]


def test_signature_and_proof_value_match(
    vector: dict[str, Any], private_key: ed25519.Ed25519PrivateKey
) -> None:
    document, expected = unsigned_and_proof(vector)
    created = parse_xsd(expected["created"])
    forms = dataintegrity.canonical_forms(
        document,
        dataintegrity.proof_configuration(document, expected["verificationMethod"], created),
    )
    assert forms.hash_data.hex() == vector["proof_config_hash_hex"] + vector["document_hash_hex"]

    proof = dataintegrity.create_proof(
        document, private_key, expected["verificationMethod"], created
    )

    assert proof == expected
    assert decode_base58btc(proof["proofValue"]).hex() == vector["signature_hex"]


def test_the_vector_credential_verifies(vector: dict[str, Any]) -> None:
    result = dataintegrity.verify(vector["signed_credential"])

    assert result.valid, result.checks
    assert [check.name for check in result.checks] == [
        "proof",
        "verification-method",
        "canonicalisation",
        "signature",
    ]


def test_a_changed_vector_credential_fails_its_signature(vector: dict[str, Any]) -> None:
    changed = copy.deepcopy(vector["signed_credential"])
    changed["credentialSubject"]["achievement"]["name"] = "Leadership"

    result = dataintegrity.verify(changed)

    assert not result.valid
    assert [c.name for c in result.checks if not c.passed] == ["signature"]


def test_a_proof_claimed_for_another_issuer_fails_the_method_check(
    vector: dict[str, Any],
) -> None:
    changed = copy.deepcopy(vector["signed_credential"])
    changed["issuer"]["id"] = "https://impostor.example/issuer"

    result = dataintegrity.verify(changed)

    failed = [c for c in result.checks if not c.passed]
    assert failed[0].name == "verification-method"
    assert "does not belong" in failed[0].detail


def test_an_expected_method_other_than_the_proofs_fails(vector: dict[str, Any]) -> None:
    result = dataintegrity.verify(
        vector["signed_credential"],
        expected_verification_method="https://example.edu/issuers/565049#z6MkOther",
    )

    assert not result.valid
    assert next(c for c in result.checks if not c.passed).name == "verification-method"
