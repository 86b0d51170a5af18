"""Which keys an issuer vouches for, read from its published profile (a controller document)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any
from urllib.parse import urldefrag

from colbot.openbadges.errors import BadgeError
from colbot.openbadges.fetching import Fetcher, Unreachable
from colbot.openbadges.multibase import ed25519_from_multikey
from colbot.openbadges.verdicts import CHECK_ISSUER, Run, as_list, ids_of


def listed_method(profile: Mapping[str, Any], method_id: str) -> Mapping[str, Any] | None:
    """The profile's verificationMethod entry for method_id, if the profile authorises it."""
    if method_id not in ids_of(profile.get("assertionMethod")):
        return None
    listed = as_list(profile.get("verificationMethod")) + as_list(profile.get("assertionMethod"))
    for method in listed:
        if isinstance(method, Mapping) and method.get("id") == method_id:
            return method
    # Named in assertionMethod but described nowhere: the id alone vouches for the key.
    return {"id": method_id}


def issuer_profile(run: Run, issuer_id: str, fetcher: Fetcher) -> dict[str, Any] | None:
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


def method_problem(
    profile: Mapping[str, Any],
    issuer_id: str,
    method_id: str,
    same_key: Callable[[Mapping[str, Any]], bool],
) -> str | None:
    """Why the issuer's profile does not vouch for this key, if it does not."""
    method = listed_method(profile, method_id)
    if method is None:
        return f"the issuer {issuer_id} does not list the key {method_id} as an assertionMethod"
    controller = method.get("controller", issuer_id)
    if controller != issuer_id:
        return f"the key {method_id} is controlled by {controller!r}, not the issuer {issuer_id}"
    if not same_key(method):
        return f"the issuer's profile publishes different key material for {method_id}"
    return None


def multikey_matcher(multikey: str) -> Callable[[Mapping[str, Any]], bool]:
    """Whether a listed method carries this publicKeyMultibase (or names none)."""
    return lambda method: method.get("publicKeyMultibase", multikey) == multikey


def proof_method(method_id: str, fetcher: Fetcher) -> dict[str, Any]:
    """The verification method a proof names, with its controller and publicKeyMultibase."""
    # '<issuer>#z6Mk...' carries the key itself; '<issuer>#key-1' is found inside the document
    # at its URL (CID 1.0 fragment resolution); a URL without a fragment serves the method.
    address, fragment = urldefrag(method_id)
    try:
        ed25519_from_multikey(fragment)
    except BadgeError:
        pass
    else:
        return {"id": method_id, "controller": address, "publicKeyMultibase": fragment}
    document = fetcher.document(method_id, "verification method")
    candidates = as_list(document.get("verificationMethod")) if fragment else [document]
    for method in candidates:
        if (
            isinstance(method, Mapping)
            and method.get("id") == method_id
            and isinstance(method.get("publicKeyMultibase"), str)
        ):
            return dict(method)
    raise Unreachable(f"no publicKeyMultibase for {method_id} at {address}")


def jwk_matcher(jwk: Mapping[str, Any]) -> Callable[[Mapping[str, Any]], bool]:
    """Whether a listed method carries the same RSA public key as the fetched JWK."""

    def same(method: Mapping[str, Any]) -> bool:
        listed = method.get("publicKeyJwk")
        if listed is None:
            return True
        return isinstance(listed, Mapping) and all(
            jwk.get(member) == listed.get(member) for member in ("kty", "n", "e")
        )

    return same


def dereference_jwk(kid: str, fetcher: Fetcher) -> dict[str, Any]:
    """The public JWK a kid URL names: a bare JWK, a JWK Set, or a controller document."""
    document = fetcher.document(kid, "public key (kid)")
    if "kty" in document:
        return document
    keys = document.get("keys")
    fragment = urldefrag(kid).fragment
    for key in keys if isinstance(keys, list) else []:
        if isinstance(key, Mapping) and key.get("kid") in (kid, fragment):
            return dict(key)
    for method in as_list(document.get("verificationMethod")):
        if isinstance(method, Mapping) and method.get("id") == kid:
            jwk = method.get("publicKeyJwk")
            if isinstance(jwk, Mapping):
                return dict(jwk)
    raise Unreachable(f"no JWK with kid {kid} at {urldefrag(kid).url}")
