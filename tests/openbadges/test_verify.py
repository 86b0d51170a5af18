"""The verifier takes every form of badge and gives each bad one its own reason."""

from __future__ import annotations

import base64
import copy
import json
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa

from colbot.openbadges import baking, dataintegrity, documents, jws, vcjwt
from colbot.openbadges.keys import IssuerKeys, rsa_public_pem
from colbot.openbadges.verify import (
    KIND_OB2_HOSTED,
    KIND_OB2_SIGNED,
    KIND_OB3_JWT,
    KIND_OB3_PROOF,
    Verdict,
    verify,
)
from tests.support import images
from tests.support.badge_world import (
    ASSERTION_V2,
    EMAIL,
    ISSUED,
    ISSUER_V2,
    ISSUER_V3,
    JWK_URL,
    KEY_V2,
    NOW,
    OLD_KEY_V2,
    SIGNED_AT,
    SITE,
    STATUS_LIST,
    World,
)


def failed(verdict: Verdict) -> list[str]:
    return [check.name for check in verdict.checks if not check.passed]


def assert_valid(verdict: Verdict, kind: str) -> None:
    assert verdict.valid, verdict.reason
    assert verdict.kind == kind
    names = {check.name for check in verdict.checks}
    assert {"format", "signature", "issuer", "key-ownership", "revocation", "expiry"} <= names


def assert_fails(verdict: Verdict, check: str, *words: str) -> None:
    assert not verdict.valid
    assert failed(verdict)[0] == check, verdict.checks
    for word in words:
        assert word in verdict.reason, verdict.reason


# Every form verifies


def test_ob2_signed_assertion_verifies(world: World) -> None:
    verdict = verify(world.signed_assertion(), world.fetch, NOW)

    assert_valid(verdict, KIND_OB2_SIGNED)
    assert verdict.document is not None and verdict.document["id"] == ASSERTION_V2


def test_ob3_vc_jwt_verifies(world: World) -> None:
    assert_valid(verify(world.jwt_credential(), world.fetch, NOW), KIND_OB3_JWT)


def test_ob3_credential_with_proof_verifies(world: World) -> None:
    verdict = verify(json.dumps(world.proof_credential()), world.fetch, NOW)

    assert_valid(verdict, KIND_OB3_PROOF)
    assert {"proof", "verification-method", "canonicalisation"} <= {c.name for c in verdict.checks}


def test_the_same_badge_as_bytes_verifies(world: World) -> None:
    verdict = verify(json.dumps(world.proof_credential()).encode(), world.fetch, NOW)
    assert_valid(verdict, KIND_OB3_PROOF)


def test_ob2_hosted_assertion_verifies(world: World) -> None:
    hosted_id = f"{SITE}/ob2/assertions/1.json"
    assertion = world.ob2_assertion(assertion_id=hosted_id)
    assertion["verification"] = {"type": "HostedBadge"}
    world.publish(hosted_id, assertion)

    verdict = verify(json.dumps(assertion), world.fetch, NOW)

    assert verdict.valid, verdict.reason
    assert verdict.kind == KIND_OB2_HOSTED


def test_each_url_is_fetched_once(world: World) -> None:
    verify(world.jwt_credential(), world.fetch, NOW)
    assert len(world.fetched) == len(set(world.fetched))


# Baked images


@pytest.mark.parametrize("form", ["ob2", "ob3-proof", "ob3-jwt"])
@pytest.mark.parametrize("image", ["png", "svg"])
def test_baked_badges_verify(world: World, form: str, image: str) -> None:
    payload: str | dict[str, object]
    if form == "ob2":
        payload = world.signed_assertion()
        bake = baking.bake_png_assertion if image == "png" else baking.bake_svg_assertion
        baked = bake(images.png() if image == "png" else images.SVG, payload)
    else:
        payload = world.proof_credential() if form == "ob3-proof" else world.jwt_credential()
        bake_credential = (
            baking.bake_png_credential if image == "png" else baking.bake_svg_credential
        )
        baked = bake_credential(images.png() if image == "png" else images.SVG, payload)

    verdict = verify(baked, world.fetch, NOW, recipient_email=EMAIL)

    assert verdict.valid, verdict.reason
    assert verdict.container == image
    assert verdict.check("recipient") is not None


def test_baked_svg_given_as_text_verifies(world: World) -> None:
    baked = baking.bake_svg_assertion(images.SVG, world.signed_assertion())

    verdict = verify(baked.decode(), world.fetch, NOW)

    assert verdict.valid, verdict.reason
    assert verdict.container == "svg"


