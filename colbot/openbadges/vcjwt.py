"""OB 3.0 VC-JWT (OB 3.0.3 §8.2): the credential as JWT claims, signed RS256 with a kid URL."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from cryptography.hazmat.primitives.asymmetric import rsa
from joserfc import jwt
from joserfc.errors import JoseError
from joserfc.jwk import RSAKey

from colbot.openbadges.dataintegrity import issuer_id_of
from colbot.openbadges.errors import BadgeError, SignatureError
from colbot.openbadges.keys import RS256, rsa_public_from_jwk
from colbot.openbadges.timestamps import from_numeric_date, parse_xsd, to_numeric_date

ALGORITHMS = [RS256]
JWT_TYPE = "JWT"
ACCEPTED_TYPES = (JWT_TYPE, "vc+jwt")
REGISTERED_CLAIMS = ("iss", "sub", "jti", "nbf", "exp", "iat", "aud")
VC_CLAIM = "vc"


def subject_id_of(credential: Mapping[str, Any]) -> str | None:
    """credentialSubject.id, when the subject has one."""
    subject = credential.get("credentialSubject")
    identifier = subject.get("id") if isinstance(subject, Mapping) else None
    return identifier if isinstance(identifier, str) else None


def stable_subject_of(credential: Mapping[str, Any]) -> str | None:
    """A subject with no id is known by its hashed identifier (the same for every badge of one
    person and one salt), which VC-JWT verifiers can bind by `sub`."""
    subject = credential.get("credentialSubject")
    identifiers = subject.get("identifier") if isinstance(subject, Mapping) else None
    for identifier in identifiers if isinstance(identifiers, list) else [identifiers]:
        if isinstance(identifier, Mapping) and isinstance(identifier.get("identityHash"), str):
            return str(identifier["identityHash"])
    return None


def claims_for(credential: Mapping[str, Any]) -> dict[str, Any]:
    """The JWT payload: the credential's members plus iss, jti, sub, nbf and exp."""
    issuer_id = issuer_id_of(credential)
    if issuer_id is None or not isinstance(credential.get("id"), str):
        raise BadgeError("a VC-JWT needs a credential with an id and an issuer id")
    claims: dict[str, Any] = dict(credential)
    claims["iss"] = issuer_id
    claims["jti"] = credential["id"]
    claims["nbf"] = to_numeric_date(parse_xsd(credential.get("validFrom")))
    subject_id = subject_id_of(credential) or stable_subject_of(credential)
    if subject_id is not None:
        claims["sub"] = subject_id
    if "validUntil" in credential:
        claims["exp"] = to_numeric_date(parse_xsd(credential["validUntil"]))
    return claims


def sign_credential(credential: Mapping[str, Any], private_key: rsa.RSAPrivateKey, kid: str) -> str:
    """Signs a credential as a VC-JWT whose header names the key's URL."""
    header = {"alg": RS256, "kid": kid, "typ": JWT_TYPE}
    key = RSAKey.import_key(private_key)
    return jwt.encode(header, claims_for(credential), key, algorithms=ALGORITHMS)


def verify_credential(token: str, public_jwk: Mapping[str, Any]) -> dict[str, Any]:
    """The JWT claims, if the RS256 signature matches the JWK; nothing else is checked."""
    try:
        key = RSAKey.import_key(rsa_public_from_jwk(public_jwk))
    except (BadgeError, JoseError) as error:
        raise SignatureError(f"the JWK is not a usable RSA public key: {error}") from error
    try:
        return dict(jwt.decode(token.strip(), key, algorithms=ALGORITHMS).claims)
    except JoseError as error:
        raise SignatureError(
            "the RS256 signature does not match the key: "
            "the credential was changed after signing, or signed with another key"
        ) from error


def credential_of(claims: Mapping[str, Any]) -> dict[str, Any]:
    """The credential a VC-JWT carries: its 'vc' claim (VC 1.1 style) or the claims themselves."""
    wrapped = claims.get(VC_CLAIM)
    if isinstance(wrapped, Mapping):
        return dict(wrapped)
    return {key: value for key, value in claims.items() if key not in REGISTERED_CLAIMS}


def _whole_seconds(moment: datetime) -> datetime:
    """NumericDates are whole seconds, so compare dateTimes at that resolution."""
    return moment.replace(microsecond=0)


def claim_problems(claims: Mapping[str, Any], credential: Mapping[str, Any]) -> list[str]:
    """Where the JWT claims disagree with the credential they carry (OB 3.0.3 §8.2.4.1)."""
    problems: list[str] = []
    if claims.get("iss") != issuer_id_of(credential):
        problems.append(f"iss {claims.get('iss')!r} is not the issuer id")
    if claims.get("jti") != credential.get("id"):
        problems.append(f"jti {claims.get('jti')!r} is not the credential id")
    subject_id = subject_id_of(credential)
    stable = stable_subject_of(credential)
    if subject_id is not None and claims.get("sub") != subject_id:
        problems.append(f"sub {claims.get('sub')!r} is not credentialSubject.id")
    elif subject_id is None and claims.get("sub") not in (None, stable):
        problems.append(f"sub {claims.get('sub')!r} is not the subject's hashed identifier")
    start = credential.get("validFrom", credential.get("issuanceDate"))
    try:
        if from_numeric_date(claims.get("nbf")) != _whole_seconds(parse_xsd(start)):
            problems.append("nbf is not validFrom")
    except BadgeError as error:
        problems.append(f"nbf or validFrom unreadable: {error}")
    end = credential.get("validUntil", credential.get("expirationDate"))
    if "exp" in claims or end is not None:
        try:
            if from_numeric_date(claims.get("exp")) != _whole_seconds(parse_xsd(end)):
                problems.append("exp is not validUntil")
        except BadgeError as error:
            problems.append(f"exp or validUntil unreadable: {error}")
    return problems
