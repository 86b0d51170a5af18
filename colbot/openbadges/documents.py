"""Builders for the Open Badges 2.0 and 3.0 documents an issuer publishes or hands out."""

# Every id is a URL the caller chooses; every time is an aware datetime the caller supplies.

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from colbot.openbadges.contexts import (
    DID_CONTEXT,
    MULTIKEY_CONTEXT,
    OB2_CONTEXT,
    OB3_CONTEXT,
    VC2_CONTEXT,
)
from colbot.openbadges.errors import BadgeError
from colbot.openbadges.recipients import hash_identity, normalise_email
from colbot.openbadges.statuslist import encode_bitstring
from colbot.openbadges.timestamps import to_xsd

Document = dict[str, Any]

OB3_CONTEXTS = [VC2_CONTEXT, OB3_CONTEXT]
# A Profile that lists keys is a controller document too: DID v1 defines assertionMethod and
# verificationMethod (CID 1.0 names it as a context that may stand for its own), multikey/v1
# the Multikey methods listed in it.
CONTROLLER_CONTEXTS = [DID_CONTEXT, MULTIKEY_CONTEXT]
OB3_CREDENTIAL_TYPES = ["VerifiableCredential", "OpenBadgeCredential"]
STATUS_LIST_CREDENTIAL_TYPES = ["VerifiableCredential", "BitstringStatusListCredential"]
STATUS_LIST_ENTRY = "BitstringStatusListEntry"
STATUS_LIST = "BitstringStatusList"
REVOCATION = "revocation"
EMAIL_IDENTITY = "emailAddress"
OB2_EMAIL = "email"
SIGNED_BADGE = "SignedBadge"
MULTIKEY = "Multikey"
JSON_WEB_KEY = "JsonWebKey"
# The Profile members that go inside a credential; key listings stay in the published profile.
EMBEDDED_PROFILE_MEMBERS = ("id", "type", "name", "url", "email", "description", "image")


@dataclass(frozen=True)
class Alignment:
    """A link from a badge to a skill or standard in some framework."""

    target_name: str
    target_url: str
    target_description: str | None = None
    target_framework: str | None = None
    target_code: str | None = None

    def members(self) -> Document:
        """The fields OB 2.0 and OB 3.0 share, without the ones left empty."""
        return _without_none(
            {
                "targetName": self.target_name,
                "targetUrl": self.target_url,
                "targetDescription": self.target_description,
                "targetFramework": self.target_framework,
                "targetCode": self.target_code,
            }
        )


def _without_none(members: Mapping[str, Any]) -> Document:
    """Optional members are left out rather than written as null."""
    return {key: value for key, value in members.items() if value is not None}


def _require_url(name: str, value: str) -> str:
    """Ids must be absolute URLs (or URNs): JSON-LD drops relative ones."""
    if not isinstance(value, str) or ":" not in value:
        raise BadgeError(f"{name} must be an absolute URL, got {value!r}")
    return value


# Open Badges 2.0


def ob2_recipient(email: str, salt: str) -> Document:
    """A hashed email recipient: 'sha256$' + hex(sha256(email + salt))."""
    return {
        "type": OB2_EMAIL,
        "hashed": True,
        "salt": salt,
        "identity": hash_identity(normalise_email(email), salt),
    }


def ob2_issuer(
    *,
    issuer_id: str,
    name: str,
    url: str,
    email: str,
    public_keys: Sequence[str],
    revocation_list: str | None = None,
    image: str | None = None,
    description: str | None = None,
) -> Document:
    """An OB 2.0 Issuer profile that lists every key its badges may be signed with."""
    if not public_keys:
        raise BadgeError("an issuer of signed badges must publish at least one key")
    keys = [_require_url("public key", key) for key in public_keys]
    return _without_none(
        {
            "@context": OB2_CONTEXT,
            "type": "Issuer",
            "id": _require_url("issuer_id", issuer_id),
            "name": name,
            "url": url,
            "email": email,
            "image": image,
            "description": description,
            "publicKey": keys[0] if len(keys) == 1 else keys,
            "revocationList": revocation_list,
        }
    )


def ob2_key(*, key_id: str, owner: str, public_key_pem: str) -> Document:
    """An OB 2.0 CryptographicKey document, served at key_id, naming its owning issuer."""
    return {
        "@context": OB2_CONTEXT,
        "type": "CryptographicKey",
        "id": _require_url("key_id", key_id),
        "owner": _require_url("owner", owner),
        "publicKeyPem": public_key_pem,
    }


def ob2_badge_class(
    *,
    badge_id: str,
    name: str,
    description: str,
    image: str,
    criteria_narrative: str,
    issuer_id: str,
    tags: Sequence[str] = (),
    alignment: Sequence[Alignment] = (),
) -> Document:
    """An OB 2.0 BadgeClass: what the badge means and who awards it."""
    badge: Document = {
        "@context": OB2_CONTEXT,
        "type": "BadgeClass",
        "id": _require_url("badge_id", badge_id),
        "name": name,
        "description": description,
        "image": image,
        "criteria": {"narrative": criteria_narrative},
        "issuer": _require_url("issuer_id", issuer_id),
    }
    if tags:
        badge["tags"] = list(tags)
    if alignment:
        badge["alignment"] = [item.members() for item in alignment]
    return badge


