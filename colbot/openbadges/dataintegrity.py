"""eddsa-rdfc-2022 Data Integrity proofs (W3C VC Data Integrity EdDSA Cryptosuites v1.0)."""

from __future__ import annotations

import copy
import hashlib
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric import ed25519

from colbot.openbadges.canonical import canonical_nquads
from colbot.openbadges.checks import Check, first_failure
from colbot.openbadges.errors import BadgeError
from colbot.openbadges.multibase import decode_base58btc, ed25519_from_multikey, encode_base58btc
from colbot.openbadges.timestamps import parse_xsd, to_xsd

PROOF_TYPE = "DataIntegrityProof"
CRYPTOSUITE = "eddsa-rdfc-2022"
ASSERTION_METHOD = "assertionMethod"
ED25519_SIGNATURE_BYTES = 64
# A proof set rarely holds more than two; each proof costs a canonicalisation to check.
MAX_PROOFS = 4

CHECK_PROOF = "proof"
CHECK_CANONICALISATION = "canonicalisation"
CHECK_VERIFICATION_METHOD = "verification-method"
CHECK_SIGNATURE = "signature"


@dataclass(frozen=True)
class CanonicalForms:
    """What an eddsa-rdfc-2022 signature covers, kept for inspection and tests."""

    document_nquads: str
    proof_nquads: str

    @property
    def document_hash(self) -> bytes:
        """SHA-256 of the canonical document."""
        return hashlib.sha256(self.document_nquads.encode("utf-8")).digest()

    @property
    def proof_hash(self) -> bytes:
        """SHA-256 of the canonical proof configuration."""
        return hashlib.sha256(self.proof_nquads.encode("utf-8")).digest()

    @property
    def hash_data(self) -> bytes:
        """proofHash || documentHash: the 64 bytes that are signed."""
        return self.proof_hash + self.document_hash


@dataclass(frozen=True)
class ProofVerification:
    """Each step of checking one proof; valid only when every step passed."""

    checks: list[Check]

    @property
    def valid(self) -> bool:
        """Whether the proof holds."""
        return first_failure(self.checks) is None


def issuer_id_of(document: Mapping[str, Any]) -> str | None:
    """The issuer's id, whether issuer is a string or a Profile object."""
    issuer = document.get("issuer")
    if isinstance(issuer, Mapping):
        issuer = issuer.get("id")
    return issuer if isinstance(issuer, str) else None


def unsecured(document: Mapping[str, Any]) -> dict[str, Any]:
    """A copy of the document without its proofs."""
    copied = copy.deepcopy(dict(document))
    copied.pop("proof", None)
    return copied


def proof_configuration(
    document: Mapping[str, Any],
    verification_method: str,
    created: datetime,
    proof_purpose: str = ASSERTION_METHOD,
) -> dict[str, Any]:
    """The proof options that get canonicalised and signed, carrying the document's @context."""
    if "@context" not in document:
        raise BadgeError("a document to sign needs an @context")
    return {
        "@context": copy.deepcopy(document["@context"]),
        "type": PROOF_TYPE,
        "cryptosuite": CRYPTOSUITE,
        "created": to_xsd(created),
        "verificationMethod": verification_method,
        "proofPurpose": proof_purpose,
    }


def canonical_forms(
    document: Mapping[str, Any], configuration: Mapping[str, Any]
) -> CanonicalForms:
    """Canonicalises the unsecured document and the proof configuration with RDFC-1.0."""
    return CanonicalForms(
        document_nquads=canonical_nquads(unsecured(document)),
        proof_nquads=canonical_nquads(configuration),
    )


def create_proof(
    document: Mapping[str, Any],
    private_key: ed25519.Ed25519PrivateKey,
    verification_method: str,
    created: datetime,
) -> dict[str, Any]:
    """A DataIntegrityProof over the document; raises DroppedTermError if any term is undefined."""
    configuration = proof_configuration(document, verification_method, created)
    forms = canonical_forms(document, configuration)
    signature = private_key.sign(forms.hash_data)
    proof = {key: value for key, value in configuration.items() if key != "@context"}
    proof["proofValue"] = encode_base58btc(signature)
    return proof


