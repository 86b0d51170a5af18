"""Redeeming a code hands over a badge whose three signed forms pass checks colbot did not write."""

from __future__ import annotations

import asyncio
import json
from urllib.parse import parse_qs, urlsplit

import aiohttp
import jwt
from jsonschema import Draft201909Validator

from colbot.app import Colbot
from colbot.badges.cli import fetch as http_fetch
from colbot.openbadges.canonical import expand
from colbot.openbadges.contexts import MULTIKEY_CONTEXT
from colbot.openbadges.verify import verify
from tests.support.badge_checks import (
    ob2_checked_with_pyjwt,
    proof_checked,
    vc_jwt_checked_with_pyjwt,
)
from tests.support.badge_flow import (
    Handed,
    badges_of,
    fetch_json,
    fetched,
    handed_badge,
    make_code,
    redeem,
)
from tests.support.demo import TEST_NOW


async def test_redeeming_hands_over_a_badge_in_three_forms_that_pass_independent_checks(
    serving_colbot: Colbot, http: aiohttp.ClientSession, credential_schema: Draft201909Validator
) -> None:
    code, opportunity = await make_code(serving_colbot)
    _, replies = await redeem(serving_colbot, code)
    handed = handed_badge(replies)
    assert handed.message.image is not None and handed.message.image.verbatim
    assert "Brilliant work" in handed.message.text and "badge" in handed.message.text
    assert f"{opportunity.learning_hours:g} learning hour" in handed.message.text
    assert "/j/" in handed.message.text

    assertion = await ob2_checked_with_pyjwt(http, handed.ob2_jws)
    assert assertion["recipient"]["hashed"] is True

    credential = handed.credential
    schema_errors = [e.message for e in credential_schema.iter_errors(credential)]
    assert schema_errors == []
    await proof_checked(http, credential)

    stored = (await badges_of(serving_colbot))[0]
    assert stored.ob3_jwt is not None
    status, content_type, body = await fetched(http, credential["id"] + ".jwt")
    assert (status, content_type, body.decode()) == (200, "application/vc+jwt", stored.ob3_jwt)
    claims = await vc_jwt_checked_with_pyjwt(http, stored.ob3_jwt)
    assert claims["jti"] == credential["id"] and claims["iss"] == credential["issuer"]["id"]


async def test_colbots_own_verifier_agrees_on_every_form(
    serving_colbot: Colbot, http: aiohttp.ClientSession
) -> None:
    code, _ = await make_code(serving_colbot)
    _, replies = await redeem(serving_colbot, code)
    handed = handed_badge(replies)
    stored = (await badges_of(serving_colbot))[0]
    forms: dict[str, bytes | str] = {
        "baked png": handed.baked,
        "ob2 jws": handed.ob2_jws,
        "credential json": json.dumps(handed.credential),
        "vc-jwt": stored.ob3_jwt or "",
    }
    for path in (".svg", ".ob2.svg", ".png"):
        status, _, body = await fetched(
            http, handed.credential["id"].replace("credentials", "images") + path
        )
        assert status == 200
        forms[f"hosted{path}"] = body
    for name, data in forms.items():
        verdict = await asyncio.to_thread(verify, data, http_fetch, TEST_NOW)
        assert verdict.valid, (name, verdict.reason)


async def test_every_svg_under_badges_runs_no_script_and_is_never_sniffed(
    serving_colbot: Colbot, http: aiohttp.ClientSession
) -> None:
    code, _ = await make_code(serving_colbot)
    handed = handed_badge((await redeem(serving_colbot, code))[1])
    image = handed.credential["id"].replace("credentials", "images")
    artwork = f"{serving_colbot.settings.public_url}/badges/artwork/music.svg"
    for url in (f"{image}.svg", f"{image}.ob2.svg", artwork):
        async with http.get(url) as response:
            assert response.status == 200 and response.content_type == "image/svg+xml", url
            policy = response.headers["Content-Security-Policy"]
            assert policy == "default-src 'none'; style-src 'unsafe-inline'", url
            assert response.headers["X-Content-Type-Options"] == "nosniff", url


