"""The Learner Credential Wallet's side of an exchange, step by step as its source does it.

Read from openwallet-foundation-labs/learner-credential-wallet: app/lib/did.ts (mintDid: an
Ed25519 did:key, its key id `did#fingerprint`), app/lib/interactionUrl.ts (GET with Accept:
application/json for `protocols`), app/screens/ExchangeCredentials/ExchangeCredentials.tsx and
app/lib/exchanges.ts (POST {}, then {"verifiablePresentation": ...}, credentials taken out of the
presentation sent back; note that since 2026-05 ExchangeCredentials.tsx keeps no credentials
from an exchange that began with a presentation request, which is why colbot's button and QR
use the request link), app/lib/composeVp.ts (a DIDAuth needs both challenge and domain),
app/lib/decode.ts and app/lib/credentialRequest.ts (the request link: auth_type bearer, the
presentation itself POSTed to vc_request_url, with the link's challenge and no domain), and
app/lib/verifiableObject.ts (extractCredentialsFrom). The presentation is made and signed as
@digitalcredentials/vc 10 (createPresentation: VC 2.0 context, holder), jsonld-signatures 12
(the suite's context appended; proof options with the document's @context; SHA-256 of both
canonical forms, proof first) and ed25519-signature-2020 6 (proofValue 'z' + base58btc) do.

Nothing here uses colbot's code: base58 is written out, and pyld canonicalises with its own
bundled copies of the contexts.
"""

from __future__ import annotations

import hashlib
import json
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from urllib.parse import parse_qs, urlsplit

import aiohttp
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ed25519
from pyld import jsonld  # type: ignore[import-untyped]
from pyld.documentloader.frozen import FrozenDocumentLoader  # type: ignore[import-untyped]

CREDENTIALS_V2 = "https://www.w3.org/ns/credentials/v2"
ED25519_2020 = "https://w3id.org/security/suites/ed25519-2020/v1"
# app.config.js LinkConfig.schemes: the links that open the app.
DEEP_LINK_PREFIXES = (
    "dccrequest://",
    "org.dcconsortium://",
    "https://lcw.app/request",
    "interaction:",
    "https://lcw.app/mobile",
)
BASE58 = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"
ED25519_PUB_MULTICODEC = b"\xed\x01"


def base58btc(data: bytes) -> str:
    """Multibase base58btc ('z' prefix), as @digitalcredentials/base58-universal encodes."""
    number, digits = int.from_bytes(data, "big"), ""
    while number:
        number, rest = divmod(number, 58)
        digits = BASE58[rest] + digits
    return "z" + "1" * (len(data) - len(data.lstrip(b"\0"))) + digits


def did_key_of(key: ed25519.Ed25519PrivateKey) -> str:
    """The did:key for an Ed25519 key: 'did:key:' and the key's z6Mk... fingerprint."""
    raw = key.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return "did:key:" + base58btc(ED25519_PUB_MULTICODEC + raw)


BUNDLED_CONTEXTS = FrozenDocumentLoader()


def canonical_hash(document: dict[str, Any]) -> bytes:
    """SHA-256 of the document's URDNA2015 N-Quads, as jsonld-signatures' createVerifyData."""
    nquads = jsonld.normalize(
        document,
        {
            "algorithm": "URDNA2015",
            "format": "application/n-quads",
            "documentLoader": BUNDLED_CONTEXTS,
        },
    )
    return hashlib.sha256(nquads.encode("utf-8")).digest()


def w3c_date(moment: datetime) -> str:
    """jsonld-signatures' util.w3cDate: ISO 8601 without the milliseconds."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def extract_credentials(obj: Any) -> list[dict[str, Any]] | None:
    """verifiableObject.ts extractCredentialsFrom: a VC, or a VP's verifiableCredential."""
    if not isinstance(obj, dict):
        return None
    kinds = obj.get("type") or []
    if "VerifiableCredential" in kinds:
        return [obj]
    if "VerifiablePresentation" in kinds and "verifiableCredential" in obj:
        found = obj["verifiableCredential"]
        return found if isinstance(found, list) else [found]
    return None


class WalletError(Exception):
    """What the app would show as a failure, with the exchange's answer when there was one."""

    def __init__(self, message: str, status: int | None = None, body: Any = None) -> None:
        super().__init__(message)
        self.status = status
        self.body = body


@dataclass
class Exchanged:
    """The exchange as the app saw it: each message it got, and the credentials it took."""

    request: dict[str, Any] | None = None
    sent: dict[str, Any] | None = None
    status: int = 0
    response: Any = None
    credentials: list[dict[str, Any]] = field(default_factory=list)


