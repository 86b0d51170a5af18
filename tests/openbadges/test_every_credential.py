"""Every badge an image carries and every proof a credential carries must verify, or none does."""

from __future__ import annotations

import copy
import json
from typing import Any

import pytest

from colbot.openbadges import baking, dataintegrity
from colbot.openbadges.keys import IssuerKeys
from colbot.openbadges.multibase import encode_base58btc
from colbot.openbadges.verify import KIND_OB3_PROOF, Verdict, verify
from tests.support import images
from tests.support.badge_world import ISSUER_V3, NOW, SIGNED_AT, STATUS_LIST, World

OB3_KEYWORD = "openbadgecredential"
OB2_KEYWORD = "openbadges"


def renamed(credential: dict[str, Any]) -> dict[str, Any]:
    """The same credential claiming another achievement, its signature not redone."""
    forged = copy.deepcopy(credential)
    forged["credentialSubject"]["achievement"]["name"] = "Brain Surgery"
    return forged


def with_proofs(credential: dict[str, Any], *extra: Any) -> dict[str, Any]:
    """The credential with more entries appended to its proof set."""
    changed = copy.deepcopy(credential)
    changed["proof"] = [*changed["proof"], *extra]
    return changed


def bogus_signature(proof: dict[str, Any]) -> dict[str, Any]:
    """The genuine proof with a well-formed signature that signs nothing."""
    return {**proof, "proofValue": encode_base58btc(bytes(64))}


def failing(verdict: Verdict) -> list[str]:
    return [check.detail for check in verdict.checks if not check.passed]


# Images carrying more than one badge


def test_a_forged_second_credential_in_a_png_makes_it_invalid(world: World) -> None:
    genuine = world.proof_credential()
    baked = baking.bake_png_credential(images.png(), genuine)
    assert verify(baked, world.fetch, NOW).valid

    forged = images.add_itxt(baked, OB3_KEYWORD, json.dumps(renamed(genuine)))
    verdict = verify(forged, world.fetch, NOW)

    assert not verdict.valid
    assert verdict.reason.startswith("the second credential in the image does not verify")
    assert "signature does not match" in verdict.reason


def test_a_forged_credential_before_the_genuine_one_is_named_too(world: World) -> None:
    genuine = world.proof_credential()
    forged = baking.bake_png_credential(images.png(), renamed(genuine))
    forged = images.add_itxt(forged, OB3_KEYWORD, json.dumps(genuine))

    verdict = verify(forged, world.fetch, NOW)

    assert not verdict.valid
    assert "signature does not match" in verdict.reason
    assert failing(verdict)[-1].startswith("the first credential in the image does not verify")


def test_a_forged_second_credential_in_an_svg_makes_it_invalid(world: World) -> None:
    genuine = world.proof_credential()
    baked = baking.bake_svg_credential(images.SVG, genuine)
    element = (
        f"<openbadges:credential><![CDATA[{json.dumps(renamed(genuine))}]]></openbadges:credential>"
    )

    verdict = verify(images.add_svg_element(baked, element), world.fetch, NOW)

    assert not verdict.valid
    assert verdict.reason.startswith("the second credential in the image does not verify")


def test_a_forged_assertion_beside_a_genuine_credential_makes_it_invalid(world: World) -> None:
    baked = baking.bake_png_credential(images.png(), world.proof_credential())
    header, _, signature = world.signed_assertion().split(".")
    other = world.signed_assertion(narrative="Built a bike from scratch").split(".")[1]
    forged = images.add_itxt(baked, OB2_KEYWORD, f"{header}.{other}.{signature}")

    verdict = verify(forged, world.fetch, NOW)

    assert not verdict.valid
    assert verdict.reason.startswith("the assertion in the image does not verify")


def test_an_image_with_a_genuine_credential_and_assertion_is_valid(world: World) -> None:
    baked = baking.bake_png_assertion(images.png(), world.signed_assertion())
    baked = baking.bake_png_credential(baked, world.proof_credential())

    verdict = verify(baked, world.fetch, NOW)

    assert verdict.valid, verdict.reason
    assert verdict.kind == KIND_OB3_PROOF
    assert [c.detail for c in verdict.checks if c.name == "every-badge"] == [
        "the credential in the image verifies",
        "the assertion in the image verifies",
    ]


def test_an_image_with_too_many_badges_is_refused_unchecked(world: World) -> None:
    baked = baking.bake_png_credential(images.png(), world.proof_credential())
    for _ in range(4):
        baked = images.add_itxt(baked, OB3_KEYWORD, json.dumps(world.proof_credential()))

    verdict = verify(baked, world.fetch, NOW)

    assert not verdict.valid and "carries 5 badges" in verdict.reason
    assert world.fetched == []


