"""Checking a badge's signed forms with other people's libraries, as outside verifiers do."""

from __future__ import annotations

import json
from typing import Any

import aiohttp
import jwt
from cryptography.hazmat.primitives.asymmetric import ed25519

from colbot.openbadges import dataintegrity
from colbot.openbadges.contexts import MULTIKEY_CONTEXT
from colbot.openbadges.multibase import ed25519_from_multikey
from tests.support.badge_flow import (
    fetch_json,
)
from tests.support.demo import TEST_NOW


async def ob2_checked_with_pyjwt(http: aiohttp.ClientSession, token: str) -> dict[str, Any]:
    """The OB 2.0 JWS, verified by PyJWT with the PEM key its creator URL serves."""
    unverified = json.loads(jwt.api_jws.decode(token, options={"verify_signature": False}))
    key_url = unverified["verification"]["creator"]
    key = await fetch_json(http, key_url)
    assert key["type"] == "CryptographicKey" and key["id"] == key_url
    badge_class = await fetch_json(http, unverified["badge"])
    issuer = await fetch_json(http, badge_class["issuer"])
    assert key["owner"] == issuer["id"] == badge_class["issuer"]
    listed = issuer["publicKey"] if isinstance(issuer["publicKey"], list) else [issuer["publicKey"]]
    assert key_url in listed
    payload = jwt.api_jws.decode(token, key["publicKeyPem"], algorithms=["RS256"])
    assertion: dict[str, Any] = json.loads(payload)
    return assertion


async def vc_jwt_checked_with_pyjwt(http: aiohttp.ClientSession, token: str) -> dict[str, Any]:
    """The VC-JWT, verified by PyJWT with the JWK its kid URL serves."""
    header = jwt.get_unverified_header(token)
    assert header["alg"] == "RS256"
    jwk = await fetch_json(http, header["kid"])
    assert jwk["kid"] == header["kid"] and "d" not in jwk
    key = jwt.PyJWK(jwk).key
    # PyJWT compares nbf with the real clock; colbot issued on the test clock, so check it here.
    claims: dict[str, Any] = jwt.decode(
        token, key, algorithms=["RS256"], options={"verify_nbf": False}
    )
    assert claims["nbf"] == int(TEST_NOW.timestamp())
    return claims


async def multikey_checked(
    http: aiohttp.ClientSession, method: str, issuer_id: str
) -> ed25519.Ed25519PublicKey:
    """The key a proof's verificationMethod serves, which the issuer's profile lists as its own."""
    # Verifiers fetch the URL as it stands, so it must answer with the Multikey itself.
    assert "#" not in method, method
    document = await fetch_json(http, method)
    multikey = document["publicKeyMultibase"]
    assert document == {
        "@context": MULTIKEY_CONTEXT,
        "id": method,
        "type": "Multikey",
        "controller": issuer_id,
        "publicKeyMultibase": multikey,
    }
    profile = await fetch_json(http, issuer_id)
    assert method in profile["assertionMethod"]
    listed = next(m for m in profile["verificationMethod"] if m["id"] == method)
    assert listed == {k: v for k, v in document.items() if k != "@context"}
    return ed25519.Ed25519PublicKey.from_public_bytes(ed25519_from_multikey(multikey))


async def proof_checked(http: aiohttp.ClientSession, credential: dict[str, Any]) -> None:
    """The embedded eddsa-rdfc-2022 proof, with the key the issuer's profile lists."""
    proof = credential["proof"]
    assert isinstance(proof, list) and len(proof) == 1
    method = proof[0]["verificationMethod"]
    key = await multikey_checked(http, method, credential["issuer"]["id"])
    checked = dataintegrity.verify(credential, public_key=key, expected_verification_method=method)
    assert checked.valid, checked.checks
