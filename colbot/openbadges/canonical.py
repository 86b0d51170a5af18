"""RDFC-1.0 canonical N-Quads, refusing any document whose meaning JSON-LD would quietly shrink."""

from __future__ import annotations

import re
import threading
import time
import warnings
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, TypeVar

from pyld import canon, jsonld  # type: ignore[import-untyped]
from pyld.context_resolver import ContextResolver  # type: ignore[import-untyped]

from colbot.openbadges.contexts import document_loader
from colbot.openbadges.errors import (
    CanonicalisationBudgetError,
    CanonicalisationError,
    DroppedTermError,
    UnknownContextError,
)

NQUADS_FORMAT = "application/n-quads"
RESOLVED_CONTEXT_CACHE_SIZE = 256  # the pinned contexts hold a few dozen scoped contexts
ABSOLUTE_IRI = re.compile(r"^[A-Za-z][A-Za-z0-9+.\-]*:")
BLANK_NODE_PREFIX = "_:"
BCP47 = re.compile(r"^[a-zA-Z]{1,8}(-[a-zA-Z0-9]{1,8})*$")
JSONLD_KEYWORDS = frozenset(
    [
        "@base",
        "@container",
        "@context",
        "@direction",
        "@graph",
        "@id",
        "@import",
        "@included",
        "@index",
        "@json",
        "@language",
        "@list",
        "@nest",
        "@none",
        "@prefix",
        "@propagate",
        "@protected",
        "@reverse",
        "@set",
        "@type",
        "@value",
        "@version",
        "@vocab",
    ]
)
RELATIVE_IRI = "it is a relative IRI, and RDF keeps only absolute ones"

Result = TypeVar("Result")


@dataclass(frozen=True)
class Budget:
    """How much RDFC-1.0 work one document may cost, as the spec advises against poison graphs.

    Real badges have a few hundred statements, a dozen blank nodes, and need a handful of
    permutations in Hash N-Degree Quads; a cluster of linked blank nodes needs factorially many.
    """

    statements: int = 2_000
    blank_nodes: int = 200
    permutations: int = 5_000
    seconds: float = 2.0


UNTRUSTED = Budget()
_work = threading.local()
_library_permutations = canon.permutations


def _counted_permutations(elements: Sequence[Any]) -> Iterator[Any]:
    """pyld's permutations, each one counted against the budget of the thread running it."""
    for permutation in _library_permutations(elements):
        left: int | None = getattr(_work, "permutations_left", None)
        if left is not None:
            if left <= 0 or time.monotonic() > _work.deadline:
                raise CanonicalisationBudgetError(
                    "this document needs far more work to check than any real badge "
                    "(a cluster of look-alike blank nodes), so colbot stopped"
                )
            _work.permutations_left = left - 1
        yield permutation


# Hash N-Degree Quads asks the module for its permutations, so counting them here bounds the one
# step of RDFC-1.0 whose cost can grow factorially; threads without a budget are not counted.
canon.permutations = _counted_permutations


@contextmanager
def _budgeted(budget: Budget) -> Iterator[None]:
    _work.permutations_left = budget.permutations
    _work.deadline = time.monotonic() + budget.seconds
    try:
        yield
    finally:
        _work.permutations_left = None


def _check_size(dataset: Mapping[str, list[dict[str, Any]]], budget: Budget) -> None:
    """Refuses datasets larger than any badge before the costly step begins."""
    statements = sum(len(quads) for quads in dataset.values())
    if statements > budget.statements:
        raise CanonicalisationBudgetError(
            f"this document has {statements} statements; colbot checks at most {budget.statements}"
        )
    blank = {
        part["value"]
        for quads in dataset.values()
        for quad in quads
        for part in (quad["subject"], quad["object"])
        if part.get("type") == "blank node"
    }
    blank |= {name for name in dataset if name.startswith(BLANK_NODE_PREFIX)}
    if len(blank) > budget.blank_nodes:
        raise CanonicalisationBudgetError(
            f"this document has {len(blank)} blank nodes; colbot checks at most "
            f"{budget.blank_nodes}"
        )


class _BoundedCache(dict[Any, Any]):
    """A dict that forgets its oldest entry when full, so inline contexts cannot grow it forever."""

    def __init__(self, limit: int) -> None:
        super().__init__()
        self.limit = limit

    def __setitem__(self, key: Any, value: Any) -> None:
        if key not in self and len(self) >= self.limit:
            del self[next(iter(self))]
        super().__setitem__(key, value)


# pyld's signature for a document loader: a URL and options in, a remote document out.
Loader = Callable[[str, Any], dict[str, Any]]

# Private caches, one per loader, so that contexts resolved by any other pyld user in the process,
# or by a loader that serves more, never leak in.
_resolved_contexts: dict[Loader, _BoundedCache] = {}


