"""A poison graph (look-alike blank nodes that make RDFC-1.0 canonicalisation factorial) is
refused within a bounded amount of work, and colbot keeps answering everyone else meanwhile."""

from __future__ import annotations

import asyncio
import json
import threading
from collections.abc import Iterator, Sequence
from typing import Any

import aiohttp
import pytest

from colbot.app import Colbot
from colbot.badges.urls import CITY_ISSUER, ISSUER
from colbot.badges.verification import CHECKS_AT_ONCE
from colbot.openbadges import canonical
from colbot.openbadges.canonical import Budget, canonical_nquads
from colbot.openbadges.errors import CanonicalisationBudgetError
from tests.support.talk import WebChatTalker

KNOWS = "https://example.org/knows"
ATTACKERS = 6
# Without a budget, 8 look-alike nodes cost about 50 s of CPU each, 6 of them minutes.
CLUSTER = 8
HOLD_AT_MOST_S = 60.0


def look_alike_cluster(size: int) -> list[dict[str, Any]]:
    """Blank nodes that each know all the others: every one hashes the same at first degree."""
    return [
        {"id": f"_:n{i}", KNOWS: [{"id": f"_:n{j}"} for j in range(size) if j != i]}
        for i in range(size)
    ]


def poisoned_credential(public_url: str) -> dict[str, Any]:
    """An OB 3.0 credential that claims colbot's own issuer, with the cluster in its subject."""
    issuer = public_url + ISSUER.format(issuer=CITY_ISSUER)
    return {
        "@context": [
            "https://www.w3.org/ns/credentials/v2",
            "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json",
        ],
        "id": "urn:uuid:6a6e2f3c-0000-4000-8000-000000000001",
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "issuer": {"id": issuer, "type": ["Profile"], "name": "Kensalfield"},
        "validFrom": "2026-11-01T10:00:00Z",
        "name": "Poison",
        "credentialSubject": {
            "type": ["AchievementSubject"],
            "achievement": {
                "id": f"{public_url}/badges/classes/first-badge",
                "type": ["Achievement"],
                "name": "Poison",
                "description": "A poison graph",
                "criteria": {"narrative": "none"},
            },
            KNOWS: look_alike_cluster(CLUSTER),
        },
        "proof": {
            "type": "DataIntegrityProof",
            "cryptosuite": "eddsa-rdfc-2022",
            "created": "2026-11-01T10:00:00Z",
            "verificationMethod": f"{issuer}#z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK",
            "proofPurpose": "assertionMethod",
            "proofValue": "z" + "1" * 86,
        },
    }


def counting_permutations(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Counts the permutations RDFC-1.0 asks for, one tally per call of the library's generator."""
    tallies: list[int] = []
    library = canonical._library_permutations

    def counted(elements: Sequence[Any]) -> Iterator[Any]:
        tallies.append(0)
        for permutation in library(elements):
            tallies[-1] += 1
            yield permutation

    monkeypatch.setattr(canonical, "_library_permutations", counted)
    return tallies


def test_the_budget_stops_a_poison_graph_and_lets_real_graphs_through(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    document = {"@context": {"@vocab": "https://example.org/"}, "@graph": []}
    document["@graph"] = [
        {"@id": node["id"], KNOWS: [{"@id": k["id"]} for k in node[KNOWS]]}
        for node in look_alike_cluster(CLUSTER)
    ]
    tallies = counting_permutations(monkeypatch)
    # No time limit to speak of: the count of permutations alone must stop it.
    counted_only = Budget(seconds=3_600.0)
    try:
        canonical_nquads(document, counted_only)
    except CanonicalisationBudgetError as refusal:
        assert "far more work" in str(refusal)
    else:
        raise AssertionError("the poison graph was canonicalised")
    # The graph needs billions (8 nodes, each permuting 7 look-alikes, recursively); colbot
    # stopped one past its allowance.
    assert sum(tallies) == counted_only.permutations + 1
    small = {**document, "@graph": document["@graph"][:1]}
    assert canonical_nquads(small, Budget(permutations=10))


class HeldChecks:
    """Holds each poison-graph check at its first step of canonicalisation until released."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.inside = 0
        self.released = threading.Event()
        self.waited_out = False
        self._lock = threading.Lock()
        library = canonical._library_permutations

        def held(elements: Sequence[Any]) -> Iterator[Any]:
            if not self.released.is_set():
                with self._lock:
                    self.inside += 1
                # A check stuck on the event loop would freeze the test too; the wait ends anyway.
                if not self.released.wait(timeout=HOLD_AT_MOST_S):
                    self.waited_out = True
            yield from library(elements)

        monkeypatch.setattr(canonical, "_library_permutations", held)


async def test_verify_refuses_poison_graphs_while_everyone_else_is_answered(
    serving_colbot: Colbot, monkeypatch: pytest.MonkeyPatch
) -> None:
    base = serving_colbot.settings.public_url
    poison = poisoned_credential(base)
    checks = HeldChecks(monkeypatch)
    pupil = WebChatTalker(base, serving_colbot.engine)
    await pupil.connect()

    async def attack(http: aiohttp.ClientSession) -> str:
        async with http.post(f"{base}/verify", data={"badge": json.dumps(poison)}) as response:
            return await response.text()

    try:
        async with aiohttp.ClientSession() as http:
            attacks = [asyncio.create_task(attack(http)) for _ in range(ATTACKERS)]
            while checks.inside < CHECKS_AT_ONCE and not checks.waited_out:
                await asyncio.sleep(0.01)
            # Every place for checking is taken by a poison graph, mid-canonicalisation.
            answered = 0
            for _ in range(3):
                async with http.get(f"{base}/healthz") as response:
                    assert response.status == 200
                assert await pupil.say("/help")
                answered += 1
            still_held = checks.inside == CHECKS_AT_ONCE and not checks.waited_out
            checks.released.set()
            results = await asyncio.gather(*attacks)
    finally:
        checks.released.set()
        await pupil.close()
    assert still_held and answered == 3 and not checks.waited_out
    for html in results:
        assert 'data-outcome="invalid"' in html and "far more work" in html
