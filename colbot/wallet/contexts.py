"""The JSON-LD contexts a wallet's DIDAuth presentation may use, and no others."""

from __future__ import annotations

import copy
import hashlib
import json
from functools import cache
from importlib import resources
from typing import Any

from colbot.openbadges.contexts import (
    CONTEXT_FOLDER,
    JSONLD_CONTENT_TYPE,
    VC2_CONTEXT,
    PinnedContext,
    load_context,
)
from colbot.openbadges.errors import UnknownContextError

# The Learner Credential Wallet signs with Ed25519Signature2020, which adds this context.
SUITE_2020_CONTEXT = "https://w3id.org/security/suites/ed25519-2020/v1"

# Kept apart from the badge checker's pins, so that credentials never gain this context.
PINNED_SUITE_CONTEXTS: dict[str, PinnedContext] = {
    SUITE_2020_CONTEXT: PinnedContext(
        "ed25519-signature-2020-v1.json",
        "b9e1ab971fd8bf2c7553e0c4a9438e0b9450afde1ea1ca5b2492368b9f549588",
    ),
}


@cache
def _suite_context(url: str) -> Any:
    """Reads and checks a pinned suite context once per process."""
    pinned = PINNED_SUITE_CONTEXTS[url]
    data = resources.files("colbot.wallet").joinpath(CONTEXT_FOLDER, pinned.filename).read_bytes()
    digest = hashlib.sha256(data).hexdigest()
    if digest != pinned.sha256:
        raise RuntimeError(
            f"packaged context {pinned.filename} has SHA-256 {digest}, expected {pinned.sha256}"
        )
    return json.loads(data)


def presentation_loader(url: str, options: dict[str, Any] | None = None) -> dict[str, Any]:
    """A pyld document loader for presentations: VC 2.0 and the pinned suite contexts only."""
    if url == VC2_CONTEXT:
        document = load_context(url)
    elif url in PINNED_SUITE_CONTEXTS:
        document = copy.deepcopy(_suite_context(url))
    else:
        raise UnknownContextError(f"refusing to load JSON-LD context {url!r}: it is not pinned")
    return {
        "contentType": JSONLD_CONTENT_TYPE,
        "contextUrl": None,
        "documentUrl": url,
        "document": document,
    }