def sign(
    document: Mapping[str, Any],
    private_key: ed25519.Ed25519PrivateKey,
    verification_method: str,
    created: datetime,
) -> dict[str, Any]:
    """A copy of the document with a new proof appended to its proof array (a proof set)."""
    proof = create_proof(document, private_key, verification_method, created)
    signed = copy.deepcopy(dict(document))
    existing = signed.get("proof")
    proofs = existing if isinstance(existing, list) else [existing] if existing else []
    signed["proof"] = [*proofs, proof]
    return signed


def proofs_of(document: Mapping[str, Any]) -> list[object]:
    """Every entry of the document's proof, whether one object or an array (a proof set)."""
    proof = document.get("proof")
    return list(proof) if isinstance(proof, list) else [proof] if proof is not None else []


def proof_set_problem(proofs: list[object]) -> str | None:
    """Why a proof set cannot be checked at all: it is empty, or too big to check."""
    if not proofs:
        return f"no {PROOF_TYPE} with cryptosuite {CRYPTOSUITE}"
    if len(proofs) > MAX_PROOFS:
        return f"the document carries {len(proofs)} proofs; colbot checks at most {MAX_PROOFS}"
    return None


def of_proof(detail: str, number: int, count: int) -> str:
    """A sentence about one proof, saying which of the set it is when there are several."""
    return detail if count == 1 else f"proof {number} of {count}: {detail}"


def numbered(checks: list[Check], number: int, count: int) -> list[Check]:
    """One proof's checks, each saying which proof of the set it is about."""
    return [Check(item.name, item.passed, of_proof(item.detail, number, count)) for item in checks]


def proof_problem(proof: object) -> str | None:
    """Why an entry of a proof set is not a well-formed eddsa-rdfc-2022 proof, if it is not."""
    if not isinstance(proof, Mapping):
        return f"the proof is not a JSON object: {proof!r:.60}"
    if proof.get("type") != PROOF_TYPE or proof.get("cryptosuite") != CRYPTOSUITE:
        return (
            f"the proof is a {proof.get('type')!r} with cryptosuite {proof.get('cryptosuite')!r};"
            f" colbot checks only {PROOF_TYPE} with cryptosuite {CRYPTOSUITE}"
        )
    if proof.get("proofPurpose") != ASSERTION_METHOD:
        return f"proofPurpose is {proof.get('proofPurpose')!r}, expected {ASSERTION_METHOD!r}"
    if not isinstance(proof.get("verificationMethod"), str):
        return "the proof has no verificationMethod"
    value = proof.get("proofValue")
    if not isinstance(value, str) or not value.startswith("z"):
        return "proofValue must be a multibase base58btc string"
    if "created" in proof:
        try:
            parse_xsd(proof["created"])
        except BadgeError as error:
            return f"created: {error}"
    return None


def _verification_config(document: Mapping[str, Any], proof: Mapping[str, Any]) -> dict[str, Any]:
    """The proof configuration a verifier rebuilds from the proof it was given."""
    configuration = {key: copy.deepcopy(value) for key, value in proof.items()}
    configuration.pop("proofValue", None)
    if "@context" in configuration:
        declared = configuration["@context"]
        declared = declared if isinstance(declared, list) else [declared]
        context = document.get("@context")
        context = context if isinstance(context, list) else [context]
        if context[: len(declared)] != declared:
            raise BadgeError("the proof's @context does not start the document's @context")
    else:
        configuration["@context"] = copy.deepcopy(document.get("@context"))
    return configuration