async def test_the_recipient_is_a_salted_hash_never_the_chat_id(serving_colbot: Colbot) -> None:
    code, _ = await make_code(serving_colbot, uses=2)
    talker, replies = await redeem(serving_colbot, code, who="424242")
    text = json.dumps(handed_badge(replies).credential) + handed_badge(replies).ob2_jws
    assert "424242" not in text
    identity = handed_badge(replies).credential["credentialSubject"]["identifier"][0]
    assert identity["hashed"] is True and identity["identityType"] == "systemId"

    other = await talker.say("/email sam.learner@example.net")
    assert "sam.learner@example.net" in other[-1].text
    second_code, _ = await make_code(serving_colbot, opportunity_id=2)
    replies = await talker.say(second_code)
    handed = handed_badge(replies)
    identity = handed.credential["credentialSubject"]["identifier"][0]
    assert identity["identityType"] == "emailAddress"
    for form in (handed.baked, handed.ob2_jws):
        verdict = await asyncio.to_thread(
            verify, form, http_fetch, TEST_NOW, "Sam.Learner@example.net"
        )
        assert verdict.valid and verdict.check("recipient") is not None, verdict.reason
        wrong = await asyncio.to_thread(verify, form, http_fetch, TEST_NOW, "someone@example.net")
        assert not wrong.valid and "someone else" in wrong.reason


async def test_linkedin_link_is_filled_in(serving_colbot: Colbot) -> None:
    code, opportunity = await make_code(serving_colbot)
    _, replies = await redeem(serving_colbot, code)
    handed: Handed = handed_badge(replies)
    query = parse_qs(urlsplit(handed.linkedin()).query)
    assert query["startTask"] == ["CERTIFICATION_NAME"]
    assert query["name"] == [opportunity.title]
    assert query["organizationName"] == ["Kensalfield Museum"]
    assert (query["issueYear"], query["issueMonth"]) == (["2026"], ["11"])
    assert query["certUrl"] == [handed.credential["id"]]
    assert handed.credential["id"].endswith("/" + query["certId"][0])


async def test_hosted_documents_have_their_specs_media_types(
    serving_colbot: Colbot, http: aiohttp.ClientSession
) -> None:
    code, _ = await make_code(serving_colbot)
    _, replies = await redeem(serving_colbot, code)
    credential = handed_badge(replies).credential
    assertion_url = handed_badge(replies).assertion["id"]
    issuer = credential["issuer"]["id"]
    kid = jwt.get_unverified_header((await badges_of(serving_colbot))[0].ob3_jwt or "")["kid"]
    expected = {
        issuer: "application/ld+json",
        issuer + "/ob2": "application/ld+json",
        issuer + "/revocations": "application/ld+json",
        issuer + "/status/1": "application/vc+ld+json",
        issuer + "/jwks.json": "application/jwk-set+json",
        issuer + "/image.png": "image/png",
        kid: "application/jwk+json",
        kid.removesuffix(".jwk"): "application/ld+json",
        kid.removesuffix(".jwk") + ".pem": "application/x-pem-file",
        kid.removesuffix(".jwk") + "/multikey": "application/ld+json",
        credential["credentialSubject"]["achievement"]["id"]: "application/ld+json",
        credential["credentialSubject"]["achievement"]["image"]["id"]: "image/png",
        credential["id"]: "application/vc+ld+json",
        credential["id"] + ".jwt": "application/vc+jwt",
        assertion_url: "application/ld+json",
        assertion_url + ".jws": "application/jose",
    }
    for url, content_type in expected.items():
        status, got, _ = await fetched(http, url)
        assert (status, got) == (200, content_type), url
    status, _, _ = await fetched(http, issuer.replace("partner-", "partner-nobody-"))
    assert status == 404
    status, _, _ = await fetched(http, f"{issuer}/keys/{'A' * 43}/multikey")
    assert status == 404


async def test_the_profile_lists_each_key_at_its_own_url_and_by_fragment(
    serving_colbot: Colbot, http: aiohttp.ClientSession
) -> None:
    code, _ = await make_code(serving_colbot)
    _, replies = await redeem(serving_colbot, code)
    issuer = handed_badge(replies).credential["issuer"]["id"]
    profile = await fetch_json(http, issuer)
    expand(profile)  # every term defined, as JSON-LD safe mode wants

    at_url, by_fragment = profile["verificationMethod"]
    multibase = at_url["publicKeyMultibase"]
    assert by_fragment == {**at_url, "id": f"{issuer}#{multibase}"}
    # The Multikey URL serves the method itself; the fragment form resolves inside the profile.
    assert await fetch_json(http, at_url["id"]) == {"@context": MULTIKEY_CONTEXT, **at_url}
    kid = jwt.get_unverified_header((await badges_of(serving_colbot))[0].ob3_jwt or "")["kid"]
    assert profile["assertionMethod"] == [at_url["id"], by_fragment["id"], kid]
    assert (await fetch_json(http, kid))["kid"] == kid
