"""Checking a wallet's DIDAuth: a presentation signed by its did:key over colbot's challenge.

The Learner Credential Wallet signs with Ed25519Signature2020 (app/lib/composeVp.ts and
present.ts); eddsa-rdfc-2022 is taken too. Both sign SHA-256(canonical proof options) followed
by SHA-256(canonical presentation), so one check serves both; nothing here touches the network.
"""

from __future__ import annotations

import hmac
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from cryptography.exceptions import InvalidSignature

from colbot.openbadges.canonical import canonical_nquads
from colbot.openbadges.contexts import VC2_CONTEXT
from colbot.openbadges.dataintegrity import CRYPTOSUITE, PROOF_TYPE, CanonicalForms, unsecured
from colbot.openbadges.errors import BadgeError
from colbot.openbadges.multibase import decode_base58btc
from colbot.openbadges.timestamps import parse_xsd
from colbot.wallet import didkey
from colbot.wallet.contexts import presentation_loader

ED25519_SIGNATURE_2020 = "Ed25519Signature2020"
AUTHENTICATION = "authentication"
VERIFIABLE_PRESENTATION = "VerifiablePresentation"
ED25519_SIGNATURE_BYTES = 64


class DidAuthError(BadgeError):
    """A presentation that does not prove who the wallet is, for this exchange."""


@dataclass(frozen=True)
class Expected:
    """What the exchange asked the wallet to sign: its challenge and colbot's domain.

    domain_required: a wallet answering a presentation request signs the domain it was given;
    the Learner Credential Wallet's one-step request link gives it none to sign.
    """

    challenge: str
    domain: str
    domain_required: bool = True


def _types(document: Mapping[str, Any]) -> list[object]:
    kinds = document.get("type")
    return kinds if isinstance(kinds, list) else [kinds]


def _the_proof(presentation: Mapping[str, Any]) -> Mapping[str, Any]:
    """The presentation's one proof, given as an object or as a set of one."""
    proof = presentation.get("proof")
    if isinstance(proof, list) and len(proof) == 1:
        proof = proof[0]
    if not isinstance(proof, Mapping):
        raise DidAuthError("the presentation must carry exactly one proof")
    kind, suite = proof.get("type"), proof.get("cryptosuite")
    if kind != ED25519_SIGNATURE_2020 and not (kind == PROOF_TYPE and suite == CRYPTOSUITE):
        raise DidAuthError(
            f"a proof of type {kind!r} cannot be checked: use {ED25519_SIGNATURE_2020}, or "
            f"{PROOF_TYPE} with {CRYPTOSUITE}"
        )
    return proof


def _check_options(proof: Mapping[str, Any], holder: str, expected: Expected) -> None:
    """The proof is for authentication, by the holder's own key, over this challenge and domain."""
    if proof.get("proofPurpose") != AUTHENTICATION:
        raise DidAuthError(f"proofPurpose is {proof.get('proofPurpose')!r}, not {AUTHENTICATION!r}")
    if proof.get("verificationMethod") != didkey.key_id(holder):
        raise DidAuthError(
            f"the proof is signed by {proof.get('verificationMethod')!r}, not by the key of "
            f"the holder {holder}"
        )
    challenge = proof.get("challenge")
    if not isinstance(challenge, str) or not hmac.compare_digest(
        challenge.encode(), expected.challenge.encode()
    ):
        raise DidAuthError("the proof signs another challenge than this exchange's")
    domain = proof.get("domain")
    if (domain is not None or expected.domain_required) and domain != expected.domain:
        raise DidAuthError(f"the proof signs the domain {domain!r}, not {expected.domain!r}")
    if "created" in proof:
        parse_xsd(proof["created"])


def signed_data(presentation: Mapping[str, Any], proof: Mapping[str, Any]) -> bytes:
    """What the holder's key signs: the proof options' hash, then the presentation's."""
    # As jsonld-signatures builds it: the document's @context, then the proof's own members.
    options = {"@context": presentation.get("@context")}
    options.update((key, value) for key, value in proof.items() if key != "proofValue")
    forms = CanonicalForms(
        document_nquads=canonical_nquads(unsecured(presentation), loader=presentation_loader),
        proof_nquads=canonical_nquads(options, loader=presentation_loader),
    )
    return forms.hash_data


def authenticated_holder(presentation: object, expected: Expected) -> str:
    """The DID that signed this DIDAuth presentation; DidAuthError says why when none did."""
    if not isinstance(presentation, Mapping) or VERIFIABLE_PRESENTATION not in _types(presentation):
        raise DidAuthError("the wallet sent no VerifiablePresentation")
    context = presentation.get("@context")
    if not isinstance(context, list) or context[:1] != [VC2_CONTEXT]:
        raise DidAuthError(f"the presentation's @context must start with {VC2_CONTEXT}")
    holder = presentation.get("holder")
    if not isinstance(holder, str):
        raise DidAuthError("the presentation names no holder DID")
    try:
        public_key = didkey.public_key_of(holder)
    except BadgeError as error:
        raise DidAuthError(f"the holder must be an Ed25519 did:key: {error}") from error
    proof = _the_proof(presentation)
    try:
        _check_options(proof, holder, expected)
        signature = decode_base58btc(str(proof.get("proofValue", "")))
        data = signed_data(presentation, proof)
    except DidAuthError:
        raise
    except BadgeError as error:
        raise DidAuthError(f"the proof cannot be checked: {error}") from error
    if len(signature) != ED25519_SIGNATURE_BYTES:
        raise DidAuthError("proofValue is not a 64-byte Ed25519 signature")
    try:
        public_key.verify(signature, data)
    except InvalidSignature as error:
        raise DidAuthError("the signature does not match the holder's key") from error
    return holder