def _method_check(
    verification_method: str, issuer_id: str | None, expected: str | None, controller: str | None
) -> Check:
    """Whether the verificationMethod is the key colbot expects for this issuer."""
    if expected is not None:
        if verification_method == expected:
            return Check(CHECK_VERIFICATION_METHOD, True, f"signed by {expected}")
        return Check(
            CHECK_VERIFICATION_METHOD,
            False,
            f"signed by {verification_method}, expected {expected}",
        )
    if controller is None:
        controller = verification_method.partition("#")[0]
    if issuer_id is None or controller != issuer_id:
        return Check(
            CHECK_VERIFICATION_METHOD,
            False,
            f"verificationMethod {verification_method} does not belong to issuer {issuer_id}: "
            f"its controller is {controller}",
        )
    return Check(CHECK_VERIFICATION_METHOD, True, f"verificationMethod belongs to {issuer_id}")


def verify(
    document: Mapping[str, Any],
    *,
    public_key: ed25519.Ed25519PublicKey | None = None,
    expected_verification_method: str | None = None,
    method_controller: str | None = None,
) -> ProofVerification:
    """Checks every proof of the document, stopping at the first that fails, which it names."""
    proofs = proofs_of(document)
    problem = proof_set_problem(proofs)
    if problem is not None:
        return ProofVerification([Check(CHECK_PROOF, False, problem)])
    checks: list[Check] = []
    for number, proof in enumerate(proofs, 1):
        result = verify_proof(
            document,
            proof,
            public_key=public_key,
            expected_verification_method=expected_verification_method,
            method_controller=method_controller,
        )
        checks.extend(numbered(result.checks, number, len(proofs)))
        if not result.valid:
            break
    return ProofVerification(checks)


def verify_proof(
    document: Mapping[str, Any],
    proof: object,
    *,
    public_key: ed25519.Ed25519PublicKey | None = None,
    expected_verification_method: str | None = None,
    method_controller: str | None = None,
) -> ProofVerification:
    """Checks one of the document's eddsa-rdfc-2022 proofs step by step, so failures say which."""
    # Without public_key, the key is read from the verificationMethod's fragment (a
    # publicKeyMultibase). The method must belong to the issuer: method_controller, the
    # controller its dereferenced document names, or else the part of its URL before '#'.
    # Whether the issuer really lists the key is the caller's check.
    problem = proof_problem(proof)
    if problem is not None:
        return ProofVerification([Check(CHECK_PROOF, False, problem)])
    assert isinstance(proof, Mapping)
    checks = [Check(CHECK_PROOF, True, f"{PROOF_TYPE} {CRYPTOSUITE}")]
    method: str = proof["verificationMethod"]
    checks.append(
        _method_check(
            method, issuer_id_of(document), expected_verification_method, method_controller
        )
    )

    try:
        forms = canonical_forms(document, _verification_config(document, proof))
    except BadgeError as error:
        checks.append(Check(CHECK_CANONICALISATION, False, str(error)))
        return ProofVerification(checks)
    checks.append(Check(CHECK_CANONICALISATION, True, "RDFC-1.0 canonical N-Quads"))

    try:
        key = public_key or ed25519.Ed25519PublicKey.from_public_bytes(
            ed25519_from_multikey(method.partition("#")[2])
        )
        signature = decode_base58btc(proof["proofValue"])
    except BadgeError as error:
        checks.append(Check(CHECK_SIGNATURE, False, str(error)))
        return ProofVerification(checks)
    if len(signature) != ED25519_SIGNATURE_BYTES:
        checks.append(Check(CHECK_SIGNATURE, False, "proofValue is not a 64-byte signature"))
        return ProofVerification(checks)
    try:
        key.verify(signature, forms.hash_data)
    except InvalidSignature:
        checks.append(
            Check(
                CHECK_SIGNATURE,
                False,
                "the Ed25519 signature does not match: the credential was changed after signing",
            )
        )
    else:
        checks.append(Check(CHECK_SIGNATURE, True, "Ed25519 signature matches"))
    return ProofVerification(checks)
