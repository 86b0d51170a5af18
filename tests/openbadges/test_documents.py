"""The builders make documents the specs, schemas and JSON-LD contexts all accept."""

from __future__ import annotations

import gzip
import hashlib
import json
from typing import Any

import pytest
from jsonschema import Draft201909Validator

from colbot.openbadges import dataintegrity, documents
from colbot.openbadges.canonical import canonical_nquads, expand
from colbot.openbadges.contexts import DID_CONTEXT, MULTIKEY_CONTEXT, OB3_CONTEXT, VC2_CONTEXT
from colbot.openbadges.errors import BadgeError, CanonicalisationError, DroppedTermError
from colbot.openbadges.multibase import decode_base64url
from colbot.openbadges.recipients import hash_identity, identity_matches
from colbot.openbadges.statuslist import (
    MIN_STATUS_LIST_BYTES,
    decode_bitstring,
    encode_bitstring,
    new_bitstring,
    status_bit,
    with_status_bit,
)
from tests.support.badge_world import (
    EMAIL,
    ISSUED,
    ISSUER_V3,
    SALT,
    SHARED,
    SIGNED_AT,
    STATUS_INDEX,
    STATUS_LIST,
    World,
    load_json,
)


@pytest.fixture(scope="module")
def credential_schema() -> Draft201909Validator:
    schema = load_json(SHARED / "schemas" / "achievementcredential.json")
    Draft201909Validator.check_schema(schema)
    return Draft201909Validator(schema)


def schema_errors(validator: Draft201909Validator, document: dict[str, Any]) -> list[str]:
    return [f"{list(e.absolute_path)}: {e.message}" for e in validator.iter_errors(document)]


# Recipients


def test_recipient_hash_is_sha256_of_identity_then_salt() -> None:
    expected = hashlib.sha256(b"sam.learner@example.net" + SALT.encode()).hexdigest()
    assert documents.ob2_recipient(EMAIL, SALT)["identity"] == f"sha256${expected}"
    assert documents.ob3_identity(EMAIL, SALT)["identityHash"] == f"sha256${expected}"
    assert hash_identity("x", None) == "sha256$" + hashlib.sha256(b"x").hexdigest()


def test_recipient_matching_ignores_email_case_but_not_the_person() -> None:
    claimed = hash_identity("sam.learner@example.net", SALT)
    assert identity_matches(claimed, True, SALT, " SAM.Learner@Example.net ")
    assert not identity_matches(claimed, True, SALT, "someone.else@example.net")
    assert not identity_matches(claimed, True, "other-salt", EMAIL)
    assert identity_matches("sam.learner@example.net", False, None, EMAIL)


# Status lists


def test_new_status_list_is_at_least_16_kilobytes_and_clear() -> None:
    bits = new_bitstring()
    assert len(bits) == MIN_STATUS_LIST_BYTES == 16 * 1024
    assert not any(bits)
    with pytest.raises(BadgeError):
        new_bitstring(1024)


def test_status_bits_count_from_the_left_of_the_first_byte() -> None:
    bits = with_status_bit(new_bitstring(), 0)
    assert bits[0] == 0x80
    bits = with_status_bit(bits, 9)
    assert bits[1] == 0x40
    assert status_bit(bits, 0) and status_bit(bits, 9) and not status_bit(bits, 1)
    assert not status_bit(with_status_bit(bits, 9, False), 9)
    with pytest.raises(BadgeError, match="beyond"):
        status_bit(bits, len(bits) * 8)


def test_encoded_list_is_multibase_base64url_gzip() -> None:
    bits = with_status_bit(new_bitstring(), STATUS_INDEX)
    encoded = encode_bitstring(bits)

    assert encoded.startswith("u")
    assert "=" not in encoded
    assert gzip.decompress(decode_base64url(encoded)) == bits
    assert decode_bitstring(encoded) == bits


def test_decoding_refuses_a_gzip_bomb() -> None:
    bomb = "u" + encode_bitstring(bytes(11 * 1024 * 1024))[1:]
    with pytest.raises(BadgeError, match="inflates"):
        decode_bitstring(bomb)