def test_png_with_no_badge(world: World) -> None:
    verdict = verify(images.png(), world.fetch, NOW)

    assert_fails(verdict, "format", "PNG image has no badge")
    assert verdict.container == "png"
    assert world.fetched == []


def test_svg_with_no_badge(world: World) -> None:
    assert_fails(verify(images.SVG, world.fetch, NOW), "format", "SVG image has no badge")


def test_over_size_file_is_refused_before_parsing(world: World) -> None:
    huge = images.png() + bytes(baking.MAX_INPUT_BYTES)

    verdict = verify(huge, world.fetch, NOW)

    assert_fails(verdict, "format", "at most 10 MB")
    assert world.fetched == []


# Tampering


def test_tampered_ob2_payload(world: World) -> None:
    header, _, signature = world.signed_assertion().split(".")
    forged = jws.sign_assertion(
        world.ob2_assertion(narrative="Built a bike from scratch"), world.keys.rsa
    )
    token = f"{header}.{forged.split('.')[1]}.{signature}"

    assert_fails(verify(token, world.fetch, NOW), "signature", "changed after signing")


def test_tampered_vc_jwt_payload(world: World) -> None:
    header, _, signature = world.jwt_credential().split(".")
    other = world.jwt_credential(name="Brain Surgery")
    token = f"{header}.{other.split('.')[1]}.{signature}"

    assert_fails(verify(token, world.fetch, NOW), "signature", "changed after signing")


def test_tampered_credential_with_proof(world: World) -> None:
    credential = world.proof_credential()
    credential["credentialSubject"]["achievement"]["name"] = "Brain Surgery"

    assert_fails(verify(json.dumps(credential), world.fetch, NOW), "signature", "changed")


def test_term_added_after_signing_is_not_covered_by_the_proof(world: World) -> None:
    credential = world.proof_credential()
    credential["credentialSubject"]["grade"] = "A*"

    verdict = verify(json.dumps(credential), world.fetch, NOW)

    assert_fails(verdict, "canonicalisation", "grade")


def test_tampered_baked_png(world: World) -> None:
    credential = world.proof_credential()
    credential["validFrom"] = "2020-01-01T00:00:00Z"
    baked = baking.bake_png_credential(images.png(), credential)

    assert_fails(verify(baked, world.fetch, NOW), "signature")


# Keys


def test_ob2_signed_with_a_key_that_is_not_the_named_one(
    world: World, stranger_keys: IssuerKeys
) -> None:
    token = jws.sign_assertion(world.ob2_assertion(), stranger_keys.rsa)

    assert_fails(verify(token, world.fetch, NOW), "signature", "another key")


def test_ob2_key_document_that_the_issuer_does_not_list(
    world: World, stranger_keys: IssuerKeys
) -> None:
    rogue = f"{SITE}/uploads/rogue-key.json"
    world.publish(
        rogue,
        documents.ob2_key(key_id=rogue, owner=ISSUER_V2, public_key_pem=stranger_keys.public_pem()),
    )
    token = jws.sign_assertion(world.ob2_assertion(key_id=rogue), stranger_keys.rsa)

    assert_fails(verify(token, world.fetch, NOW), "key-ownership", "does not list the key")


def test_ob2_key_owned_by_someone_else(world: World, stranger_keys: IssuerKeys) -> None:
    world.publish(
        KEY_V2,
        documents.ob2_key(
            key_id=KEY_V2,
            owner="https://other.example/issuer",
            public_key_pem=world.keys.public_pem(),
        ),
    )

    assert_fails(verify(world.signed_assertion(), world.fetch, NOW), "key-ownership", "owned by")


def test_ob2_retired_key_still_published_is_valid(world: World) -> None:
    world.publish(ISSUER_V2, world.ob2_issuer(public_keys=[KEY_V2, OLD_KEY_V2]))
    world.publish(
        OLD_KEY_V2,
        documents.ob2_key(
            key_id=OLD_KEY_V2, owner=ISSUER_V2, public_key_pem=world.old_keys.public_pem()
        ),
    )
    token = jws.sign_assertion(world.ob2_assertion(key_id=OLD_KEY_V2), world.old_keys.rsa)

    verdict = verify(token, world.fetch, NOW)

    assert_valid(verdict, KIND_OB2_SIGNED)
    ownership = verdict.check("key-ownership")
    assert ownership is not None and OLD_KEY_V2 in ownership.detail