def ob2_assertion(
    *,
    assertion_id: str,
    badge_id: str,
    recipient: Mapping[str, Any],
    issued_on: datetime,
    key_id: str,
    expires: datetime | None = None,
    evidence: Sequence[Mapping[str, Any]] = (),
    narrative: str | None = None,
) -> Document:
    """An OB 2.0 Assertion verified as a SignedBadge by the key at key_id."""
    if expires is not None and expires <= issued_on:
        raise BadgeError("a badge must expire after it is issued")
    assertion: Document = {
        "@context": OB2_CONTEXT,
        "type": "Assertion",
        "id": _require_url("assertion_id", assertion_id),
        "recipient": dict(recipient),
        "badge": _require_url("badge_id", badge_id),
        "issuedOn": to_xsd(issued_on),
        "verification": {"type": SIGNED_BADGE, "creator": _require_url("key_id", key_id)},
    }
    if expires is not None:
        assertion["expires"] = to_xsd(expires)
    if evidence:
        assertion["evidence"] = [dict(item) for item in evidence]
    if narrative is not None:
        assertion["narrative"] = narrative
    return assertion


def ob2_revocation_list(
    *, list_id: str, issuer_id: str, revoked: Mapping[str, str | None]
) -> Document:
    """An OB 2.0 RevocationList: revoked assertion ids, each with an optional reason."""
    return {
        "@context": OB2_CONTEXT,
        "type": "RevocationList",
        "id": _require_url("list_id", list_id),
        "issuer": _require_url("issuer_id", issuer_id),
        "revokedAssertions": [
            _without_none({"id": assertion_id, "revocationReason": reason})
            for assertion_id, reason in revoked.items()
        ],
    }


# Open Badges 3.0


def multikey_method(
    issuer_id: str,
    public_key_multibase: str,
    fragment: str | None = None,
    method_id: str | None = None,
) -> Document:
    """An Ed25519 Multikey method, named '<issuer id>#<publicKeyMultibase>' unless told."""
    _require_url("issuer_id", issuer_id)
    return {
        "id": _require_url("method_id", method_id)
        if method_id is not None
        else f"{issuer_id}#{fragment or public_key_multibase}",
        "type": MULTIKEY,
        "controller": issuer_id,
        "publicKeyMultibase": public_key_multibase,
    }


def multikey_document(method_id: str, issuer_id: str, public_key_multibase: str) -> Document:
    """A Multikey served at its own id, the document a Data Integrity verifier dereferences."""
    return {
        "@context": MULTIKEY_CONTEXT,
        **multikey_method(issuer_id, public_key_multibase, method_id=method_id),
    }


def jwk_method(issuer_id: str, public_jwk: Mapping[str, Any]) -> Document:
    """A JsonWebKey verification method, named by the JWK's kid URL.

    JsonWebKey is a term of the CID 1.0 context, which colbot does not pin, so colbot's own
    profiles list their JWKs by reference (referenced_methods) and the kid URL serves the JWK.
    """
    kid = public_jwk.get("kid")
    if not isinstance(kid, str):
        raise BadgeError("the JWK needs a kid: the URL it is served at")
    if "d" in public_jwk:
        raise BadgeError("refusing to publish a private JWK")
    return {
        "id": _require_url("kid", kid),
        "type": JSON_WEB_KEY,
        "controller": _require_url("issuer_id", issuer_id),
        "publicKeyJwk": dict(public_jwk),
    }


def ob3_profile(
    *,
    issuer_id: str,
    name: str,
    url: str,
    email: str | None = None,
    image: str | None = None,
    description: str | None = None,
    verification_methods: Sequence[Mapping[str, Any]] = (),
    referenced_methods: Sequence[str] = (),
) -> Document:
    """An OB 3.0 issuer Profile listing its keys, so verifiers can tell which keys are its own."""
    # Keys are listed as a controller document lists them: each verification method by value,
    # and in assertionMethod by reference, with referenced_methods (keys described at their own
    # URL) by reference only. The credential embeds only the descriptive members.
    for method in verification_methods:
        if method.get("controller") != issuer_id:
            raise BadgeError(f"verification method {method.get('id')!r} has another controller")
    profile = _without_none(
        {
            "@context": list(OB3_CONTEXTS),
            "id": _require_url("issuer_id", issuer_id),
            "type": ["Profile"],
            "name": name,
            "url": url,
            "email": email,
            "description": description,
            "image": {"id": image, "type": "Image"} if image else None,
        }
    )
    if not (verification_methods or referenced_methods):
        return profile
    profile["@context"] += CONTROLLER_CONTEXTS
    if verification_methods:
        profile["verificationMethod"] = [dict(method) for method in verification_methods]
    profile["assertionMethod"] = [method["id"] for method in verification_methods] + [
        _require_url("method", method) for method in referenced_methods
    ]
    return profile


