"""A pure badge verifier: any OB 2.0 or OB 3.0 form in, a verdict with every check out.

The caller supplies fetch(url) -> (content type, bytes), the time and, optionally, the email
the badge should name; nothing here touches the network or the clock itself.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from urllib.parse import urldefrag, urlsplit

from colbot.badges import dataintegrity, jws, vcjwt
from colbot.badges.baking import PNG, Unbaked, check_size, image_format, unbake
from colbot.badges.checks import Check, first_failure
from colbot.badges.contexts import OB3_CONTEXT, VC2_CONTEXT
from colbot.badges.errors import BadgeError, SignatureError
from colbot.badges.fetching import Fetch, Fetcher, Unreachable
from colbot.badges.keys import RS256
from colbot.badges.recipients import identity_matches
from colbot.badges.statuslist import decode_bitstring, status_bit
from colbot.badges.timestamps import parse_xsd, to_xsd

KIND_OB2_SIGNED = "ob2-signed"
KIND_OB2_HOSTED = "ob2-hosted"
KIND_OB3_JWT = "ob3-vc-jwt"
KIND_OB3_PROOF = "ob3-data-integrity"
KIND_UNKNOWN = "unknown"

CHECK_FORMAT = "format"
CHECK_SIGNATURE = "signature"
CHECK_CLAIMS = "claims"
CHECK_ISSUER = "issuer"
CHECK_KEY_OWNERSHIP = "key-ownership"
CHECK_HOSTED = "hosted"
CHECK_REVOCATION = "revocation"
CHECK_EXPIRY = "expiry"
CHECK_RECIPIENT = "recipient"

OB3_CREDENTIAL_TYPES = {"OpenBadgeCredential", "AchievementCredential"}
VERIFIABLE_CREDENTIAL = "VerifiableCredential"
STATUS_LIST_CREDENTIAL = "BitstringStatusListCredential"
STATUS_ENTRY = "BitstringStatusListEntry"
STATUS_LIST = "BitstringStatusList"
CHECKED_STATUS_PURPOSES = ("revocation", "suspension")
HOSTED_BADGE = "HostedBadge"
SIGNED_BADGE = "SignedBadge"
EMAIL_TYPES = ("email", "emailAddress")


@dataclass(frozen=True)
class Verdict:
    """Whether a badge is valid, what kind it is, and every check that decided it."""

    valid: bool
    kind: str
    checks: list[Check]
    container: str | None = None
    document: dict[str, Any] | None = field(default=None, compare=False)

    @property
    def reason(self) -> str:
        """The first failure's explanation, or a line saying all checks passed."""
        failure = first_failure(self.checks)
        return failure.detail if failure else f"valid {self.kind}: all checks passed"

    def check(self, name: str) -> Check | None:
        """The check with this name, if it was run."""
        return next((item for item in self.checks if item.name == name), None)


class _Run:
    """The checks gathered while verifying one badge."""

    def __init__(self, kind: str) -> None:
        self.kind = kind
        self.checks: list[Check] = []
        self.document: dict[str, Any] | None = None

    def passed(self, name: str, detail: str) -> None:
        """Records a passing check."""
        self.checks.append(Check(name, True, detail))

    def failed(self, name: str, detail: str) -> None:
        """Records a failing check."""
        self.checks.append(Check(name, False, detail))

    @property
    def ok(self) -> bool:
        """True while nothing has failed."""
        return first_failure(self.checks) is None

    def verdict(self, container: str | None = None) -> Verdict:
        """The verdict: valid only if something was checked and nothing failed."""
        return Verdict(
            valid=bool(self.checks) and self.ok,
            kind=self.kind,
            checks=list(self.checks),
            container=container,
            document=self.document,
        )


def _types(document: Mapping[str, Any]) -> set[str]:
    """The document's type values as a set, whether one string or a list."""
    kinds = document.get("type")
    if isinstance(kinds, str):
        return {kinds}
    return {kind for kind in kinds if isinstance(kind, str)} if isinstance(kinds, list) else set()


def _id_of(value: Any) -> str | None:
    """An id given directly as a string or inside an object."""
    if isinstance(value, Mapping):
        value = value.get("id")
    return value if isinstance(value, str) else None


def _ids(value: Any) -> list[str]:
    """Ids from a string, an object or a list of either."""
    items = value if isinstance(value, list) else [value]
    return [identifier for item in items if (identifier := _id_of(item)) is not None]