# Credentials carrying more than one proof


def test_a_bogus_second_proof_makes_the_credential_invalid(world: World) -> None:
    genuine = world.proof_credential()
    forged = with_proofs(genuine, bogus_signature(genuine["proof"][0]))

    verdict = verify(json.dumps(forged), world.fetch, NOW)

    assert not verdict.valid
    assert verdict.reason.startswith("proof 2 of 2: the Ed25519 signature does not match")


def test_a_bogus_first_proof_is_named_as_the_first(world: World) -> None:
    genuine = world.proof_credential()
    forged = copy.deepcopy(genuine)
    forged["proof"] = [bogus_signature(genuine["proof"][0]), genuine["proof"][0]]

    assert verify(json.dumps(forged), world.fetch, NOW).reason.startswith("proof 1 of 2:")


@pytest.mark.parametrize(
    ("extra", "words"),
    [
        ({"type": "Ed25519Signature2020", "proofValue": "z1"}, "'Ed25519Signature2020'"),
        ("a proof", "not a JSON object"),
        ({"type": "DataIntegrityProof", "cryptosuite": "ecdsa-rdfc-2019"}, "'ecdsa-rdfc-2019'"),
    ],
)
def test_a_second_proof_colbot_cannot_check_makes_it_invalid(
    world: World, extra: object, words: str
) -> None:
    forged = with_proofs(world.proof_credential(), extra)

    verdict = verify(json.dumps(forged), world.fetch, NOW)

    assert not verdict.valid and verdict.check("proof") is not None
    assert verdict.reason.startswith("proof 2 of 2: ") and words in verdict.reason


def test_a_second_proof_by_a_key_the_issuer_does_not_list_makes_it_invalid(
    world: World, stranger_keys: IssuerKeys
) -> None:
    genuine = world.proof_credential()
    both = dataintegrity.sign(
        genuine, stranger_keys.ed25519, stranger_keys.verification_method(ISSUER_V3), SIGNED_AT
    )

    verdict = verify(json.dumps(both), world.fetch, NOW)

    assert not verdict.valid
    assert [c.name for c in verdict.checks if not c.passed] == ["key-ownership"]
    assert verdict.reason.startswith("proof 2 of 2: ") and "does not list the key" in verdict.reason


def test_a_proof_set_by_two_listed_keys_is_valid(world: World) -> None:
    world.publish(ISSUER_V3, world.ob3_profile(keys=[world.keys, world.old_keys]))
    both = dataintegrity.sign(
        world.proof_credential(),
        world.old_keys.ed25519,
        world.old_keys.verification_method(ISSUER_V3),
        SIGNED_AT,
    )

    verdict = verify(json.dumps(both), world.fetch, NOW)

    assert verdict.valid, verdict.reason
    owners = [c.detail for c in verdict.checks if c.name == "key-ownership"]
    assert [detail[:13] for detail in owners] == ["proof 1 of 2:", "proof 2 of 2:"]


def test_more_proofs_than_colbot_checks_are_refused_unfetched(world: World) -> None:
    genuine = world.proof_credential()
    crowded = with_proofs(genuine, *[genuine["proof"][0]] * dataintegrity.MAX_PROOFS)

    verdict = verify(json.dumps(crowded), world.fetch, NOW)

    assert not verdict.valid and "at most 4" in verdict.reason
    assert world.fetched == []


def test_a_status_list_with_a_bogus_second_proof_is_not_trusted(world: World) -> None:
    status_list = json.loads(world.served[STATUS_LIST])
    world.publish(STATUS_LIST, with_proofs(status_list, bogus_signature(status_list["proof"][0])))

    verdict = verify(json.dumps(world.proof_credential()), world.fetch, NOW)

    assert not verdict.valid and verdict.check("revocation") is not None
    assert "not trustworthy" in verdict.reason and "proof 2 of 2" in verdict.reason


def test_data_integrity_checks_every_proof_of_a_document(world: World) -> None:
    genuine = world.proof_credential()
    assert dataintegrity.verify(genuine).valid

    result = dataintegrity.verify(with_proofs(genuine, bogus_signature(genuine["proof"][0])))

    assert not result.valid
    assert [c.detail for c in result.checks if not c.passed] == [
        "proof 2 of 2: the Ed25519 signature does not match: the credential was changed after "
        "signing"
    ]
