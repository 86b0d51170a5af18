"""The only JSON-LD contexts colbot will ever load: shipped in the package and pinned by hash."""

from __future__ import annotations

import copy
import hashlib
import json
from functools import cache
from importlib import resources
from typing import Any, NamedTuple

from colbot.openbadges.errors import UnknownContextError

OB2_CONTEXT = "https://w3id.org/openbadges/v2"
VC2_CONTEXT = "https://www.w3.org/ns/credentials/v2"
OB3_CONTEXT = "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"
# A Multikey's own terms (Data Integrity, Controlled Identifiers 1.0), and a controller
# document's verification relationships (assertionMethod, verificationMethod, controller):
# copies from the npm packages @digitalbazaar/multikey-context 2.0.1 and did-context 3.1.1,
# the ones Digital Bazaar's verifiers load.
MULTIKEY_CONTEXT = "https://w3id.org/security/multikey/v1"
DID_CONTEXT = "https://www.w3.org/ns/did/v1"

CONTEXT_FOLDER = "contexts"
JSONLD_CONTENT_TYPE = "application/ld+json"


class PinnedContext(NamedTuple):
    """Where a context lives in the package and the SHA-256 it must have."""

    filename: str
    sha256: str


PINNED_CONTEXTS: dict[str, PinnedContext] = {
    OB2_CONTEXT: PinnedContext(
        "openbadges-v2.json",
        "3c0c25a0e581c64cbe632197377c4f334c6c0b95f0d90e3b74449781612b153d",
    ),
    VC2_CONTEXT: PinnedContext(
        "credentials-v2.json",
        "59955ced6697d61e03f2b2556febe5308ab16842846f5b586d7f1f7adec92734",
    ),
    OB3_CONTEXT: PinnedContext(
        "ob-v3p0-context-3.0.3.json",
        "ef2fa9c7846dce233cc166b43639027278be4ee44f00bb1d45c75de2dd0cd761",
    ),
    MULTIKEY_CONTEXT: PinnedContext(
        "multikey-v1.json",
        "c5f3806f8286920573221938917988a18a4cc5a09e968d29649613c7a1c2b1f6",
    ),
    DID_CONTEXT: PinnedContext(
        "did-v1.json",
        "62c1054bf404d6dd3a4b26b64f830fd72095f6a26edc4469908c94351352ce5f",
    ),
}


def context_bytes(url: str) -> bytes:
    """The exact bytes shipped for a pinned context, after checking their hash."""
    pinned = PINNED_CONTEXTS.get(url)
    if pinned is None:
        raise UnknownContextError(f"refusing to load JSON-LD context {url!r}: it is not pinned")
    data = (
        resources.files("colbot.openbadges").joinpath(CONTEXT_FOLDER, pinned.filename).read_bytes()
    )
    digest = hashlib.sha256(data).hexdigest()
    if digest != pinned.sha256:
        raise RuntimeError(
            f"packaged context {pinned.filename} has SHA-256 {digest}, expected {pinned.sha256}"
        )
    return data


@cache
def _parsed_context(url: str) -> Any:
    """Parses each pinned context once per process."""
    return json.loads(context_bytes(url))


def load_context(url: str) -> Any:
    """A fresh copy of a pinned context, so no caller can alter the cached one."""
    return copy.deepcopy(_parsed_context(url))


def document_loader(url: str, options: dict[str, Any] | None = None) -> dict[str, Any]:
    """A pyld document loader that serves pinned contexts and refuses every other URL."""
    return {
        "contentType": JSONLD_CONTENT_TYPE,
        "contextUrl": None,
        "documentUrl": url,
        "document": load_context(url),
    }
