"""Verifying OB 3.0 credentials, with an embedded proof or as a VC-JWT, and their status."""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from cryptography.hazmat.primitives.asymmetric import ed25519

from colbot.openbadges import dataintegrity, jws, vcjwt
from colbot.openbadges.checks import Check, first_failure
from colbot.openbadges.contexts import OB3_CONTEXT, VC2_CONTEXT
from colbot.openbadges.controllers import (
    dereference_jwk,
    issuer_profile,
    jwk_matcher,
    method_problem,
    multikey_matcher,
    proof_method,
)
from colbot.openbadges.errors import BadgeError, SignatureError
from colbot.openbadges.fetching import Fetcher, Unreachable
from colbot.openbadges.keys import RS256
from colbot.openbadges.multibase import ed25519_from_multikey
from colbot.openbadges.recipients import identity_matches
from colbot.openbadges.statuslist import decode_bitstring, status_bit
from colbot.openbadges.verdicts import (
    CHECK_CLAIMS,
    CHECK_FORMAT,
    CHECK_ISSUER,
    CHECK_KEY_OWNERSHIP,
    CHECK_RECIPIENT,
    CHECK_REVOCATION,
    CHECK_SIGNATURE,
    KIND_OB3_JWT,
    KIND_OB3_PROOF,
    Run,
    as_list,
    check_validity_period,
    types_of,
)

OB3_CREDENTIAL_TYPES = {"OpenBadgeCredential", "AchievementCredential"}
VERIFIABLE_CREDENTIAL = "VerifiableCredential"
STATUS_LIST_CREDENTIAL = "BitstringStatusListCredential"
STATUS_ENTRY = "BitstringStatusListEntry"
STATUS_LIST = "BitstringStatusList"
CHECKED_STATUS_PURPOSES = ("revocation", "suspension")
STATUS_INDEX = re.compile(r"[0-9]{1,12}")


def _check_recipient(run: Run, credential: Mapping[str, Any], email: str | None) -> None:
    """Whether any emailAddress IdentityObject in the credential names the email."""
    if email is None:
        return
    subject = credential.get("credentialSubject")
    identifiers = subject.get("identifier") if isinstance(subject, Mapping) else None
    found = False
    for item in identifiers if isinstance(identifiers, list) else []:
        if not isinstance(item, Mapping) or item.get("identityType") != "emailAddress":
            continue
        found = True
        claimed, salt = item.get("identityHash"), item.get("salt")
        if isinstance(claimed, str) and identity_matches(
            claimed, item.get("hashed") is True, salt if isinstance(salt, str) else None, email
        ):
            run.passed(CHECK_RECIPIENT, "the credential was issued to this email")
            return
    if found:
        run.failed(CHECK_RECIPIENT, "the credential was issued to someone else")
    else:
        run.failed(CHECK_RECIPIENT, "the credential does not name an email recipient")


def _shape_problem(credential: Mapping[str, Any]) -> str | None:
    """Why a JSON object is not an OB 3.0 credential, if it is not one."""
    context = credential.get("@context")
    if not isinstance(context, list) or context[:1] != [VC2_CONTEXT]:
        return f"@context must start with {VC2_CONTEXT}"
    if OB3_CONTEXT not in context:
        return f"@context must include {OB3_CONTEXT}"
    kinds = types_of(credential)
    if VERIFIABLE_CREDENTIAL not in kinds or not kinds & OB3_CREDENTIAL_TYPES:
        return "type must include VerifiableCredential and OpenBadgeCredential"
    if dataintegrity.issuer_id_of(credential) is None:
        return "the credential has no issuer id"
    if not isinstance(credential.get("id"), str):
        return "the credential has no id"
    if not isinstance(credential.get("credentialSubject"), Mapping):
        return "the credential has no credentialSubject"
    if "validFrom" not in credential:
        return "the credential has no validFrom"
    return None


def _proof_checks(
    document: Mapping[str, Any], proof: object, fetcher: Fetcher
) -> tuple[list[Check], str, str]:
    """Checks one eddsa-rdfc-2022 proof with the key its verificationMethod names."""
    if dataintegrity.proof_problem(proof) is not None:
        return dataintegrity.verify_proof(document, proof).checks, "", ""
    assert isinstance(proof, Mapping)
    method: str = proof["verificationMethod"]
    found = proof_method(method, fetcher)
    multikey = found["publicKeyMultibase"]
    owner = found.get("controller")
    controller = owner if isinstance(owner, str) else None
    try:
        public_key = ed25519.Ed25519PublicKey.from_public_bytes(ed25519_from_multikey(multikey))
    except BadgeError:
        checked = dataintegrity.verify_proof(document, proof, method_controller=controller)
        return checked.checks, method, multikey
    checked = dataintegrity.verify_proof(
        document, proof, public_key=public_key, method_controller=controller
    )
    return checked.checks, method, multikey


