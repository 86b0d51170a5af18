"""A poison graph (look-alike blank nodes that make RDFC-1.0 canonicalisation factorial) is
refused within a bounded time, and colbot keeps answering everyone else meanwhile."""

from __future__ import annotations

import asyncio
import json
import time
from typing import Any

import aiohttp

from colbot.app import Colbot
from colbot.badges.urls import CITY_ISSUER, ISSUER
from colbot.openbadges.canonical import Budget, canonical_nquads
from colbot.openbadges.errors import CanonicalisationBudgetError
from tests.support.talk import WebChatTalker

KNOWS = "https://example.org/knows"
ATTACKERS = 6
# Without a budget, 8 look-alike nodes cost about 50 s of CPU each, 6 of them minutes.
CLUSTER = 8


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


def test_the_budget_stops_a_poison_graph_quickly_and_lets_real_graphs_through() -> None:
    document = {"@context": {"@vocab": "https://example.org/"}, "@graph": []}
    document["@graph"] = [
        {"@id": node["id"], KNOWS: [{"@id": k["id"]} for k in node[KNOWS]]}
        for node in look_alike_cluster(CLUSTER)
    ]
    started = time.monotonic()
    try:
        canonical_nquads(document)
    except CanonicalisationBudgetError as refusal:
        assert "far more work" in str(refusal)
    else:
        raise AssertionError("the poison graph was canonicalised")
    assert time.monotonic() - started < 3.0
    small = {**document, "@graph": document["@graph"][:1]}
    assert canonical_nquads(small, Budget(permutations=10))


async def test_verify_refuses_poison_graphs_while_everyone_else_is_answered(
    serving_colbot: Colbot,
) -> None:
    base = serving_colbot.settings.public_url
    poison = poisoned_credential(base)
    pupil = WebChatTalker(base, serving_colbot.engine)
    await pupil.connect()
    latencies: dict[str, list[float]] = {"healthz": [], "webchat": []}
    attacking = True

    async def keep_asking(http: aiohttp.ClientSession) -> None:
        while attacking:
            started = time.monotonic()
            async with http.get(f"{base}/healthz") as response:
                assert response.status == 200
            latencies["healthz"].append(time.monotonic() - started)
            started = time.monotonic()
            assert await pupil.say("/help")
            latencies["webchat"].append(time.monotonic() - started)
            await asyncio.sleep(0.05)

    async def attack(http: aiohttp.ClientSession) -> tuple[float, str]:
        started = time.monotonic()
        async with http.post(f"{base}/verify", data={"badge": json.dumps(poison)}) as response:
            return time.monotonic() - started, await response.text()

    try:
        async with aiohttp.ClientSession() as http:
            watcher = asyncio.create_task(keep_asking(http))
            await asyncio.sleep(0.2)
            results = await asyncio.wait_for(
                asyncio.gather(*(attack(http) for _ in range(ATTACKERS))), timeout=60
            )
            attacking = False
            await watcher
    finally:
        await pupil.close()
    for took, html in results:
        assert 'data-outcome="invalid"' in html and "far more work" in html
        assert took < 10.0
    for kind, seen in latencies.items():
        assert seen, kind
        assert max(seen) < 2.0, (kind, max(seen))
    print(
        f"\n{ATTACKERS} poison graphs refused in at most {max(t for t, _ in results):.2f} s; "
        f"meanwhile /healthz at most {max(latencies['healthz']) * 1000:.0f} ms and the web chat "
        f"at most {max(latencies['webchat']) * 1000:.0f} ms"
    )