@dataclass
class LearnerCredentialWallet:
    """One wallet profile: a fresh Ed25519 key, its did:key, and the app's two ways in.

    The `claims_did`, `signs_challenge` and `spoil` knobs make a wallet that lies, for tests of
    colbot's refusals; left alone, it does exactly what the app does.
    """

    http: aiohttp.ClientSession | None = None
    key: ed25519.Ed25519PrivateKey = field(default_factory=ed25519.Ed25519PrivateKey.generate)
    claims_did: str | None = None
    signs_challenge: str | None = None
    spoil: Callable[[dict[str, Any]], None] | None = None

    @property
    def did(self) -> str:
        return did_key_of(self.key)

    @property
    def key_id(self) -> str:
        """did.ts: verificationKeyPair.id = `${did}#${fingerprint()}`."""
        return f"{self.did}#{self.did.removeprefix('did:key:')}"

    def signed_presentation(self, challenge: str, domain: str | None) -> dict[str, Any]:
        """vc.createPresentation({holder}) then vc.signPresentation with Ed25519Signature2020."""
        presentation: dict[str, Any] = {
            "@context": [CREDENTIALS_V2],
            "type": ["VerifiablePresentation"],
            "holder": self.claims_did or self.did,
        }
        presentation["@context"].append(ED25519_2020)  # ensureSuiteContext
        proof: dict[str, Any] = {
            "type": "Ed25519Signature2020",
            "created": w3c_date(datetime.now(UTC)),
            "verificationMethod": self.key_id,
            "proofPurpose": "authentication",
            "challenge": self.signs_challenge or challenge,
        }
        if domain is not None:
            proof["domain"] = domain
        options = {"@context": presentation["@context"], **proof}
        verify_data = canonical_hash(options) + canonical_hash(presentation)
        proof["proofValue"] = base58btc(self.key.sign(verify_data))
        signed = {**presentation, "proof": proof}
        if self.spoil is not None:
            self.spoil(signed)
        return signed

    async def _post(self, url: str, payload: dict[str, Any]) -> tuple[int, Any]:
        """exchanges.ts sendToExchanger: JSON in, the answer's text parsed (or null)."""
        assert self.http is not None, "this wallet only signs; give it an HTTP session to send"
        async with self.http.post(
            url, data=json.dumps(payload), headers={"Content-Type": "application/json"}
        ) as response:
            text = await response.text()
            return response.status, json.loads(text) if text else None

    async def exchange(self, link: str) -> Exchanged:
        """An interaction URL (`?iuv=1`, or `interaction:`) run as ExchangeCredentials does."""
        interaction = link.removeprefix("interaction:")
        if "iuv" not in parse_qs(urlsplit(interaction).query):
            raise WalletError(f"not an interaction URL: {link}")
        assert self.http is not None, "this wallet only signs; give it an HTTP session to send"
        async with self.http.get(interaction, headers={"Accept": "application/json"}) as got:
            if got.status != 200:
                raise WalletError("Interaction URL fetch failed", got.status, await got.json())
            protocols = (await got.json()).get("protocols")
        if not isinstance(protocols, dict) or "vcapi" not in protocols:
            raise WalletError('Only the "vcapi" protocol is supported currently.')
        exchange_url = protocols["vcapi"]
        seen = Exchanged()
        seen.status, initial = await self._post(exchange_url, {})
        if not isinstance(initial, dict) or "verifiablePresentationRequest" not in initial:
            raise WalletError("No offer or request found", seen.status, initial)
        request = initial["verifiablePresentationRequest"]
        seen.request = request
        queries = request["query"] if isinstance(request["query"], list) else [request["query"]]
        did_auth = [query for query in queries if query.get("type") == "DIDAuthentication"]
        if len(did_auth) != 1:
            raise WalletError("exactly one DIDAuthentication query expected", seen.status, initial)
        challenge, domain = request.get("challenge"), request.get("domain")
        if not (challenge and domain):
            raise WalletError('Both "challenge" and "domain" are required for DID Auth.')
        seen.sent = {"verifiablePresentation": self.signed_presentation(challenge, domain)}
        seen.status, seen.response = await self._post(exchange_url, seen.sent)
        presentation = (seen.response or {}).get("verifiablePresentation")
        seen.credentials = extract_credentials(presentation) or []
        return seen

    async def request(self, link: str) -> Exchanged:
        """The request link (credentialRequest.ts requestCredential), as the app opens it."""
        if not link.startswith(DEEP_LINK_PREFIXES):
            raise WalletError(f"the app does not open {link}")
        params = {name: values[0] for name, values in parse_qs(urlsplit(link).query).items()}
        if "vc_request_url" not in params or "issuer" not in params:
            raise WalletError("not a credential request link (needs issuer and vc_request_url)")
        if params.get("auth_type", "code") != "bearer":
            raise WalletError(f'Unsupported auth_type value: "{params.get("auth_type")}".')
        seen = Exchanged()
        # present.ts: challenge = uuid.v4() when the link carries none.
        challenge = params.get("challenge") or str(uuid.uuid4())
        seen.sent = self.signed_presentation(challenge, None)
        seen.status, seen.response = await self._post(params["vc_request_url"], seen.sent)
        if not 200 <= seen.status < 300:
            raise WalletError(
                "Unable to receive credential: The issuer failed to return a valid response",
                seen.status,
                seen.response,
            )
        credentials = extract_credentials(seen.response)
        if credentials is None:
            raise WalletError("The issuer failed to return a VC or VP", seen.status, seen.response)
        seen.credentials = credentials
        return seen