def _proof_set_checks(
    document: Mapping[str, Any], fetcher: Fetcher
) -> tuple[list[Check], list[tuple[str, str]]]:
    """Checks every proof of a document up to the first that fails, and the key each names."""
    proofs = dataintegrity.proofs_of(document)
    problem = dataintegrity.proof_set_problem(proofs)
    if problem is not None:
        return [Check(dataintegrity.CHECK_PROOF, False, problem)], []
    checks: list[Check] = []
    keys: list[tuple[str, str]] = []
    for number, proof in enumerate(proofs, 1):
        try:
            found, method, multikey = _proof_checks(document, proof, fetcher)
        except Unreachable as error:
            found = [Check(CHECK_ISSUER, False, f"unknown issuer: {error}")]
        checks.extend(dataintegrity.numbered(found, number, len(proofs)))
        if first_failure(found) is not None:
            break
        keys.append((method, multikey))
    return checks, keys


def _ownership_checks(
    profile: Mapping[str, Any], issuer_id: str, keys: list[tuple[str, str]]
) -> list[Check]:
    """Whether the issuer's profile vouches for the key of every proof."""
    checks: list[Check] = []
    for number, (method, multikey) in enumerate(keys, 1):
        problem = method_problem(profile, issuer_id, method, multikey_matcher(multikey))
        detail = f"the issuer lists {method}" if problem is None else problem
        checks.append(
            Check(
                CHECK_KEY_OWNERSHIP,
                problem is None,
                dataintegrity.of_proof(detail, number, len(keys)),
            )
        )
    return checks


def _status_list_problem(
    document: Mapping[str, Any], issuer_id: str, profile: Mapping[str, Any], fetcher: Fetcher
) -> str | None:
    """Why a status list credential cannot be trusted, if it cannot."""
    if STATUS_LIST_CREDENTIAL not in types_of(document):
        return "it is not a BitstringStatusListCredential"
    if dataintegrity.issuer_id_of(document) != issuer_id:
        return "it was issued by someone other than the credential's issuer"
    checks, keys = _proof_set_checks(document, fetcher)
    failure = first_failure(checks)
    if failure is not None:
        return f"its proof fails ({failure.name}): {failure.detail}"
    unvouched = first_failure(_ownership_checks(profile, issuer_id, keys))
    return None if unvouched is None else unvouched.detail


def _check_status(
    run: Run,
    credential: Mapping[str, Any],
    issuer_id: str,
    profile: Mapping[str, Any],
    fetcher: Fetcher,
) -> None:
    """Checks every revocation or suspension entry against its signed Bitstring Status List."""
    status = credential.get("credentialStatus")
    if status is None:
        run.passed(CHECK_REVOCATION, "the credential has no credentialStatus to check")
        return
    entries = as_list(status)
    for entry in entries:
        if not isinstance(entry, Mapping) or entry.get("type") != STATUS_ENTRY:
            kind = entry.get("type") if isinstance(entry, Mapping) else entry
            run.failed(CHECK_REVOCATION, f"cannot check credentialStatus of type {kind!r}")
            return
        purpose = entry.get("statusPurpose")
        if purpose not in CHECKED_STATUS_PURPOSES:
            continue
        url = entry.get("statusListCredential")
        index_text = entry.get("statusListIndex")
        if not isinstance(index_text, str) or not STATUS_INDEX.fullmatch(index_text):
            run.failed(CHECK_REVOCATION, f"statusListIndex {index_text!r} is not a number")
            return
        try:
            status_list = fetcher.document(url, "status list credential")
        except Unreachable as error:
            run.failed(CHECK_REVOCATION, f"cannot check revocation: {error}")
            return
        problem = _status_list_problem(status_list, issuer_id, profile, fetcher)
        subject = status_list.get("credentialSubject")
        if problem is None and (
            not isinstance(subject, Mapping) or subject.get("statusPurpose") != purpose
        ):
            problem = f"its statusPurpose is not {purpose!r}"
        if problem is not None:
            run.failed(CHECK_REVOCATION, f"the status list at {url} is not trustworthy: {problem}")
            return
        assert isinstance(subject, Mapping)
        try:
            is_set = status_bit(decode_bitstring(subject.get("encodedList", "")), int(index_text))
        except BadgeError as error:
            run.failed(CHECK_REVOCATION, f"the status list at {url} is unreadable: {error}")
            return
        if is_set:
            past = "revoked" if purpose == "revocation" else "suspended"
            run.failed(CHECK_REVOCATION, f"{past} by the issuer (status list {url}, {index_text})")
            return
    run.passed(CHECK_REVOCATION, "not revoked or suspended")


