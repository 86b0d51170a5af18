"""Hostile or broken documents give a verdict, never an exception."""

from __future__ import annotations

import copy
import json
from collections.abc import Iterator
from typing import Any

from joserfc import jws
from joserfc.jwk import RSAKey

from colbot.openbadges import vcjwt
from colbot.openbadges.verify import verify
from tests.support.badge_world import EMAIL, JWK_URL, NOW, World

JUNK: list[Any] = [None, 7, "x", [], {}, "9" * 5000, "file:///etc/passwd"]
FEW_JUNK: list[Any] = [None, {}, "²"]


def paths(node: Any, prefix: tuple[Any, ...] = ()) -> Iterator[tuple[Any, ...]]:
    """Every place in a JSON document where a value could be swapped."""
    yield prefix
    children = (
        node.items()
        if isinstance(node, dict)
        else enumerate(node)
        if isinstance(node, list)
        else []
    )
    for key, value in children:
        yield from paths(value, (*prefix, key))


def replaced(document: Any, path: tuple[Any, ...], value: Any) -> Any:
    """A copy of the document with one value swapped."""
    if not path:
        return value
    changed = copy.deepcopy(document)
    parent = changed
    for key in path[:-1]:
        parent = parent[key]
    parent[path[-1]] = value
    return changed


def test_junk_anywhere_in_a_credential_gives_a_verdict(world: World) -> None:
    credential = world.proof_credential()
    for path in paths(credential):
        for junk in JUNK:
            verdict = verify(json.dumps(replaced(credential, path, junk)), world.fetch, NOW, EMAIL)
            assert verdict.checks, path


def test_junk_anywhere_in_jwt_claims_gives_a_verdict(world: World) -> None:
    claims = vcjwt.claims_for(world.ob3_credential())
    key = RSAKey.import_key(world.keys.rsa)
    header = {"alg": "RS256", "kid": JWK_URL, "typ": "JWT"}
    for path in paths(claims):
        for junk in JUNK:
            payload = json.dumps(replaced(claims, path, junk)).encode()
            token = jws.serialize_compact(header, payload, key)
            assert verify(token, world.fetch, NOW, EMAIL).checks, path


def test_junk_anywhere_in_published_documents_gives_a_verdict(world: World) -> None:
    badges = [
        json.dumps(world.proof_credential()),
        world.signed_assertion(),
        world.jwt_credential(),
    ]
    for url, body in list(world.served.items()):
        document = json.loads(body)
        for path in paths(document):
            for junk in FEW_JUNK:
                world.publish(url, replaced(document, path, junk))
                for badge in badges:
                    assert verify(badge, world.fetch, NOW, EMAIL).checks, (url, path)
        world.served[url] = body


def test_deeply_nested_json_is_refused_politely(world: World) -> None:
    depth = 100_000
    deep = '{"type": "VerifiableCredential", "a": ' * depth + "1" + "}" * depth

    verdict = verify(deep, world.fetch, NOW)

    assert not verdict.valid
    assert "nested too deeply" in verdict.reason
