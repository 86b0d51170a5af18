"""Two other ways to canonicalise a document, to hold colbot's own to: PyLD used as it comes
(no cached contexts), and pyoxigraph's RDFC-1.0 over the same RDF dataset."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pyoxigraph
from pyld import canon, jsonld  # type: ignore[import-untyped]
from pyld import nquads as pyld_nquads

from colbot.openbadges import canonical
from colbot.openbadges.contexts import document_loader

NQUADS = "application/n-quads"
DEFAULT_GRAPH = "@default"


def plain_pyld(document: Mapping[str, Any]) -> str:
    """RDFC-1.0 by PyLD's own to_rdf and URDNA2015, with a fresh context cache every time."""
    options = {"documentLoader": document_loader, "base": None}
    dataset = jsonld.to_rdf(jsonld.expand(dict(document), options), options)
    nquads: str = canon.URDNA2015().main(dataset, {"format": NQUADS})
    return nquads


def dataset_of(document: Mapping[str, Any]) -> dict[str, Any]:
    """The document's RDF dataset as colbot makes it, before canonicalisation."""
    dataset: dict[str, Any] = canonical._dataset(canonical.expand(document))
    return dataset


def pyld_rdfc(dataset: dict[str, Any]) -> str:
    """RDFC-1.0 alone, by PyLD."""
    nquads: str = canon.URDNA2015().main(dataset, {"format": NQUADS})
    return nquads


def oxigraph_rdfc(dataset: dict[str, Any]) -> str:
    """RDFC-1.0 alone, by pyoxigraph, as sorted canonical N-Quads."""
    text = "".join(
        pyld_nquads.serialize_nquad(quad, None if name == DEFAULT_GRAPH else name)
        for name, quads in dataset.items()
        for quad in quads
    )
    graph = pyoxigraph.Dataset(pyoxigraph.parse(text, pyoxigraph.RdfFormat.N_QUADS))
    graph.canonicalize(pyoxigraph.CanonicalizationAlgorithm.RDFC_1_0)
    lines = pyoxigraph.serialize(graph, format=pyoxigraph.RdfFormat.N_QUADS)
    return "".join(sorted(lines.decode("utf-8").splitlines(keepends=True)))