def _same_origin(first: str, second: str) -> bool:
    """Whether two URLs share scheme and host."""
    one, two = urlsplit(first), urlsplit(second)
    return (one.scheme, one.netloc) == (two.scheme, two.netloc)


# Shared checks


def _check_validity_period(
    run: _Run, start: Any, end: Any, now: datetime, start_name: str, end_name: str
) -> None:
    """Not before the start, not after the end."""
    try:
        begins = parse_xsd(start)
        ends = parse_xsd(end) if end is not None else None
    except BadgeError as error:
        run.failed(CHECK_EXPIRY, f"{start_name}/{end_name}: {error}")
        return
    if begins > now:
        run.failed(CHECK_EXPIRY, f"not valid yet: {start_name} is {to_xsd(begins)}")
    elif ends is not None and ends <= now:
        run.failed(CHECK_EXPIRY, f"expired: {end_name} was {to_xsd(ends)}")
    elif ends is not None:
        run.passed(CHECK_EXPIRY, f"valid until {to_xsd(ends)}")
    else:
        run.passed(CHECK_EXPIRY, "does not expire")


def _check_recipient_ob2(run: _Run, assertion: Mapping[str, Any], email: str | None) -> None:
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


def _check_recipient_ob3(run: _Run, credential: Mapping[str, Any], email: str | None) -> None:
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


# Open Badges 2.0


def _ob2_issuer(
    run: _Run, assertion: Mapping[str, Any], fetcher: Fetcher
) -> tuple[str, dict[str, Any]] | None:
    """The issuer id and profile behind an assertion's BadgeClass, or None after a failure."""
    try:
        badge = assertion.get("badge")
        badge_class = (
            dict(badge) if isinstance(badge, Mapping) else fetcher.document(badge, "BadgeClass")
        )
        issuer_id = _id_of(badge_class.get("issuer"))
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


