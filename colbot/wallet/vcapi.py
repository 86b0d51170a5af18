"""The VC-API exchange messages, as the Learner Credential Wallet reads and writes them.

Its side is app/lib/exchanges.ts: it POSTs {} to the exchange URL, gets back a presentation
request, POSTs {"verifiablePresentation": ...} with its signed DIDAuth, and takes the
credentials out of the presentation that comes back. Its one-step request link
(app/lib/credentialRequest.ts) POSTs the signed presentation itself and takes a credential.
"""

from __future__ import annotations

from collections.abc import Mapping
from enum import Enum
from typing import Any

from colbot.openbadges.contexts import VC2_CONTEXT
from colbot.openbadges.dataintegrity import CRYPTOSUITE
from colbot.wallet.didauth import ED25519_SIGNATURE_2020, VERIFIABLE_PRESENTATION

PRESENTATION_REQUEST = "verifiablePresentationRequest"
PRESENTATION = "verifiablePresentation"
DID_AUTHENTICATION = "DIDAuthentication"
VC_API_PROTOCOL = "vcapi"
# The service a wallet answers at: the same exchange URL (VC-API's "unmediated" presentation).
UNMEDIATED_SERVICE = "UnmediatedPresentationService2021"


class Step(Enum):
    """Which message of the exchange a wallet's POST is."""

    START = "start"  # {}: what does the exchange want?
    ANSWER = "answer"  # {"verifiablePresentation": ...}: the signed DIDAuth it asked for
    DIRECT = "direct"  # a bare presentation: the one-step request link's DIDAuth
    UNKNOWN = "unknown"


def step_of(body: object) -> Step:
    """Tells the wallet's messages apart by their shape, as VC-API does."""
    if not isinstance(body, Mapping):
        return Step.UNKNOWN
    if not body:
        return Step.START
    if isinstance(body.get(PRESENTATION), Mapping):
        return Step.ANSWER
    kinds = body.get("type")
    if VERIFIABLE_PRESENTATION in (kinds if isinstance(kinds, list) else [kinds]):
        return Step.DIRECT
    return Step.UNKNOWN


def presentation_request(challenge: str, domain: str, exchange_url: str) -> dict[str, Any]:
    """Asks the wallet to authenticate as a did:key over this challenge and domain."""
    return {
        PRESENTATION_REQUEST: {
            "query": [
                {
                    "type": DID_AUTHENTICATION,
                    "acceptedMethods": [{"method": "key"}],
                    "acceptedCryptosuites": [
                        {"cryptosuite": ED25519_SIGNATURE_2020},
                        {"cryptosuite": CRYPTOSUITE},
                    ],
                }
            ],
            "challenge": challenge,
            "domain": domain,
            "interact": {
                "service": [{"type": UNMEDIATED_SERVICE, "serviceEndpoint": exchange_url}]
            },
        }
    }


def issued(credential: Mapping[str, Any]) -> dict[str, Any]:
    """The exchange's last message: a presentation carrying the credential for the wallet."""
    return {
        PRESENTATION: {
            "@context": [VC2_CONTEXT],
            "type": [VERIFIABLE_PRESENTATION],
            "verifiableCredential": [dict(credential)],
        }
    }


def protocols(exchange_url: str) -> dict[str, Any]:
    """What an interaction URL answers a wallet: the protocols it may use, here VC-API alone."""
    return {"protocols": {VC_API_PROTOCOL: exchange_url}}


def problem(code: str, title: str, detail: str) -> dict[str, str]:
    """An error a wallet can show, and a developer can tell apart by its code."""
    return {"error": code, "title": title, "detail": detail}
