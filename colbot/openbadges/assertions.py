"""Verifying OB 2.0 assertions: signed ones by their JWS, hosted ones by the issuer's server."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from colbot.openbadges import jws
from colbot.openbadges.errors import SignatureError
from colbot.openbadges.fetching import Fetcher, Unreachable
from colbot.openbadges.keys import RS256
from colbot.openbadges.recipients import identity_matches
from colbot.openbadges.verdicts import (
    CHECK_FORMAT,
    CHECK_HOSTED,
    CHECK_ISSUER,
    CHECK_KEY_OWNERSHIP,
    CHECK_RECIPIENT,
    CHECK_REVOCATION,
    CHECK_SIGNATURE,
    KIND_OB2_HOSTED,
    KIND_OB2_SIGNED,
    Run,
    check_validity_period,
    id_of,
    ids_of,
    same_origin,
    types_of,
)

HOSTED_BADGE = "HostedBadge"
SIGNED_BADGE = "SignedBadge"
EMAIL_TYPES = ("email", "emailAddress")


def _check_recipient(run: Run, assertion: Mapping[str, Any], email: str | None) -> None:
    """Whether an OB 2.0 recipient identity names the email."""
    if email is None:
        return
    recipient = assertion.get("recipient")
    if not isinstance(recipient, Mapping) or recipient.get("type") not in EMAIL_TYPES:
        run.failed(CHECK_RECIPIENT, "the badge does not name an email recipient")
        return
    identity = recipient.get("identity")
    salt = recipient.get("salt")
    if isinstance(identity, str) and identity_matches(
        identity, recipient.get("hashed") is True, salt if isinstance(salt, str) else None, email
    ):
        run.passed(CHECK_RECIPIENT, "the badge was issued to this email")
    else:
        run.failed(CHECK_RECIPIENT, "the badge was issued to someone else")


def _issuer(
    run: Run, assertion: Mapping[str, Any], fetcher: Fetcher
) -> tuple[str, dict[str, Any]] | None:
    """The issuer id and profile behind an assertion's BadgeClass, or None after a failure."""
    try:
        badge = assertion.get("badge")
        badge_class = (
            dict(badge) if isinstance(badge, Mapping) else fetcher.document(badge, "BadgeClass")
        )
        issuer_id = id_of(badge_class.get("issuer"))
        if issuer_id is None:
            raise Unreachable("the BadgeClass names no issuer")
        issuer = fetcher.document(issuer_id, "issuer profile")
    except Unreachable as error:
        run.failed(CHECK_ISSUER, f"unknown issuer: {error}")
        return None
    if issuer.get("id") != issuer_id:
        run.failed(CHECK_ISSUER, f"the profile at {issuer_id} has id {issuer.get('id')!r}")
        return None
    run.passed(CHECK_ISSUER, f"issuer {issuer.get('name', issuer_id)!r} at {issuer_id}")
    return issuer_id, issuer


def _check_revocation(
    run: Run, assertion: Mapping[str, Any], issuer: Mapping[str, Any], fetcher: Fetcher
) -> None:
    """Whether the issuer's RevocationList (or a hosted assertion itself) says revoked."""
    if assertion.get("revoked") is True:
        reason = assertion.get("revocationReason", "no reason given")
        run.failed(CHECK_REVOCATION, f"revoked by the issuer: {reason}")
        return
    list_url = issuer.get("revocationList")
    if list_url is None:
        run.passed(CHECK_REVOCATION, "the issuer publishes no revocation list")
        return
    try:
        revocations = fetcher.document(id_of(list_url) or list_url, "revocation list")
    except Unreachable as error:
        run.failed(CHECK_REVOCATION, f"cannot check revocation: {error}")
        return
    assertion_id = assertion.get("id")
    entries = revocations.get("revokedAssertions", [])
    for entry in entries if isinstance(entries, list) else []:
        if id_of(entry) == assertion_id or entry == assertion_id:
            reason = entry.get("revocationReason") if isinstance(entry, Mapping) else None
            run.failed(CHECK_REVOCATION, f"revoked by the issuer: {reason or 'no reason given'}")
            return
    run.passed(CHECK_REVOCATION, "not on the issuer's revocation list")


def _shape_problem(assertion: Mapping[str, Any]) -> str | None:
    """Why a JSON object is not an OB 2.0 Assertion, if it is not one."""
    if "Assertion" not in types_of(assertion):
        return "the payload is not an OB 2.0 Assertion"
    for member in ("id", "recipient", "badge", "issuedOn"):
        if member not in assertion:
            return f"the Assertion has no {member}"
    return None