def _check_ob2_revocation(
    run: _Run, assertion: Mapping[str, Any], issuer: Mapping[str, Any], fetcher: Fetcher
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
        revocations = fetcher.document(_id_of(list_url) or list_url, "revocation list")
    except Unreachable as error:
        run.failed(CHECK_REVOCATION, f"cannot check revocation: {error}")
        return
    assertion_id = assertion.get("id")
    entries = revocations.get("revokedAssertions", [])
    for entry in entries if isinstance(entries, list) else []:
        if _id_of(entry) == assertion_id or entry == assertion_id:
            reason = entry.get("revocationReason") if isinstance(entry, Mapping) else None
            run.failed(CHECK_REVOCATION, f"revoked by the issuer: {reason or 'no reason given'}")
            return
    run.passed(CHECK_REVOCATION, "not on the issuer's revocation list")


def _ob2_shape_problem(assertion: Mapping[str, Any]) -> str | None:
    """Why a JSON object is not an OB 2.0 Assertion, if it is not one."""
    if "Assertion" not in _types(assertion):
        return "the payload is not an OB 2.0 Assertion"
    for member in ("id", "recipient", "badge", "issuedOn"):
        if member not in assertion:
            return f"the Assertion has no {member}"
    return None


def _verify_ob2_signed(token: str, fetcher: Fetcher, now: datetime, email: str | None) -> _Run:
    """An OB 2.0 SignedBadge: JWS signature, key owned by the issuer, revocation, dates."""
    run = _Run(KIND_OB2_SIGNED)
    compact = jws.read_compact(token)
    assertion = compact.payload
    run.document = assertion
    problem = _ob2_shape_problem(assertion)
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

    found = _ob2_issuer(run, assertion, fetcher)
    if found is None:
        return run
    issuer_id, issuer = found
    listed = _ids(issuer.get("publicKey"))
    if key.get("id") != creator:
        run.failed(CHECK_KEY_OWNERSHIP, f"the key at {creator} calls itself {key.get('id')!r}")
    elif _id_of(key.get("owner")) != issuer_id:
        run.failed(
            CHECK_KEY_OWNERSHIP,
            f"the key at {creator} is owned by {key.get('owner')!r}, not the issuer {issuer_id}",
        )
    elif creator not in listed:
        run.failed(CHECK_KEY_OWNERSHIP, f"the issuer {issuer_id} does not list the key {creator}")
    else:
        run.passed(CHECK_KEY_OWNERSHIP, f"the key {creator} belongs to the issuer {issuer_id}")
    _check_ob2_revocation(run, assertion, issuer, fetcher)
    _check_validity_period(
        run, assertion.get("issuedOn"), assertion.get("expires"), now, "issuedOn", "expires"
    )
    _check_recipient_ob2(run, assertion, email)
    return run


def _verify_ob2_hosted(
    assertion: dict[str, Any], fetcher: Fetcher, now: datetime, email: str | None
) -> _Run:
    """An OB 2.0 HostedBadge: the issuer's own server must serve the same assertion."""
    run = _Run(KIND_OB2_HOSTED)
    run.document = assertion
    problem = _ob2_shape_problem(assertion)
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
    if hosted != assertion:
        run.failed(CHECK_HOSTED, f"the assertion served at {assertion_id} is different")
        return run
    found = _ob2_issuer(run, assertion, fetcher)
    if found is None:
        return run
    issuer_id, issuer = found
    if not _same_origin(assertion_id, issuer_id):
        run.failed(CHECK_HOSTED, f"{assertion_id} is not hosted on the issuer's origin")
    else:
        run.passed(CHECK_HOSTED, f"served by the issuer at {assertion_id}")
    _check_ob2_revocation(run, hosted, issuer, fetcher)
    _check_validity_period(
        run, assertion.get("issuedOn"), assertion.get("expires"), now, "issuedOn", "expires"
    )
    _check_recipient_ob2(run, assertion, email)
    return run


# Open Badges 3.0


def _ob3_shape_problem(credential: Mapping[str, Any]) -> str | None:
    """Why a JSON object is not an OB 3.0 credential, if it is not one."""
    context = credential.get("@context")
    if not isinstance(context, list) or context[:1] != [VC2_CONTEXT]:
        return f"@context must start with {VC2_CONTEXT}"
    if OB3_CONTEXT not in context:
        return f"@context must include {OB3_CONTEXT}"
    kinds = _types(credential)
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


def _listed_method(profile: Mapping[str, Any], method_id: str) -> Mapping[str, Any] | None:
    """The profile's verificationMethod entry for method_id, if the profile authorises it."""
    if method_id not in _ids(profile.get("assertionMethod")):
        return None
    for method in profile.get("verificationMethod", []) or []:
        if isinstance(method, Mapping) and method.get("id") == method_id:
            return method
    # Listed in assertionMethod by id alone (for example, a key embedded there).
    embedded = [
        item
        for item in profile.get("assertionMethod", [])
        if isinstance(item, Mapping) and item.get("id") == method_id
    ]
    return embedded[0] if embedded else {"id": method_id}


def _issuer_profile(run: _Run, issuer_id: str, fetcher: Fetcher) -> dict[str, Any] | None:
    """The issuer's published Profile, or None after recording why it is unusable."""
    try:
        profile = fetcher.document(issuer_id, "issuer profile")
    except Unreachable as error:
        run.failed(CHECK_ISSUER, f"unknown issuer: {error}")
        return None
    if profile.get("id") != issuer_id:
        run.failed(CHECK_ISSUER, f"the profile at {issuer_id} has id {profile.get('id')!r}")
        return None
    run.passed(CHECK_ISSUER, f"issuer {profile.get('name', issuer_id)!r} at {issuer_id}")
    return profile


def _method_problem(
    profile: Mapping[str, Any],
    issuer_id: str,
    method_id: str,
    same_key: Callable[[Mapping[str, Any]], bool],
) -> str | None:
    """Why the issuer's profile does not vouch for this key, if it does not."""
    method = _listed_method(profile, method_id)
    if method is None:
        return f"the issuer {issuer_id} does not list the key {method_id} as an assertionMethod"
    controller = method.get("controller", issuer_id)
    if controller != issuer_id:
        return f"the key {method_id} is controlled by {controller!r}, not the issuer {issuer_id}"
    if not same_key(method):
        return f"the issuer's profile publishes different key material for {method_id}"
    return None


def _multikey_matcher(method_id: str) -> Callable[[Mapping[str, Any]], bool]:
    """Whether a listed method carries the Multikey named in method_id's fragment."""
    multikey = method_id.partition("#")[2]
    return lambda method: method.get("publicKeyMultibase", multikey) == multikey


def _jwk_matcher(jwk: Mapping[str, Any]) -> Callable[[Mapping[str, Any]], bool]:
    """Whether a listed method carries the same RSA public key as the fetched JWK."""

    def same(method: Mapping[str, Any]) -> bool:
        listed = method.get("publicKeyJwk")
        if listed is None:
            return True
        return isinstance(listed, Mapping) and all(
            jwk.get(member) == listed.get(member) for member in ("kty", "n", "e")
        )

    return same


def _status_list_problem(
    document: Mapping[str, Any], issuer_id: str, profile: Mapping[str, Any]
) -> str | None:
    """Why a status list credential cannot be trusted, if it cannot."""
    if STATUS_LIST_CREDENTIAL not in _types(document):
        return "it is not a BitstringStatusListCredential"
    if dataintegrity.issuer_id_of(document) != issuer_id:
        return "it was issued by someone other than the credential's issuer"
    proof = dataintegrity.verify(document)
    failure = first_failure(proof.checks)
    if failure is not None:
        return f"its proof fails ({failure.name}): {failure.detail}"
    found = dataintegrity.find_proof(document)
    assert found is not None
    method = str(found["verificationMethod"])
    return _method_problem(profile, issuer_id, method, _multikey_matcher(method))


def _check_status(
    run: _Run,
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
    entries = status if isinstance(status, list) else [status]
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
        if not isinstance(index_text, str) or not index_text.isdigit():
            run.failed(CHECK_REVOCATION, f"statusListIndex {index_text!r} is not a number")
            return
        try:
            status_list = fetcher.document(str(url), "status list credential")
        except Unreachable as error:
            run.failed(CHECK_REVOCATION, f"cannot check revocation: {error}")
            return
        problem = _status_list_problem(status_list, issuer_id, profile)
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


def _finish_ob3(
    run: _Run,
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
    _check_validity_period(
        run,
        credential.get("validFrom"),
        credential.get("validUntil"),
        now,
        "validFrom",
        "validUntil",
    )
    _check_recipient_ob3(run, credential, email)


def _verify_ob3_proof(
    credential: dict[str, Any], fetcher: Fetcher, now: datetime, email: str | None
) -> _Run:
    """An OB 3.0 credential with an embedded eddsa-rdfc-2022 proof."""
    run = _Run(KIND_OB3_PROOF)
    run.document = credential
    problem = _ob3_shape_problem(credential)
    if problem is not None:
        run.failed(CHECK_FORMAT, problem)
        return run
    run.passed(CHECK_FORMAT, "OB 3.0 credential with an embedded proof")
    run.checks.extend(dataintegrity.verify(credential).checks)
    if not run.ok:
        return run
    issuer_id = dataintegrity.issuer_id_of(credential)
    assert issuer_id is not None
    profile = _issuer_profile(run, issuer_id, fetcher)
    if profile is None:
        return run
    proof = dataintegrity.find_proof(credential)
    assert proof is not None
    method = str(proof["verificationMethod"])
    owner_problem = _method_problem(profile, issuer_id, method, _multikey_matcher(method))
    if owner_problem is not None:
        run.failed(CHECK_KEY_OWNERSHIP, owner_problem)
    else:
        run.passed(CHECK_KEY_OWNERSHIP, f"the issuer lists {method}")
    _finish_ob3(run, credential, profile, fetcher, now, email)
    return run


def _dereference_jwk(kid: str, fetcher: Fetcher) -> dict[str, Any]:
    """The public JWK a kid URL names: a bare JWK, a JWK Set, or a controller document."""
    document = fetcher.document(kid, "public key (kid)")
    if "kty" in document:
        return document
    keys = document.get("keys")
    fragment = urldefrag(kid).fragment
    for key in keys if isinstance(keys, list) else []:
        if isinstance(key, Mapping) and key.get("kid") in (kid, fragment):
            return dict(key)
    for method in document.get("verificationMethod", []) or []:
        if isinstance(method, Mapping) and method.get("id") == kid:
            jwk = method.get("publicKeyJwk")
            if isinstance(jwk, Mapping):
                return dict(jwk)
    raise Unreachable(f"no JWK with kid {kid} at {urldefrag(kid).url}")


def _verify_ob3_jwt(token: str, fetcher: Fetcher, now: datetime, email: str | None) -> _Run:
    """An OB 3.0 VC-JWT: signature by the kid's key, claims, issuer's key, status, dates."""
    run = _Run(KIND_OB3_JWT)
    compact = jws.read_compact(token)
    credential = vcjwt.credential_of(compact.payload)
    run.document = credential
    header = compact.header
    problem = _ob3_shape_problem(credential)
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
        jwk = _dereference_jwk(kid, fetcher)
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
    run.passed(CHECK_CLAIMS, "iss, jti, sub, nbf and exp agree with the credential")
    issuer_id = dataintegrity.issuer_id_of(credential)
    assert issuer_id is not None
    profile = _issuer_profile(run, issuer_id, fetcher)
    if profile is None:
        return run
    owner_problem = _method_problem(profile, issuer_id, kid, _jwk_matcher(jwk))
    if owner_problem is not None:
        run.failed(CHECK_KEY_OWNERSHIP, owner_problem)
    else:
        run.passed(CHECK_KEY_OWNERSHIP, f"the issuer lists {kid}")
    _finish_ob3(run, credential, profile, fetcher, now, email)
    return run


# Dispatch


def _verify_text(text: str, fetcher: Fetcher, now: datetime, email: str | None) -> _Run:
    """Recognises the form of a badge given as text and verifies it."""
    text = text.strip()
    if jws.looks_compact(text):
        try:
            payload = jws.read_compact(text).payload
        except BadgeError as error:
            run = _Run(KIND_UNKNOWN)
            run.failed(CHECK_FORMAT, f"malformed JWS: {error}")
            return run
        if "Assertion" in _types(payload):
            return _verify_ob2_signed(text, fetcher, now, email)
        return _verify_ob3_jwt(text, fetcher, now, email)
    if text.startswith("{"):
        try:
            document = json.loads(text)
        except ValueError as error:
            run = _Run(KIND_UNKNOWN)
            run.failed(CHECK_FORMAT, f"malformed JSON: {error}")
            return run
        if isinstance(document, dict) and VERIFIABLE_CREDENTIAL in _types(document):
            return _verify_ob3_proof(document, fetcher, now, email)
        if isinstance(document, dict) and "Assertion" in _types(document):
            return _verify_ob2_hosted(document, fetcher, now, email)
    run = _Run(KIND_UNKNOWN)
    run.failed(
        CHECK_FORMAT,
        "not a badge: expected a JWS, a VC-JWT, credential or assertion JSON, a PNG or an SVG",
    )
    return run


def _from_image(data: bytes) -> tuple[str | None, Unbaked | None]:
    """The badge text baked into an image, or an error message."""
    try:
        baked = unbake(data)
    except BadgeError as error:
        return str(error), None
    if baked.empty:
        name = "PNG" if baked.image_format == PNG else "SVG"
        return f"this {name} image has no badge baked into it", baked
    return None, baked


def verify(
    data: bytes | str,
    fetch: Fetch,
    now: datetime,
    recipient_email: str | None = None,
) -> Verdict:
    """Verifies a badge in any supported form; the verdict says why if it is not valid."""
    if now.tzinfo is None:
        raise ValueError("now must be timezone-aware")
    fetcher = Fetcher(fetch)
    try:
        check_size(data)
    except BadgeError as error:
        run = _Run(KIND_UNKNOWN)
        run.failed(CHECK_FORMAT, str(error))
        return run.verdict()
    container: str | None = None
    if isinstance(data, bytes):
        if image_format(data) is not None:
            problem, baked = _from_image(data)
            container = baked.image_format if baked else None
            if problem is not None or baked is None:
                run = _Run(KIND_UNKNOWN)
                run.failed(CHECK_FORMAT, problem or "unreadable image")
                return run.verdict(container)
            # An image may carry both; the OB 3.0 credential is the one colbot checks first.
            text = baked.credential if baked.credential is not None else baked.assertion
            assert text is not None
        else:
            try:
                text = data.decode("utf-8")
            except UnicodeDecodeError:
                run = _Run(KIND_UNKNOWN)
                run.failed(CHECK_FORMAT, "not a PNG, an SVG or UTF-8 text")
                return run.verdict()
    else:
        text = data
    try:
        run = _verify_text(text, fetcher, now, recipient_email)
    except BadgeError as error:
        run = _Run(KIND_UNKNOWN)
        run.failed(CHECK_FORMAT, f"malformed badge: {error}")
    return run.verdict(container)