def test_ob2_retired_key_the_issuer_stopped_listing_is_refused(world: World) -> None:
    world.publish(
        OLD_KEY_V2,
        documents.ob2_key(
            key_id=OLD_KEY_V2, owner=ISSUER_V2, public_key_pem=world.old_keys.public_pem()
        ),
    )
    token = jws.sign_assertion(world.ob2_assertion(key_id=OLD_KEY_V2), world.old_keys.rsa)

    assert_fails(verify(token, world.fetch, NOW), "key-ownership", "does not list")


def test_ob3_retired_multikey_still_listed_is_valid(world: World) -> None:
    world.publish(ISSUER_V3, world.ob3_profile(keys=[world.keys, world.old_keys]))
    credential = dataintegrity.sign(
        world.ob3_credential(),
        world.old_keys.ed25519,
        world.old_keys.verification_method(ISSUER_V3),
        SIGNED_AT,
    )

    assert_valid(verify(json.dumps(credential), world.fetch, NOW), KIND_OB3_PROOF)


def test_ob3_proof_by_a_key_the_issuer_does_not_list(
    world: World, stranger_keys: IssuerKeys
) -> None:
    credential = dataintegrity.sign(
        world.ob3_credential(),
        stranger_keys.ed25519,
        stranger_keys.verification_method(ISSUER_V3),
        SIGNED_AT,
    )

    verdict = verify(json.dumps(credential), world.fetch, NOW)

    assert_fails(verdict, "key-ownership", "does not list the key")


def test_ob3_proof_by_another_issuers_method(world: World, stranger_keys: IssuerKeys) -> None:
    credential = dataintegrity.sign(
        world.ob3_credential(),
        stranger_keys.ed25519,
        stranger_keys.verification_method("https://impostor.example/issuer"),
        SIGNED_AT,
    )

    assert_fails(verify(json.dumps(credential), world.fetch, NOW), "verification-method")


def test_vc_jwt_with_a_kid_the_issuer_does_not_list(
    world: World, stranger_keys: IssuerKeys
) -> None:
    rogue = "https://attacker.example/key.jwk"
    world.publish(rogue, stranger_keys.public_jwk(rogue))
    token = vcjwt.sign_credential(world.ob3_credential(), stranger_keys.rsa, rogue)

    assert_fails(verify(token, world.fetch, NOW), "key-ownership", "does not list the key")


def test_vc_jwt_signed_with_another_key_than_its_kid(
    world: World, stranger_keys: IssuerKeys
) -> None:
    token = vcjwt.sign_credential(world.ob3_credential(), stranger_keys.rsa, JWK_URL)

    assert_fails(verify(token, world.fetch, NOW), "signature", "another key")


def test_vc_jwt_whose_kid_serves_a_different_key_than_the_profile(
    world: World, stranger_keys: IssuerKeys
) -> None:
    world.publish(JWK_URL, stranger_keys.public_jwk(JWK_URL))
    token = vcjwt.sign_credential(world.ob3_credential(), stranger_keys.rsa, JWK_URL)

    assert_fails(verify(token, world.fetch, NOW), "key-ownership", "different key material")


def test_vc_jwt_claims_must_match_the_credential(world: World) -> None:
    credential = world.ob3_credential()
    claims = vcjwt.claims_for(credential)
    claims["jti"] = "urn:uuid:another"
    token = sign_raw_claims(claims, world)

    assert_fails(verify(token, world.fetch, NOW), "claims", "jti")


def sign_raw_claims(claims: dict[str, object], world: World) -> str:
    from joserfc import jwt
    from joserfc.jwk import RSAKey

    header = {"alg": "RS256", "kid": JWK_URL, "typ": "JWT"}
    return jwt.encode(header, claims, RSAKey.import_key(world.keys.rsa))


# Issuer


def test_unknown_ob3_issuer(world: World) -> None:
    world.withdraw(ISSUER_V3)

    verdict = verify(json.dumps(world.proof_credential()), world.fetch, NOW)

    assert_fails(verdict, "issuer", "unknown issuer", "could not fetch", ISSUER_V3)


def test_unknown_ob2_issuer(world: World) -> None:
    world.withdraw(KEY_V2)
    world.withdraw(ISSUER_V2)

    assert_fails(verify(world.signed_assertion(), world.fetch, NOW), "issuer", "unknown issuer")


def test_ob2_badge_class_pointing_at_a_missing_issuer(world: World) -> None:
    world.withdraw(ISSUER_V2)

    assert_fails(verify(world.signed_assertion(), world.fetch, NOW), "issuer", "issuer profile")


