"""colbot's canonical N-Quads, made with cached contexts, are exactly what PyLD makes as it comes
and what pyoxigraph's RDFC-1.0 makes, for every form colbot signs and the graphs it refuses."""

from __future__ import annotations

import copy
from typing import Any

import aiohttp
import pytest

from colbot.app import Colbot
from colbot.openbadges import dataintegrity
from colbot.openbadges.canonical import canonical_nquads
from colbot.openbadges.errors import CanonicalisationBudgetError
from colbot.openbadges.timestamps import parse_xsd
from colbot.wallet.reissue import bound_to
from tests.badges.test_poison_graphs import KNOWS, look_alike_cluster, poisoned_credential
from tests.support import rdfc
from tests.support.badge_flow import badges_of, fetch_json, make_code, redeem
from tests.support.badge_world import SHARED, load_json

HOLDER = "did:key:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK"
# Small enough that every implementation finishes at once: each node still hashes the same.
SMALL_CLUSTERS = (2, 3, 4)


def assert_all_agree(document: dict[str, Any]) -> str:
    """The one canonical form the three ways give, after checking they give the same."""
    ours = canonical_nquads(document)
    dataset = rdfc.dataset_of(document)
    assert ours == rdfc.plain_pyld(document)
    assert ours == rdfc.pyld_rdfc(dataset)
    assert ours == rdfc.oxigraph_rdfc(dataset)
    assert ours  # nothing dropped on the way
    return ours


def signed_parts(signed: dict[str, Any]) -> list[dict[str, Any]]:
    """What each proof of a signed document covers: the document and the proof's options."""
    parts = [dataintegrity.unsecured(signed)]
    for proof in dataintegrity.proofs_of(signed):
        assert isinstance(proof, dict)
        parts.append(
            dataintegrity.proof_configuration(
                signed, proof["verificationMethod"], parse_xsd(proof["created"])
            )
        )
    return parts


async def test_every_form_colbot_signs_canonicalises_alike(
    serving_colbot: Colbot, http: aiohttp.ClientSession
) -> None:
    code, _ = await make_code(serving_colbot)
    await redeem(serving_colbot, code)
    stored = await badges_of(serving_colbot)
    credentials = [badge.ob3_credential for badge in stored if badge.ob3_credential]
    assert len(credentials) >= 2  # the session's badge and the first-badge milestone
    status_lists = [
        await fetch_json(http, credential["credentialStatus"]["statusListCredential"])
        for credential in credentials
    ]
    wallet_copies = [bound_to(credential, HOLDER) for credential in credentials]
    documents = [
        part for signed in (*credentials, *status_lists) for part in signed_parts(signed)
    ] + wallet_copies
    for document in documents:
        assert_all_agree(document)


def test_the_official_vector_canonicalises_alike() -> None:
    vector = load_json(SHARED / "vectors" / "ob3-eddsa-rdfc-2022.json")
    document, configuration = signed_parts(vector["signed_credential"])
    assert assert_all_agree(document) == (
        SHARED / "vectors" / vector["document_canon_file"]
    ).read_text(encoding="utf-8")
    assert assert_all_agree(configuration) == (
        SHARED / "vectors" / vector["proof_canon_file"]
    ).read_text(encoding="utf-8")


@pytest.mark.parametrize("size", SMALL_CLUSTERS)
def test_look_alike_blank_nodes_canonicalise_alike(size: int) -> None:
    document = {
        "@context": {"@vocab": "https://example.org/"},
        "@graph": [
            {"@id": node["id"], KNOWS: [{"@id": k["id"]} for k in node[KNOWS]]}
            for node in look_alike_cluster(size)
        ],
    }
    assert assert_all_agree(document).count("_:c14n") == size * (size - 1) * 2


@pytest.mark.parametrize("size", SMALL_CLUSTERS)
def test_a_credential_carrying_a_small_cluster_canonicalises_alike(size: int) -> None:
    credential = poisoned_credential("http://127.0.0.1:8080")
    credential["credentialSubject"][KNOWS] = look_alike_cluster(size)
    for part in signed_parts(credential):
        assert_all_agree(part)


def test_the_cached_contexts_still_refuse_a_poison_graph_after_real_badges() -> None:
    vector = load_json(SHARED / "vectors" / "ob3-eddsa-rdfc-2022.json")
    document = signed_parts(vector["signed_credential"])[0]
    canonical_nquads(document)  # contexts now cached
    poisoned = copy.deepcopy(document)
    poisoned["credentialSubject"][KNOWS] = look_alike_cluster(8)
    with pytest.raises(CanonicalisationBudgetError):
        canonical_nquads(poisoned)