def _finish(
    run: Run,
    credential: Mapping[str, Any],
    profile: Mapping[str, Any],
    fetcher: Fetcher,
    now: datetime,
    email: str | None,
) -> None:
    """The checks both OB 3.0 proof formats share once the key is known to be the issuer's."""
    issuer_id = dataintegrity.issuer_id_of(credential)
    assert issuer_id is not None
    _check_status(run, credential, issuer_id, profile, fetcher)
    check_validity_period(
        run,
        credential.get("validFrom"),
        credential.get("validUntil"),
        now,
        "validFrom",
        "validUntil",
    )
    _check_recipient(run, credential, email)


def verify_proof(
    credential: dict[str, Any], fetcher: Fetcher, now: datetime, email: str | None
) -> Run:
    """An OB 3.0 credential with an embedded eddsa-rdfc-2022 proof."""
    run = Run(KIND_OB3_PROOF)
    run.document = credential
    problem = _shape_problem(credential)
    if problem is not None:
        run.failed(CHECK_FORMAT, problem)
        return run
    run.passed(CHECK_FORMAT, "OB 3.0 credential with an embedded proof")
    checks, keys = _proof_set_checks(credential, fetcher)
    run.checks.extend(checks)
    if not run.ok:
        return run
    issuer_id = dataintegrity.issuer_id_of(credential)
    assert issuer_id is not None
    profile = issuer_profile(run, issuer_id, fetcher)
    if profile is None:
        return run
    run.checks.extend(_ownership_checks(profile, issuer_id, keys))
    _finish(run, credential, profile, fetcher, now, email)
    return run


def verify_jwt(token: str, fetcher: Fetcher, now: datetime, email: str | None) -> Run:
    """An OB 3.0 VC-JWT: signature by the kid's key, claims, issuer's key, status, dates."""
    run = Run(KIND_OB3_JWT)
    compact = jws.read_compact(token)
    credential = vcjwt.credential_of(compact.payload)
    run.document = credential
    header = compact.header
    problem = _shape_problem(credential)
    if problem is None and header.get("alg") != RS256:
        problem = f"JWS algorithm {header.get('alg')!r} is not {RS256}"
    if problem is None and "typ" in header and header["typ"] not in vcjwt.ACCEPTED_TYPES:
        problem = f"JOSE typ {header['typ']!r} is not JWT"
    kid = header.get("kid")
    if problem is None and not isinstance(kid, str):
        problem = "the JOSE header has no kid naming the signing key"
    if problem is not None:
        run.failed(CHECK_FORMAT, problem)
        return run
    assert isinstance(kid, str)
    run.passed(CHECK_FORMAT, "OB 3.0 credential as a VC-JWT")
    try:
        jwk = dereference_jwk(kid, fetcher)
    except Unreachable as error:
        run.failed(CHECK_ISSUER, f"unknown issuer: {error}")
        return run
    try:
        claims = vcjwt.verify_credential(token, jwk)
    except SignatureError as error:
        run.failed(CHECK_SIGNATURE, str(error))
        return run
    run.passed(CHECK_SIGNATURE, f"RS256 signature matches the key {kid}")
    problems = vcjwt.claim_problems(claims, credential)
    if problems:
        run.failed(CHECK_CLAIMS, "; ".join(problems))
        return run
    run.passed(CHECK_CLAIMS, "the JWT claims agree with the credential")
    issuer_id = dataintegrity.issuer_id_of(credential)
    assert issuer_id is not None
    profile = issuer_profile(run, issuer_id, fetcher)
    if profile is None:
        return run
    owner_problem = method_problem(profile, issuer_id, kid, jwk_matcher(jwk))
    if owner_problem is not None:
        run.failed(CHECK_KEY_OWNERSHIP, owner_problem)
    else:
        run.passed(CHECK_KEY_OWNERSHIP, f"the issuer lists {kid}")
    _finish(run, credential, profile, fetcher, now, email)
    return run
