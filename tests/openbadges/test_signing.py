"""JWS and VC-JWT signatures, checked here and by a second, independent JOSE library (PyJWT)."""

from __future__ import annotations

import base64
import json
from typing import Any

import jwt as pyjwt
import pytest
from cryptography.hazmat.primitives.asymmetric.rsa import RSAPublicKey
from cryptography.hazmat.primitives.serialization import load_pem_public_key
from jwt.algorithms import RSAAlgorithm

from colbot.openbadges import jws, vcjwt
from colbot.openbadges.errors import SignatureError
from colbot.openbadges.keys import IssuerKeys
from colbot.openbadges.multibase import b64url_decode
from colbot.openbadges.timestamps import to_numeric_date
from tests.support.badge_world import CREDENTIAL, ISSUED, ISSUER_V3, JWK_URL, World


def pyjwt_key(jwk: dict[str, Any]) -> Any:
    return RSAAlgorithm.from_jwk(json.dumps(jwk))


def test_signed_assertion_verifies_here_and_in_pyjwt(world: World) -> None:
    assertion = world.ob2_assertion()
    token = jws.sign_assertion(assertion, world.keys.rsa)

    assert jws.verify_assertion(token, world.keys.public_pem()) == assertion
    public_key = load_pem_public_key(world.keys.public_pem().encode())
    assert isinstance(public_key, RSAPublicKey)
    payload = pyjwt.PyJWS().decode(token, public_key, algorithms=["RS256"])
    assert json.loads(payload) == assertion
    assert pyjwt.get_unverified_header(token) == {"alg": "RS256"}


def test_assertion_with_another_key_does_not_verify(
    world: World, stranger_keys: IssuerKeys
) -> None:
    token = jws.sign_assertion(world.ob2_assertion(), stranger_keys.rsa)

    with pytest.raises(SignatureError, match="does not match"):
        jws.verify_assertion(token, world.keys.public_pem())


def test_vc_jwt_header_and_claims_follow_ob_3_0_3(world: World) -> None:
    credential = world.ob3_credential(valid_until=ISSUED.replace(year=2030))
    token = vcjwt.sign_credential(credential, world.keys.rsa, JWK_URL)

    header = pyjwt.get_unverified_header(token)
    assert header == {"alg": "RS256", "kid": JWK_URL, "typ": "JWT"}
    claims = pyjwt.decode(token, options={"verify_signature": False})
    assert claims["iss"] == ISSUER_V3
    assert claims["jti"] == CREDENTIAL
    assert claims["nbf"] == to_numeric_date(ISSUED)
    assert claims["exp"] == to_numeric_date(ISSUED.replace(year=2030))
    assert "vc" not in claims
    assert vcjwt.credential_of(claims) == credential


def test_vc_jwt_carries_sub_when_the_subject_has_an_id(world: World) -> None:
    token = world.jwt_credential(subject_id="did:example:learner")
    claims = pyjwt.decode(token, options={"verify_signature": False})
    assert claims["sub"] == "did:example:learner"


def test_vc_jwt_verifies_with_pyjwt(world: World) -> None:
    token = world.jwt_credential()
    jwk = json.loads(world.served[JWK_URL])

    claims = pyjwt.decode(
        token,
        pyjwt_key(jwk),
        algorithms=["RS256"],
        issuer=ISSUER_V3,
        # Time is checked by colbot against an injected clock, not by PyJWT against the wall.
        options={"verify_nbf": False, "verify_exp": False, "require": ["iss", "jti", "nbf"]},
    )

    assert claims == vcjwt.verify_credential(token, jwk)


def test_vc_jwt_tampered_payload_fails_in_both_libraries(world: World) -> None:
    header, payload, signature = world.jwt_credential().split(".")
    claims = json.loads(b64url_decode(payload))
    claims["name"] = "Brain Surgery"
    forged_payload = base64.urlsafe_b64encode(json.dumps(claims).encode()).rstrip(b"=").decode()
    forged = f"{header}.{forged_payload}.{signature}"
    jwk = json.loads(world.served[JWK_URL])

    with pytest.raises(pyjwt.InvalidSignatureError):
        pyjwt.decode(forged, pyjwt_key(jwk), algorithms=["RS256"])
    with pytest.raises(SignatureError):
        vcjwt.verify_credential(forged, jwk)


def test_claims_that_disagree_with_the_credential_are_reported(world: World) -> None:
    credential = world.ob3_credential()
    claims = vcjwt.claims_for(credential)
    claims["iss"] = "https://impostor.example"
    claims["nbf"] += 60

    problems = vcjwt.claim_problems(claims, credential)

    assert any(problem.startswith("iss") for problem in problems)
    assert "nbf is not validFrom" in problems


def test_the_vc_jwt_binds_its_subject_by_sub(world: World) -> None:
    """sub is credentialSubject.id where there is one, else the subject's hashed identifier."""
    credential = world.ob3_credential()
    subject = credential["credentialSubject"]
    claims = vcjwt.claims_for(credential)
    if "id" in subject:
        assert claims["sub"] == subject["id"]
    else:
        assert claims["sub"] == subject["identifier"][0]["identityHash"]
    assert vcjwt.claim_problems(claims, credential) == []
    with_did = {**credential, "credentialSubject": {**subject, "id": "did:key:z6MkexampleWallet"}}
    assert vcjwt.claims_for(with_did)["sub"] == "did:key:z6MkexampleWallet"
    claims["sub"] = "someone-else"
    assert any(problem.startswith("sub") for problem in vcjwt.claim_problems(claims, credential))
