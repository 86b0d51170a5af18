"""RDFC-1.0 canonical N-Quads, refusing any document whose meaning JSON-LD would quietly shrink."""

from __future__ import annotations

import re
import threading
import time
import warnings
from collections import OrderedDict
from collections.abc import Callable, Hashable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, TypeVar

from frozendict import frozendict
from pyld import canon, jsonld  # type: ignore[import-untyped]
from pyld.context_resolver import ContextResolver  # type: ignore[import-untyped]
from pyld.identifier_issuer import IdentifierIssuer  # type: ignore[import-untyped]

from colbot.openbadges.contexts import document_loader
from colbot.openbadges.errors import (
    CanonicalisationBudgetError,
    CanonicalisationError,
    DroppedTermError,
    UnknownContextError,
)

NQUADS_FORMAT = "application/n-quads"
RESOLVED_CONTEXT_CACHE_SIZE = 256  # the pinned contexts hold a few dozen scoped contexts
# Active contexts met while expanding: a badge meets about ten, a busy verifier a few hundred.
PROCESSED_CONTEXT_CACHE_SIZE = 1024
# Terms and IRIs expanded under a finished active context; forgotten all at once when full.
EXPANDED_IRI_CACHE_SIZE = 50_000
PROCESSING_MODE = "json-ld-1.1"
DEFAULT_GRAPH = "@default"
# pyld keys a context it resolved from a dict by the dict's canonical JSON, from a URL by the URL.
INLINE_CONTEXT_KEY_START = "{"
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
_UNKNOWN = object()  # an IRI not expanded yet (None is a real answer: a term mapped to null)


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
    """A dict that forgets its oldest inline context when full, so inline contexts cannot grow it
    forever; contexts loaded by URL stay, as a loader serves only a few pinned URLs."""

    def __init__(self, limit: int) -> None:
        super().__init__()
        self.limit = limit

    def __setitem__(self, key: Any, value: Any) -> None:
        if key not in self and len(self) >= self.limit:
            inline = next((k for k in self if str(k).startswith(INLINE_CONTEXT_KEY_START)), None)
            if inline is not None:
                del self[inline]
        super().__setitem__(key, value)


# pyld's signature for a document loader: a URL and options in, a remote document out.
Loader = Callable[[str, Any], dict[str, Any]]


class _PinnedSource:
    """One loader's contexts, each loaded once and kept, with every part of them known by identity.

    pyld processes a context again for every node it scopes, which is most of the time a badge
    takes to canonicalise; the parts of the pinned contexts never change, so their processed
    results can be kept, keyed by the object itself, which this source keeps alive.
    """

    def __init__(self, loader: Loader) -> None:
        self.loader = loader
        self.resolved = _BoundedCache(RESOLVED_CONTEXT_CACHE_SIZE)
        self.processed: OrderedDict[Hashable, Any] = OrderedDict()
        self.parts: dict[int, object] = {}
        self.iris: dict[Hashable, Any] = {}
        self.lock = threading.Lock()

    def load(self, url: str, options: Any = None) -> dict[str, Any]:
        """Loads a context and marks it static, so pyld resolves it once for this source."""
        remote = self.loader(url, options)
        with self.lock:
            self._remember(remote["document"])
        return {**remote, "tag": "static"}

    def _remember(self, node: object) -> None:
        if isinstance(node, dict | list):
            self.parts[id(node)] = node
            for child in node.values() if isinstance(node, dict) else node:
                self._remember(child)

    def context_key(self, local: object) -> Hashable | None:
        """What identifies a local context for the cache: its URLs, or a pinned part itself."""
        if isinstance(local, str):
            return local
        if isinstance(local, list) and all(isinstance(item, str) for item in local):
            return tuple(local)
        if self.parts.get(id(local)) is local:
            return id(local)
        return None  # a context the document brought: processed afresh every time

    def recall(self, key: Hashable) -> Any:
        with self.lock:
            found = self.processed.get(key)
            if found is not None:
                self.processed.move_to_end(key)
            return found

    def keep(self, key: Hashable, active: Any) -> None:
        with self.lock:
            self.processed[key] = active
            while len(self.processed) > PROCESSED_CONTEXT_CACHE_SIZE:
                self.processed.popitem(last=False)


# Private sources, one per loader, so that contexts resolved by any other pyld user in the
# process, or by a loader that serves more, never leak in.
_sources: dict[Loader, _PinnedSource] = {}