def verify_signed(token: str, fetcher: Fetcher, now: datetime, email: str | None) -> Run:
    """An OB 2.0 SignedBadge: JWS signature, key owned by the issuer, revocation, dates."""
    run = Run(KIND_OB2_SIGNED)
    compact = jws.read_compact(token)
    assertion = compact.payload
    run.document = assertion
    problem = _shape_problem(assertion)
    verification = assertion.get("verification")
    creator = verification.get("creator") if isinstance(verification, Mapping) else None
    if problem is None and compact.header.get("alg") != RS256:
        problem = f"JWS algorithm {compact.header.get('alg')!r} is not {RS256}"
    if problem is None and not isinstance(creator, str):
        problem = "the Assertion's verification names no creator key"
    if problem is not None:
        run.failed(CHECK_FORMAT, problem)
        return run
    assert isinstance(creator, str)
    run.passed(CHECK_FORMAT, "OB 2.0 Assertion signed as a compact JWS")

    try:
        key = fetcher.document(creator, "signing key")
    except Unreachable as error:
        run.failed(CHECK_ISSUER, f"unknown issuer: {error}")
        return run
    pem = key.get("publicKeyPem")
    if not isinstance(pem, str):
        run.failed(CHECK_SIGNATURE, f"the key document at {creator} has no publicKeyPem")
        return run
    try:
        jws.verify_assertion(token, pem)
    except SignatureError as error:
        run.failed(CHECK_SIGNATURE, str(error))
        return run
    run.passed(CHECK_SIGNATURE, f"RS256 signature matches the key at {creator}")

    found = _issuer(run, assertion, fetcher)
    if found is None:
        return run
    issuer_id, issuer = found
    listed = ids_of(issuer.get("publicKey"))
    if key.get("id") != creator:
        run.failed(CHECK_KEY_OWNERSHIP, f"the key at {creator} calls itself {key.get('id')!r}")
    elif id_of(key.get("owner")) != issuer_id:
        run.failed(
            CHECK_KEY_OWNERSHIP,
            f"the key at {creator} is owned by {key.get('owner')!r}, not the issuer {issuer_id}",
        )
    elif creator not in listed:
        run.failed(CHECK_KEY_OWNERSHIP, f"the issuer {issuer_id} does not list the key {creator}")
    else:
        run.passed(CHECK_KEY_OWNERSHIP, f"the key {creator} belongs to the issuer {issuer_id}")
    _check_revocation(run, assertion, issuer, fetcher)
    check_validity_period(
        run, assertion.get("issuedOn"), assertion.get("expires"), now, "issuedOn", "expires"
    )
    _check_recipient(run, assertion, email)
    return run


def verify_hosted(
    assertion: dict[str, Any], fetcher: Fetcher, now: datetime, email: str | None
) -> Run:
    """An OB 2.0 HostedBadge: the issuer's own server must serve the same assertion."""
    run = Run(KIND_OB2_HOSTED)
    run.document = assertion
    problem = _shape_problem(assertion)
    verification = assertion.get("verification")
    method = verification.get("type") if isinstance(verification, Mapping) else HOSTED_BADGE
    if problem is None and method == SIGNED_BADGE:
        problem = "this is a SignedBadge: verify its JWS, not its JSON"
    elif problem is None and method != HOSTED_BADGE:
        problem = f"unknown verification type {method!r}"
    if problem is not None:
        run.failed(CHECK_FORMAT, problem)
        return run
    run.passed(CHECK_FORMAT, "OB 2.0 hosted Assertion")
    assertion_id = assertion["id"]
    try:
        hosted = fetcher.document(assertion_id, "hosted assertion")
    except Unreachable as error:
        run.failed(CHECK_HOSTED, str(error))
        return run
    if hosted.get("revoked") is True:
        reason = hosted.get("revocationReason", "no reason given")
        run.failed(CHECK_REVOCATION, f"revoked by the issuer: {reason}")
        return run
    if hosted != assertion:
        run.failed(CHECK_HOSTED, f"the assertion served at {assertion_id} is different")
        return run
    found = _issuer(run, assertion, fetcher)
    if found is None:
        return run
    issuer_id, issuer = found
    if not same_origin(assertion_id, issuer_id):
        run.failed(CHECK_HOSTED, f"{assertion_id} is not hosted on the issuer's origin")
    else:
        run.passed(CHECK_HOSTED, f"served by the issuer at {assertion_id}")
    _check_revocation(run, hosted, issuer, fetcher)
    check_validity_period(
        run, assertion.get("issuedOn"), assertion.get("expires"), now, "issuedOn", "expires"
    )
    _check_recipient(run, assertion, email)
    return run