def test_status_list_credential_shape(world: World) -> None:
    bits = with_status_bit(new_bitstring(), 7)
    credential = documents.ob3_status_list_credential(
        list_id=STATUS_LIST, issuer_id=ISSUER_V3, valid_from=ISSUED, bits=bits
    )

    assert credential["type"] == ["VerifiableCredential", "BitstringStatusListCredential"]
    subject = credential["credentialSubject"]
    assert subject["type"] == "BitstringStatusList"
    assert subject["statusPurpose"] == "revocation"
    assert status_bit(decode_bitstring(subject["encodedList"]), 7)
    canonical_nquads(credential)


def test_status_entry_points_at_one_bit() -> None:
    entry = documents.status_list_entry(status_list_credential=STATUS_LIST, index=STATUS_INDEX)
    assert entry == {
        "id": f"{STATUS_LIST}#{STATUS_INDEX}",
        "type": "BitstringStatusListEntry",
        "statusPurpose": "revocation",
        "statusListIndex": str(STATUS_INDEX),
        "statusListCredential": STATUS_LIST,
    }


# OB 2.0 documents


def test_ob2_assertion_shape(world: World) -> None:
    assertion = world.ob2_assertion(expires=ISSUED.replace(year=2030))

    assert assertion["@context"] == "https://w3id.org/openbadges/v2"
    assert assertion["type"] == "Assertion"
    assert assertion["recipient"]["type"] == "email"
    assert assertion["recipient"]["hashed"] is True
    assert assertion["issuedOn"] == "2026-09-01T15:00:00Z"
    assert assertion["expires"] == "2030-09-01T15:00:00Z"
    assert assertion["verification"] == {
        "type": "SignedBadge",
        "creator": "https://badges.northbridge.example/ob2/keys/2026.json",
    }


@pytest.mark.parametrize(
    "url",
    [
        "https://badges.northbridge.example/ob2/issuer.json",
        "https://badges.northbridge.example/ob2/keys/2026.json",
        "https://badges.northbridge.example/ob2/badges/bike-repair.json",
        "https://badges.northbridge.example/ob2/revocations.json",
    ],
)
def test_ob2_documents_keep_every_term_under_the_ob2_context(world: World, url: str) -> None:
    expand(json.loads(world.served[url]))


def test_ob2_assertion_keeps_every_term_under_the_ob2_context(world: World) -> None:
    expand(world.ob2_assertion())


def test_builders_refuse_relative_ids() -> None:
    with pytest.raises(BadgeError, match="absolute URL"):
        documents.ob2_key(key_id="keys/1", owner="https://i.example", public_key_pem="")


# OB 3.0 documents


def test_credential_shape(world: World) -> None:
    credential = world.ob3_credential()

    assert credential["@context"] == [
        "https://www.w3.org/ns/credentials/v2",
        "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json",
    ]
    assert credential["type"] == ["VerifiableCredential", "OpenBadgeCredential"]
    assert credential["issuer"]["type"] == ["Profile"]
    assert "verificationMethod" not in credential["issuer"]
    identity = credential["credentialSubject"]["identifier"][0]
    assert identity["type"] == "IdentityObject"
    assert identity["identityType"] == "emailAddress"
    assert credential["credentialStatus"]["type"] == "BitstringStatusListEntry"


def test_signed_credential_validates_against_the_ob3_schema(
    world: World, credential_schema: Draft201909Validator
) -> None:
    signed = world.proof_credential(valid_until=ISSUED.replace(year=2031))

    assert isinstance(signed["proof"], list)
    assert schema_errors(credential_schema, signed) == []


def test_schema_wants_proof_as_an_array(
    world: World, credential_schema: Draft201909Validator
) -> None:
    signed = world.proof_credential()
    signed["proof"] = signed["proof"][0]

    assert schema_errors(credential_schema, signed)


def test_every_ob3_document_keeps_every_term(world: World) -> None:
    expand(world.ob3_credential(subject_id="did:example:learner", valid_until=SIGNED_AT))
    expand(json.loads(world.served[STATUS_LIST]))


def test_signing_refuses_an_undefined_top_level_term(world: World) -> None:
    credential = world.ob3_credential()
    credential["favouriteColour"] = "blue"

    with pytest.raises(DroppedTermError, match="favouriteColour") as raised:
        dataintegrity.sign(credential, world.keys.ed25519, "https://x.example#k", SIGNED_AT)
    assert raised.value.term == "favouriteColour"


def test_signing_refuses_an_undefined_nested_term(world: World) -> None:
    credential = world.ob3_credential()
    credential["credentialSubject"]["achievement"]["difficulty"] = "hard"

    with pytest.raises(DroppedTermError, match="difficulty"):
        dataintegrity.sign(credential, world.keys.ed25519, "https://x.example#k", SIGNED_AT)