def _source(loader: Loader) -> _PinnedSource:
    source = _sources.get(loader)
    if source is None:
        source = _sources.setdefault(loader, _PinnedSource(loader))
    return source


class _Processor(jsonld.JsonLdProcessor):
    """pyld's processor, reusing what it made of a pinned context under a given active context."""

    def __init__(self, source: _PinnedSource, on_property_dropped: Callable[..., None]) -> None:
        super().__init__(on_property_dropped=on_property_dropped)
        self.source = source

    def _process_context(
        self, active_ctx: Any, local_ctx: Any, options: dict[str, Any], **flags: Any
    ) -> Any:
        context = self.source.context_key(local_ctx)
        # Only a finished (frozen) active context has an identity that never changes; a context
        # still being defined (given cycles) is pyld checking its own scoped contexts.
        if context is None or "cycles" in flags or not isinstance(active_ctx, frozendict):
            return super()._process_context(active_ctx, local_ctx, options, **flags)
        key = (active_ctx["_uuid"], context, tuple(sorted(flags.items())), options.get("base"))
        processed = self.source.recall(key)
        if processed is None:
            processed = super()._process_context(active_ctx, local_ctx, options, **flags)
            self.source.keep(key, processed)
        return processed

    def _expand_iri(
        self,
        active_ctx: Any,
        value: Any,
        base: Any = None,
        vocab: bool = False,
        local_ctx: Any = None,
        defined: Any = None,
    ) -> Any:
        # Outside context processing (no local_ctx) the answer depends on nothing else.
        if local_ctx is not None or not isinstance(active_ctx, frozendict):
            return super()._expand_iri(active_ctx, value, base, vocab, local_ctx, defined)
        key = (active_ctx["_uuid"], value, base, vocab)
        iris = self.source.iris
        # One lookup, never 'in' then [], since another thread may clear the cache in between.
        expanded = iris.get(key, _UNKNOWN)
        if expanded is not _UNKNOWN:
            return expanded
        expanded = super()._expand_iri(active_ctx, value, base, vocab)
        if len(iris) >= EXPANDED_IRI_CACHE_SIZE:
            iris.clear()
        iris[key] = expanded
        return expanded


def _options(source: _PinnedSource) -> dict[str, Any]:
    """pyld options that load only what the loader serves (by default, the pinned contexts)."""
    return {
        "documentLoader": source.load,
        "contextResolver": ContextResolver(source.resolved, source.load),
        "processingMode": PROCESSING_MODE,
    }


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
    source = _source(loader)
    # No base: pyld would otherwise resolve relative IRIs against http://example.org/base/.
    options = {**_options(source), "base": None}
    processor = _Processor(source, on_property_dropped=dropped.append)
    expanded: list[Any] = _run(lambda: processor.expand(dict(document), options))
    if dropped:
        term = dropped[0]
        if term is None:
            # pyld reports keyword-like keys ('@foo') and null-mapped terms without a name.
            term = next(iter(_keyword_like_keys(document)), "a term mapped to null")
        raise DroppedTermError(term)
    _check_expanded(expanded)
    return expanded


def _dataset(expanded: list[Any]) -> dict[str, list[dict[str, Any]]]:
    """The RDF dataset of an expanded document, as pyld's to_rdf makes it without expanding it
    a second time."""
    processor = jsonld.JsonLdProcessor()
    issuer = IdentifierIssuer(BLANK_NODE_PREFIX + "b")
    graphs: dict[str, dict[str, Any]] = {DEFAULT_GRAPH: {}}
    processor._create_node_map(expanded, graphs, DEFAULT_GRAPH, issuer)
    options = {"produceGeneralizedRdf": False, "processingMode": PROCESSING_MODE}
    return {
        name: processor._graph_to_rdf(graph, issuer, options)
        for name, graph in sorted(graphs.items())
        # RDF has no graphs with a relative name; to_rdf skips them the same way.
        if name == DEFAULT_GRAPH or jsonld._is_absolute_iri(name)
    }


def canonical_nquads(
    document: Mapping[str, Any], budget: Budget = UNTRUSTED, loader: Loader = document_loader
) -> str:
    """The RDFC-1.0 (URDNA2015) canonical N-Quads of a document that loses nothing on expansion,
    within a work budget, so that no input can hold a thread for long."""
    expanded = expand(document, loader)
    dataset = _run(lambda: _dataset(expanded))
    _check_size(dataset, budget)
    with _budgeted(budget):
        nquads: str = _run(lambda: canon.URDNA2015().main(dataset, {"format": NQUADS_FORMAT}))
    return nquads