def test_unknown_vc_jwt_key(world: World) -> None:
    world.withdraw(JWK_URL)

    assert_fails(verify(world.jwt_credential(), world.fetch, NOW), "issuer", JWK_URL)


def test_non_http_urls_are_never_fetched(world: World) -> None:
    token = world.signed_assertion(key_id="file:///etc/ssh/ssh_host_rsa_key")

    verdict = verify(token, world.fetch, NOW)

    assert_fails(verdict, "issuer", "not an HTTP(S) URL")
    assert world.fetched == []


# Revocation


def test_ob2_revoked_via_revocation_list(world: World) -> None:
    world.revoke_ob2("Issued by mistake")

    assert_fails(
        verify(world.signed_assertion(), world.fetch, NOW), "revocation", "Issued by mistake"
    )


def test_ob2_revocation_list_unreachable(world: World) -> None:
    world.withdraw(f"{SITE}/ob2/revocations.json")

    assert_fails(verify(world.signed_assertion(), world.fetch, NOW), "revocation", "cannot check")


@pytest.mark.parametrize("form", ["proof", "jwt"])
def test_ob3_revoked_via_status_list(world: World, form: str) -> None:
    world.publish_status_list(revoked=True)
    badge = json.dumps(world.proof_credential()) if form == "proof" else world.jwt_credential()

    assert_fails(verify(badge, world.fetch, NOW), "revocation", "revoked", STATUS_LIST)


def test_ob3_status_list_signed_by_someone_else_is_not_trusted(
    world: World, stranger_keys: IssuerKeys
) -> None:
    status_list = json.loads(world.served[STATUS_LIST])
    del status_list["proof"]
    forged = dataintegrity.sign(
        status_list,
        stranger_keys.ed25519,
        stranger_keys.verification_method(ISSUER_V3),
        SIGNED_AT,
    )
    world.publish(STATUS_LIST, forged)

    verdict = verify(json.dumps(world.proof_credential()), world.fetch, NOW)

    assert_fails(verdict, "revocation", "not trustworthy")


def test_ob3_tampered_status_list_is_not_trusted(world: World) -> None:
    status_list = json.loads(world.served[STATUS_LIST])
    status_list["credentialSubject"]["encodedList"] = (
        documents.ob3_status_list_credential(
            list_id=STATUS_LIST, issuer_id=ISSUER_V3, valid_from=ISSUED, bits=bytes(16 * 1024)
        )["credentialSubject"]["encodedList"][:-4]
        + "AAAA"
    )
    world.publish(STATUS_LIST, status_list)

    assert_fails(
        verify(json.dumps(world.proof_credential()), world.fetch, NOW), "revocation", "proof fails"
    )


def test_ob3_status_list_unreachable(world: World) -> None:
    world.withdraw(STATUS_LIST)

    assert_fails(verify(world.jwt_credential(), world.fetch, NOW), "revocation", "cannot check")


def test_ob3_without_status_cannot_be_revoked_and_says_so(world: World) -> None:
    verdict = verify(world.jwt_credential(status=None), world.fetch, NOW)

    assert verdict.valid
    revocation = verdict.check("revocation")
    assert revocation is not None and "no credentialStatus" in revocation.detail


# Dates


def test_ob2_expired(world: World) -> None:
    token = world.signed_assertion(expires=NOW - timedelta(days=1))
    assert_fails(verify(token, world.fetch, NOW), "expiry", "expired", "expires")


@pytest.mark.parametrize("form", ["proof", "jwt"])
def test_ob3_expired(world: World, form: str) -> None:
    until = NOW - timedelta(seconds=1)
    badge = (
        json.dumps(world.proof_credential(valid_until=until))
        if form == "proof"
        else world.jwt_credential(valid_until=until)
    )

    assert_fails(verify(badge, world.fetch, NOW), "expiry", "expired", "validUntil")


def test_ob3_not_valid_yet(world: World) -> None:
    badge = world.jwt_credential(valid_from=NOW + timedelta(days=2))
    assert_fails(verify(badge, world.fetch, NOW), "expiry", "not valid yet")


def test_still_valid_before_expiry(world: World) -> None:
    badge = world.jwt_credential(valid_until=NOW + timedelta(days=1))
    assert verify(badge, world.fetch, NOW).valid


def test_now_must_be_timezone_aware(world: World) -> None:
    with pytest.raises(ValueError, match="timezone"):
        verify(world.jwt_credential(), world.fetch, datetime(2026, 11, 28))  # noqa: DTZ001


