"""The links that open an exchange: the Learner Credential Wallet's request link, and VC-API's.

The request link is the one its source recognises (app/lib/decode.ts isLegacyCredentialRequest,
with the format of test/deepLink.test.ts): https://lcw.app/request.html?issuer=…&auth_type=
bearer&challenge=…&vc_request_url=…, which opens the app, where it POSTs its signed DIDAuth to
vc_request_url and stores the credential it gets back. The interaction URL carries `iuv=1`
(app/lib/interactionUrl.ts): a wallet GETs it for the exchange's VC-API address.
"""

from __future__ import annotations

from urllib.parse import quote, urlencode, urlsplit

EXCHANGES = "/wallet/exchanges"
EXCHANGE_PATTERN = "[A-Za-z0-9_-]{20,64}"
EXCHANGE = f"{EXCHANGES}/{{exchange:{EXCHANGE_PATTERN}}}"
LCW_REQUEST = "https://lcw.app/request.html"
BEARER = "bearer"
INTERACTION_VERSION = "iuv"


def exchange_url(public_url: str, exchange_id: str) -> str:
    """The exchange's own address: where the wallet POSTs, and the interaction URL's base."""
    return f"{public_url.rstrip('/')}{EXCHANGES}/{exchange_id}"


def interaction_url(public_url: str, exchange_id: str) -> str:
    """The VC-API interaction URL any wallet that speaks it can be given."""
    return f"{exchange_url(public_url, exchange_id)}?{INTERACTION_VERSION}=1"


def domain(public_url: str) -> str:
    """The domain a wallet's DIDAuth signs: colbot's own origin, as VC-API issuers use."""
    parts = urlsplit(public_url)
    return f"{parts.scheme}://{parts.netloc}"


def lcw_request_link(public_url: str, exchange_id: str, challenge: str) -> str:
    """The link (and QR) that opens the Learner Credential Wallet on this exchange."""
    query = urlencode(
        [
            ("issuer", urlsplit(public_url).netloc),
            ("auth_type", BEARER),
            ("challenge", challenge),
            ("vc_request_url", exchange_url(public_url, exchange_id)),
        ],
        quote_via=quote,
    )
    return f"{LCW_REQUEST}?{query}"
