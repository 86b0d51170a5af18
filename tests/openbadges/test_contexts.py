"""Contexts come from the package, pinned by hash, and nothing else is ever loaded."""

from __future__ import annotations

import hashlib
from importlib import resources

import pytest

from colbot.openbadges.canonical import canonical_nquads
from colbot.openbadges.contexts import (
    DID_CONTEXT,
    MULTIKEY_CONTEXT,
    OB2_CONTEXT,
    OB3_CONTEXT,
    PINNED_CONTEXTS,
    VC2_CONTEXT,
    context_bytes,
    document_loader,
)
from colbot.openbadges.errors import UnknownContextError
from tests.support.badge_world import SHARED

PACKAGED = resources.files("colbot.openbadges") / "contexts"


# The Open Badges and VC contexts have reference copies in shared/; the key contexts come from
# the npm packages Digital Bazaar's verifiers load (tests/badges/test_outside_verifiers.py).
REFERENCE_COPIES = (OB2_CONTEXT, VC2_CONTEXT, OB3_CONTEXT)


def test_exactly_the_five_contexts_are_pinned() -> None:
    assert set(PINNED_CONTEXTS) == {*REFERENCE_COPIES, MULTIKEY_CONTEXT, DID_CONTEXT}


@pytest.mark.parametrize("url", sorted(PINNED_CONTEXTS))
def test_pinned_hash_matches_the_packaged_file(url: str) -> None:
    pinned = PINNED_CONTEXTS[url]
    data = PACKAGED.joinpath(pinned.filename).read_bytes()
    assert hashlib.sha256(data).hexdigest() == pinned.sha256
    assert context_bytes(url) == data


@pytest.mark.parametrize("url", sorted(REFERENCE_COPIES))
def test_packaged_context_equals_the_reference_copy(url: str) -> None:
    pinned = PINNED_CONTEXTS[url]
    reference = SHARED / "contexts" / pinned.filename
    assert PACKAGED.joinpath(pinned.filename).read_bytes() == reference.read_bytes()


def test_loader_serves_a_pinned_context_as_a_fresh_copy() -> None:
    first = document_loader(VC2_CONTEXT)
    first["document"]["@context"]["tampered"] = "yes"
    second = document_loader(VC2_CONTEXT)

    assert second["documentUrl"] == VC2_CONTEXT
    assert "tampered" not in second["document"]["@context"]


@pytest.mark.parametrize(
    "url",
    [
        "https://www.w3.org/2018/credentials/v1",
        "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.2.json",
        "https://attacker.example/context.json",
        "file:///etc/passwd",
    ],
)
def test_loader_refuses_any_other_url(url: str) -> None:
    with pytest.raises(UnknownContextError, match="not pinned"):
        document_loader(url, {})


def test_canonicalising_a_document_with_an_unknown_context_names_it() -> None:
    document = {"@context": [VC2_CONTEXT, "https://attacker.example/context.json"], "id": "urn:x"}

    with pytest.raises(UnknownContextError, match=r"attacker\.example"):
        canonical_nquads(document)