# Recipient


@pytest.mark.parametrize("form", ["ob2", "proof", "jwt"])
def test_recipient_match_and_mismatch(world: World, form: str) -> None:
    badge = {
        "ob2": world.signed_assertion,
        "proof": lambda: json.dumps(world.proof_credential()),
        "jwt": world.jwt_credential,
    }[form]()

    assert verify(badge, world.fetch, NOW, recipient_email=EMAIL.upper()).valid
    mismatch = verify(badge, world.fetch, NOW, recipient_email="someone.else@example.net")
    assert_fails(mismatch, "recipient", "someone else")


# Malformed input


@pytest.mark.parametrize(
    ("data", "words"),
    [
        ("", "not a badge"),
        ("hello there", "not a badge"),
        ("{not json", "malformed JSON"),
        ('{"type": "Person"}', "not a badge"),
        ("e30.bm90IGpzb24.c2ln", "malformed JWS"),
        ("abc.def.ghi", "malformed JWS"),
        (b"\xff\xfe\x00garbage", "not a PNG, an SVG or UTF-8 text"),
        (b"<html><body>hi</body></html>", "not an SVG"),
        (b"<svg", "not a well-formed SVG"),
    ],
)
def test_malformed_inputs_say_what_is_wrong(world: World, data: str | bytes, words: str) -> None:
    verdict = verify(data, world.fetch, NOW)

    assert_fails(verdict, "format", words)
    assert verdict.kind == "unknown"


def test_jws_with_a_non_badge_payload(world: World) -> None:
    token = vcjwt.sign_credential(
        {**world.ob3_credential(), "type": ["VerifiableCredential"]}, world.keys.rsa, JWK_URL
    )
    assert_fails(verify(token, world.fetch, NOW), "format", "OpenBadgeCredential")


def test_signed_assertion_json_without_its_jws(world: World) -> None:
    verdict = verify(json.dumps(world.ob2_assertion()), world.fetch, NOW)
    assert_fails(verdict, "format", "SignedBadge")


def test_ob2_jws_with_alg_none_is_refused(world: World) -> None:
    token = world.signed_assertion()
    _, payload, _ = token.split(".")
    unsigned = "eyJhbGciOiJub25lIn0." + payload + "."

    assert_fails(verify(unsigned, world.fetch, NOW), "format", "'none'")


def test_verdict_reason_for_a_valid_badge(world: World) -> None:
    verdict = verify(world.jwt_credential(), world.fetch, NOW)
    assert verdict.reason == "valid ob3-vc-jwt: all checks passed"


def test_verification_does_not_change_the_clock_dependent_answer(world: World) -> None:
    badge = world.jwt_credential(valid_until=datetime(2027, 1, 1, tzinfo=UTC))
    later = datetime(2027, 6, 1, tzinfo=UTC)
    assert verify(badge, world.fetch, NOW).valid
    assert not verify(copy.copy(badge), world.fetch, later).valid


def test_ob3_proof_by_a_named_key_is_looked_up_in_the_issuer_profile(
    world: World, stranger_keys: IssuerKeys
) -> None:
    method = documents.multikey_method(ISSUER_V3, world.keys.public_key_multibase(), "key-1")
    profile = world.ob3_profile()
    profile["verificationMethod"].append(method)
    profile["assertionMethod"].append(method["id"])
    world.publish(ISSUER_V3, profile)
    credential = dataintegrity.sign(
        world.ob3_credential(), world.keys.ed25519, f"{ISSUER_V3}#key-1", SIGNED_AT
    )

    assert_valid(verify(json.dumps(credential), world.fetch, NOW), KIND_OB3_PROOF)

    profile["verificationMethod"][-1]["publicKeyMultibase"] = stranger_keys.public_key_multibase()
    world.publish(ISSUER_V3, profile)
    assert_fails(verify(json.dumps(credential), world.fetch, NOW), "signature")


def test_ob2_hosted_assertion_the_issuer_marked_revoked(world: World) -> None:
    hosted_id = f"{SITE}/ob2/assertions/2.json"
    assertion = world.ob2_assertion(assertion_id=hosted_id)
    assertion["verification"] = {"type": "HostedBadge"}
    world.publish(hosted_id, {"id": hosted_id, "revoked": True, "revocationReason": "Withdrawn"})

    assert_fails(verify(json.dumps(assertion), world.fetch, NOW), "revocation", "Withdrawn")