def ob3_achievement(
    *,
    achievement_id: str,
    name: str,
    description: str,
    criteria_narrative: str,
    image: str | None = None,
    tags: Sequence[str] = (),
    alignment: Sequence[Alignment] = (),
    achievement_type: str | None = None,
) -> Document:
    """An OB 3.0 Achievement, the 3.0 name for a BadgeClass."""
    achievement = _without_none(
        {
            "id": _require_url("achievement_id", achievement_id),
            "type": ["Achievement"],
            "achievementType": achievement_type,
            "name": name,
            "description": description,
            "criteria": {"narrative": criteria_narrative},
            "image": {"id": image, "type": "Image"} if image else None,
        }
    )
    if tags:
        achievement["tag"] = list(tags)
    if alignment:
        achievement["alignment"] = [{"type": ["Alignment"], **item.members()} for item in alignment]
    return achievement


def ob3_identity(identity: str, salt: str, identity_type: str = EMAIL_IDENTITY) -> Document:
    """A hashed IdentityObject; emails are normalised before hashing."""
    value = normalise_email(identity) if identity_type == EMAIL_IDENTITY else identity
    return {
        "type": "IdentityObject",
        "identityHash": hash_identity(value, salt),
        "identityType": identity_type,
        "hashed": True,
        "salt": salt,
    }


def status_list_entry(
    *, status_list_credential: str, index: int, purpose: str = REVOCATION
) -> Document:
    """A credentialStatus pointing at one bit of a Bitstring Status List."""
    if isinstance(index, bool) or not isinstance(index, int) or index < 0:
        raise BadgeError("statusListIndex must be a non-negative integer")
    return {
        "id": f"{_require_url('status_list_credential', status_list_credential)}#{index}",
        "type": STATUS_LIST_ENTRY,
        "statusPurpose": purpose,
        "statusListIndex": str(index),
        "statusListCredential": status_list_credential,
    }


def ob3_credential(
    *,
    credential_id: str,
    issuer: Mapping[str, Any],
    achievement: Mapping[str, Any],
    identifiers: Sequence[Mapping[str, Any]],
    valid_from: datetime,
    valid_until: datetime | None = None,
    name: str | None = None,
    description: str | None = None,
    subject_id: str | None = None,
    status: Mapping[str, Any] | None = None,
    evidence: Sequence[Mapping[str, Any]] = (),
) -> Document:
    """An unsigned OpenBadgeCredential awarding an achievement to a hashed identity."""
    if valid_until is not None and valid_until <= valid_from:
        raise BadgeError("a credential must stop being valid after it starts")
    embedded_issuer = {k: issuer[k] for k in EMBEDDED_PROFILE_MEMBERS if k in issuer}
    if "id" not in embedded_issuer:
        raise BadgeError("the issuer profile has no id")
    subject: Document = {"type": ["AchievementSubject"]}
    if subject_id is not None:
        subject = {"id": _require_url("subject_id", subject_id), **subject}
    subject["achievement"] = dict(achievement)
    if identifiers:
        subject["identifier"] = [dict(item) for item in identifiers]
    credential = _without_none(
        {
            "@context": list(OB3_CONTEXTS),
            "id": _require_url("credential_id", credential_id),
            "type": list(OB3_CREDENTIAL_TYPES),
            "issuer": embedded_issuer,
            "validFrom": to_xsd(valid_from),
            "validUntil": to_xsd(valid_until) if valid_until is not None else None,
            "name": name if name is not None else achievement.get("name"),
            "description": description,
            "credentialSubject": subject,
            "credentialStatus": dict(status) if status is not None else None,
        }
    )
    if evidence:
        credential["evidence"] = [{"type": ["Evidence"], **item} for item in evidence]
    return credential


def ob3_status_list_credential(
    *,
    list_id: str,
    issuer_id: str,
    valid_from: datetime,
    bits: bytes,
    purpose: str = REVOCATION,
    valid_until: datetime | None = None,
) -> Document:
    """An unsigned BitstringStatusListCredential publishing the given bits."""
    return _without_none(
        {
            "@context": [VC2_CONTEXT],
            "id": _require_url("list_id", list_id),
            "type": list(STATUS_LIST_CREDENTIAL_TYPES),
            "issuer": _require_url("issuer_id", issuer_id),
            "validFrom": to_xsd(valid_from),
            "validUntil": to_xsd(valid_until) if valid_until is not None else None,
            "credentialSubject": {
                "id": f"{list_id}#list",
                "type": STATUS_LIST,
                "statusPurpose": purpose,
                "encodedList": encode_bitstring(bits),
            },
        }
    )