def test_signing_refuses_relative_types_and_ids(world: World) -> None:
    credential = world.ob3_credential()
    credential["type"].append("CityBadge")
    with pytest.raises(DroppedTermError, match="CityBadge"):
        canonical_nquads(credential)

    credential = world.ob3_credential()
    credential["credentialSubject"]["achievement"]["id"] = "achievements/1"
    with pytest.raises(DroppedTermError, match="achievements/1"):
        canonical_nquads(credential)


def test_signing_refuses_keyword_like_keys(world: World) -> None:
    credential = world.ob3_credential()
    credential["@comment"] = "not a keyword"

    with pytest.raises(DroppedTermError, match="@comment"):
        canonical_nquads(credential)


def test_bad_language_tags_are_refused_not_garbled(world: World) -> None:
    credential = world.ob3_credential(name=None)
    credential["name"] = {"@value": "Bike Repair", "@language": "en GB"}

    with pytest.raises(CanonicalisationError, match="BCP 47"):
        canonical_nquads(credential)


def test_pyld_warnings_become_errors_not_noise(world: World) -> None:
    credential = world.ob3_credential()
    credential["@context"] = [*credential["@context"], {"@ignored": "https://x.example/"}]

    with pytest.raises(CanonicalisationError, match="ignored input"):
        canonical_nquads(credential)


def test_profile_lists_its_keys_as_a_controller_document(world: World) -> None:
    profile = world.ob3_profile()

    assert profile["type"] == ["Profile"]
    assert profile["assertionMethod"] == [method["id"] for method in profile["verificationMethod"]]
    assert {m["type"] for m in profile["verificationMethod"]} == {"Multikey", "JsonWebKey"}
    assert all(m["controller"] == ISSUER_V3 for m in profile["verificationMethod"])


def test_private_jwks_are_never_published(world: World) -> None:
    with pytest.raises(BadgeError, match="private"):
        documents.jwk_method(ISSUER_V3, {"kid": "https://k.example", "kty": "RSA", "d": "x"})


def test_a_profile_with_keys_carries_the_contexts_that_define_them(world: World) -> None:
    multibase = world.keys.public_key_multibase()
    at_its_url = documents.multikey_method(ISSUER_V3, multibase, method_id=f"{ISSUER_V3}/key")
    profile = documents.ob3_profile(
        issuer_id=ISSUER_V3,
        name="Northbridge",
        url=ISSUER_V3,
        verification_methods=[at_its_url, documents.multikey_method(ISSUER_V3, multibase)],
        referenced_methods=[f"{ISSUER_V3}/key.jwk"],
    )

    assert profile["@context"] == [VC2_CONTEXT, OB3_CONTEXT, DID_CONTEXT, MULTIKEY_CONTEXT]
    assert profile["assertionMethod"] == [
        f"{ISSUER_V3}/key",
        f"{ISSUER_V3}#{multibase}",
        f"{ISSUER_V3}/key.jwk",
    ]
    # Nothing is dropped: JSON-LD safe mode, which Digital Bazaar's verifiers frame it in, passes.
    expanded = expand(profile)
    listed = expanded[0]["https://w3id.org/security#assertionMethod"]
    assert [node["@id"] for node in listed] == profile["assertionMethod"]


def test_a_profile_without_keys_has_only_the_open_badges_contexts() -> None:
    profile = documents.ob3_profile(issuer_id=ISSUER_V3, name="Northbridge", url=ISSUER_V3)

    assert profile["@context"] == [VC2_CONTEXT, OB3_CONTEXT]
    assert "assertionMethod" not in profile and "verificationMethod" not in profile


def test_a_multikey_document_is_the_method_under_the_multikey_context(world: World) -> None:
    multibase = world.keys.public_key_multibase()
    url = f"{ISSUER_V3}/keys/1/multikey"

    document = documents.multikey_document(url, ISSUER_V3, multibase)

    assert document == {
        "@context": MULTIKEY_CONTEXT,
        "id": url,
        "type": "Multikey",
        "controller": ISSUER_V3,
        "publicKeyMultibase": multibase,
    }
    expanded = expand(document)[0]
    assert expanded["@type"] == ["https://w3id.org/security#Multikey"]
    assert expanded["https://w3id.org/security#controller"] == [{"@id": ISSUER_V3}]