def _options(loader: Loader) -> dict[str, Any]:
    """pyld options that load only what the loader serves (by default, the pinned contexts)."""
    cache = _resolved_contexts.setdefault(loader, _BoundedCache(RESOLVED_CONTEXT_CACHE_SIZE))
    return {"documentLoader": loader, "contextResolver": ContextResolver(cache, loader)}


def _unwrap(error: BaseException) -> UnknownContextError | None:
    """Finds our own refusal inside pyld's chain of wrapped errors."""
    current: BaseException | None = error
    while current is not None:
        if isinstance(current, UnknownContextError):
            return current
        current = current.__cause__ or current.__context__
    return None


def _run(step: Callable[[], Result]) -> Result:
    """Runs a pyld step, turning its errors and its warnings into CanonicalisationError."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            result = step()
        except jsonld.JsonLdError as error:
            refusal = _unwrap(error)
            if refusal is not None:
                raise refusal from error
            message = error.args[0] if error.args else type(error).__name__
            raise CanonicalisationError(f"JSON-LD processing failed: {message}") from error
        except CanonicalisationBudgetError:
            raise
        except (ValueError, TypeError, RecursionError) as error:
            # pyld lets these escape on malformed input, such as a relative @context URL.
            raise CanonicalisationError(f"JSON-LD processing failed: {error}") from error
    if caught:
        # pyld warns where it ignores part of the input (bad language tags, '@'-like terms).
        raise CanonicalisationError(f"JSON-LD processing ignored input: {caught[0].message}")
    return result


def _check_expanded(node: Any) -> None:
    """Refuses what RDF conversion would drop or garble without a word."""
    # Relative @id and @type values stay relative because expand runs with no base;
    # language tags that are not BCP 47 would produce invalid N-Quads.
    if isinstance(node, list):
        for item in node:
            _check_expanded(item)
        return
    if not isinstance(node, dict):
        return
    identifier = node.get("@id")
    if isinstance(identifier, str) and not (
        identifier.startswith(BLANK_NODE_PREFIX) or ABSOLUTE_IRI.match(identifier)
    ):
        raise DroppedTermError(identifier, RELATIVE_IRI)
    types = node.get("@type")
    for kind in types if isinstance(types, list) else [types]:
        if isinstance(kind, str) and not ABSOLUTE_IRI.match(kind) and not kind.startswith("@"):
            raise DroppedTermError(kind, RELATIVE_IRI)
    language = node.get("@language")
    if isinstance(language, str) and not BCP47.match(language):
        raise CanonicalisationError(f"language tag {language!r} is not BCP 47")
    for key, value in node.items():
        if key not in ("@id", "@type", "@value", "@language"):
            _check_expanded(value)


def _keyword_like_keys(node: Any) -> list[str]:
    """Keys that start with '@' but are not JSON-LD keywords, which expansion ignores."""
    found: list[str] = []
    if isinstance(node, list):
        for item in node:
            found.extend(_keyword_like_keys(item))
    elif isinstance(node, Mapping):
        for key, value in node.items():
            if key.startswith("@") and key not in JSONLD_KEYWORDS:
                found.append(key)
            if key != "@context":
                found.extend(_keyword_like_keys(value))
    return found


def expand(document: Mapping[str, Any], loader: Loader = document_loader) -> list[Any]:
    """Expands a document, raising DroppedTermError for the first term expansion would lose."""
    dropped: list[str | None] = []
    # No base: pyld would otherwise resolve relative IRIs against http://example.org/base/.
    options = {**_options(loader), "base": None}
    expanded: list[Any] = _run(
        lambda: jsonld.expand(dict(document), options, on_property_dropped=dropped.append)
    )
    if dropped:
        term = dropped[0]
        if term is None:
            # pyld reports keyword-like keys ('@foo') and null-mapped terms without a name.
            term = next(iter(_keyword_like_keys(document)), "a term mapped to null")
        raise DroppedTermError(term)
    _check_expanded(expanded)
    return expanded


def canonical_nquads(
    document: Mapping[str, Any], budget: Budget = UNTRUSTED, loader: Loader = document_loader
) -> str:
    """The RDFC-1.0 (URDNA2015) canonical N-Quads of a document that loses nothing on expansion,
    within a work budget, so that no input can hold a thread for long."""
    expanded = expand(document, loader)
    options = {**_options(loader), "produceGeneralizedRdf": False}
    dataset: dict[str, list[dict[str, Any]]] = _run(lambda: jsonld.to_rdf(expanded, options))
    _check_size(dataset, budget)
    with _budgeted(budget):
        nquads: str = _run(lambda: canon.URDNA2015().main(dataset, {"format": NQUADS_FORMAT}))
    return nquads