def test_ob2_hosted_assertion_that_differs_from_the_served_one(world: World) -> None:
    hosted_id = f"{SITE}/ob2/assertions/3.json"
    assertion = world.ob2_assertion(assertion_id=hosted_id)
    assertion["verification"] = {"type": "HostedBadge"}
    world.publish(hosted_id, assertion)
    assertion["narrative"] = "Won the Tour de France"

    assert_fails(verify(json.dumps(assertion), world.fetch, NOW), "hosted", "different")


def test_over_size_fetched_documents_are_refused(world: World) -> None:
    world.served[STATUS_LIST] = b" " * (baking.MAX_INPUT_BYTES + 1)

    assert_fails(verify(world.jwt_credential(), world.fetch, NOW), "revocation", "too large")


def test_small_rsa_keys_are_refused_without_library_warnings(world: World) -> None:
    small = rsa.generate_private_key(public_exponent=65537, key_size=1024)
    world.publish(
        KEY_V2,
        documents.ob2_key(
            key_id=KEY_V2, owner=ISSUER_V2, public_key_pem=rsa_public_pem(small.public_key())
        ),
    )
    signing_input = ".".join(
        base64.urlsafe_b64encode(part).rstrip(b"=").decode()
        for part in (b'{"alg":"RS256"}', json.dumps(world.ob2_assertion()).encode())
    )
    signature = small.sign(signing_input.encode(), padding.PKCS1v15(), hashes.SHA256())
    token = f"{signing_input}.{base64.urlsafe_b64encode(signature).rstrip(b'=').decode()}"

    assert_fails(verify(token, world.fetch, NOW), "signature", "at least 2048")


# A proof naming a Multikey at its own URL (what colbot's new badges do)

MULTIKEY_URL = f"{ISSUER_V3}/keys/1/multikey"


def _with_multikey_at_its_url(world: World, controller: str = ISSUER_V3) -> dict[str, Any]:
    """The profile lists the key at MULTIKEY_URL, which serves it; a credential signed with it."""
    multibase = world.keys.public_key_multibase()
    profile = world.ob3_profile()
    listed = documents.multikey_method(ISSUER_V3, multibase, method_id=MULTIKEY_URL)
    profile["verificationMethod"].append(listed)
    profile["assertionMethod"].append(MULTIKEY_URL)
    world.publish(ISSUER_V3, profile)
    world.publish(MULTIKEY_URL, documents.multikey_document(MULTIKEY_URL, controller, multibase))
    return dataintegrity.sign(world.ob3_credential(), world.keys.ed25519, MULTIKEY_URL, SIGNED_AT)


def test_ob3_proof_by_a_multikey_served_at_its_own_url(world: World) -> None:
    credential = _with_multikey_at_its_url(world)

    verdict = verify(json.dumps(credential), world.fetch, NOW)

    assert_valid(verdict, KIND_OB3_PROOF)
    assert f"the issuer lists {MULTIKEY_URL}" in [c.detail for c in verdict.checks]


def test_ob3_multikey_url_whose_document_names_another_controller(world: World) -> None:
    credential = _with_multikey_at_its_url(world, controller="https://impostor.example/issuer")

    verdict = verify(json.dumps(credential), world.fetch, NOW)

    assert_fails(verdict, "verification-method", "does not belong", "impostor.example")


def test_ob3_multikey_url_the_issuer_does_not_list(world: World) -> None:
    credential = _with_multikey_at_its_url(world)
    world.publish(ISSUER_V3, world.ob3_profile())

    assert_fails(verify(json.dumps(credential), world.fetch, NOW), "key-ownership", "does not list")


def test_ob3_multikey_url_serving_another_key_than_the_profile_lists(
    world: World, stranger_keys: IssuerKeys
) -> None:
    _with_multikey_at_its_url(world)
    stranger = stranger_keys.public_key_multibase()
    world.publish(MULTIKEY_URL, documents.multikey_document(MULTIKEY_URL, ISSUER_V3, stranger))
    credential = dataintegrity.sign(
        world.ob3_credential(), stranger_keys.ed25519, MULTIKEY_URL, SIGNED_AT
    )

    verdict = verify(json.dumps(credential), world.fetch, NOW)

    assert_fails(verdict, "key-ownership", "different key material")


def test_ob3_multikey_url_that_serves_no_key(world: World) -> None:
    credential = _with_multikey_at_its_url(world)
    world.publish(MULTIKEY_URL, world.ob3_profile())

    verdict = verify(json.dumps(credential), world.fetch, NOW)

    assert_fails(verdict, "issuer", "no publicKeyMultibase")
