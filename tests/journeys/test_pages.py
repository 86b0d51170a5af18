"""The journey's web pages through aiohttp: content, privacy, escaping, 404s, JSON, checking."""

from __future__ import annotations

import json
import re
from collections.abc import Awaitable, Callable
from html.parser import HTMLParser
from typing import Any

import aiohttp
import pytest
from aiohttp.test_utils import TestClient

from colbot.app import Colbot
from colbot.journeys import store as journeys
from colbot.openbadges import jws
from colbot.openbadges.baking import unbake
from colbot.openbadges.multibase import encode_base58btc
from colbot.openbadges.verify import verify
from colbot.web.security import CONTENT_SECURITY_POLICY
from colbot.web.site import SITE_KEY
from tests.support import images
from tests.support.demo import TEST_NOW
from tests.support.issuer import StandInIssuer
from tests.support.journeys import (
    SECRET_AREA,
    SECRET_EMAIL,
    XSS_ATTRIBUTE,
    XSS_SCRIPT,
    Make,
    Owner,
    statements_run,
)

Client = TestClient  # type: ignore[type-arg]
ClientMaker = Callable[..., Awaitable[Client]]
TELEGRAM_ID = "987654321"


@pytest.fixture
async def client(colbot: Colbot, aiohttp_client: ClientMaker) -> Client:
    return await aiohttp_client(colbot.web_app)


class Tags(HTMLParser):
    """Every start tag and its attributes, to look at a page's structure."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))

    def meta(self, key: str) -> str | None:
        for tag, attrs in self.tags:
            if tag == "meta" and key in (attrs.get("property"), attrs.get("name")):
                return attrs.get("content")
        return None


def proof_of(credential: dict[str, Any]) -> dict[str, Any]:
    """A credential's one proof, whether given alone or in a list."""
    proof = credential["proof"]
    return dict(proof[0] if isinstance(proof, list) else proof)


def tags_of(html: str) -> Tags:
    parser = Tags()
    parser.feed(html)
    return parser


async def text_of(client: Client, path: str, status: int = 200) -> str:
    response = await client.get(path)
    assert response.status == status, path
    return await response.text()


async def test_the_page_shows_the_journey(client: Client, make_owner: Make) -> None:
    owner = await make_owner(badges=2)
    response = await client.get(f"/j/{owner.slug}")
    assert response.status == 200
    html = await response.text()
    for expected in (
        "Sammy’s learning journey",
        "Music",
        "Coding",
        "<strong>6</strong> learning hours",
        "Bike Repair",
        "Game Jam",
        "Kensalfield City of Learning",
        "Session 1 at the club",
        'alt="Badge artwork: Bike Repair"',
        "Check this badge",
        '<a href="/privacy">Your data and privacy</a>',
    ):
        assert expected in html, expected
    tags = tags_of(html)
    assert tags.meta("robots") == "noindex, nofollow, noarchive"
    assert tags.meta("og:title") == "Sammy’s learning journey"
    assert tags.meta(
        "og:url",
    ).endswith(f"/j/{owner.slug}")  # type: ignore[union-attr]
    assert (tags.meta("og:image") or "").endswith("/artwork/game-jam.png")
    assert tags.meta("twitter:card") == "summary"
    assert tags.meta("twitter:title") == "Sammy’s learning journey"
    scripts = [attrs for tag, attrs in tags.tags if tag == "script"]
    assert scripts == []
    headers = response.headers
    assert headers["Content-Security-Policy"] == CONTENT_SECURITY_POLICY
    assert headers["X-Robots-Tag"].startswith("noindex")
    assert headers["Referrer-Policy"] == "no-referrer"
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Cache-Control"] == "private, no-cache"
    assert headers["ETag"].startswith('"')


async def test_every_request_the_page_makes_is_to_colbot_itself(
    client: Client, make_owner: Make
) -> None:
    owner = await make_owner()
    tags = tags_of(await text_of(client, f"/j/{owner.slug}"))
    loaded = [
        attrs.get("src") or attrs.get("href") for tag, attrs in tags.tags if tag in ("img", "link")
    ]
    assert loaded and all(url and url.startswith("/") for url in loaded), loaded
    for url in loaded:
        response = await client.get(url or "")
        assert response.status == 200, url


def keys_of(value: object) -> set[str]:
    """Every key anywhere in a JSON document."""
    if isinstance(value, dict):
        return set(value) | {k for item in value.values() for k in keys_of(item)}
    if isinstance(value, list):
        return {k for item in value for k in keys_of(item)}
    return set()


async def test_nothing_private_is_ever_served(client: Client, make_owner: Make) -> None:
    owner = await make_owner(chat_id=TELEGRAM_ID)
    badge = f"/j/{owner.slug}/badges/{owner.badge_ids[0]}"
    pages = [await text_of(client, f"/j/{owner.slug}"), await text_of(client, badge)]
    documents = [
        await text_of(client, f"/j/{owner.slug}.json"),
        await text_of(client, f"{badge}.json"),
    ]
    secrets = (TELEGRAM_ID, SECRET_EMAIL, SECRET_AREA, "52.123", "-1.654", owner.person.public_id)
    for body in pages + documents:
        for secret in secrets:
            assert secret not in body
        assert "telegram" not in body.lower()
    for page in pages:
        # The box that checks a guessed address against the hashed one shows no address itself.
        page = re.sub(r'<form class="email-check".*?</form>', "", page, flags=re.DOTALL)
        assert not re.search(r"\b(age|aged|years old|area|location|email)\b", page, re.IGNORECASE)
    for document in documents:
        keys = {key.lower() for key in keys_of(json.loads(document))}
        assert not keys & {"age", "area", "location", "latitude", "longitude", "email", "telegram"}


@pytest.mark.parametrize("payload", [XSS_SCRIPT, XSS_ATTRIBUTE])
async def test_what_young_people_write_is_escaped(
    client: Client, make_owner: Make, payload: str
) -> None:
    owner = await make_owner(nickname=payload)
    for path in (f"/j/{owner.slug}", f"/j/{owner.slug}/badges/{owner.badge_ids[0]}"):
        html = await text_of(client, path)
        assert payload not in html
        assert "<script>alert" not in html and "<img src=x" not in html
    html = await text_of(client, f"/j/{owner.slug}")
    assert "&lt;" in html and "alert(1)" in html  # shown, as text
    document = await text_of(client, f"/j/{owner.slug}.json")
    assert "<" not in document and json.loads(document)["nickname"] == payload


async def test_unknown_switched_off_and_replaced_links_all_look_the_same(
    colbot: Colbot, client: Client, make_owner: Make
) -> None:
    off = await make_owner(sharing=False, chat_id="off")
    replaced = await make_owner(chat_id="replaced")
    async with colbot.database.transaction() as session:
        journeys.replace_link(await journeys.journey_for(session, replaced.person, TEST_NOW))
    paths = [journeys.new_slug(), off.slug, replaced.slug]
    answers = []
    for slug in paths:
        for suffix in (
            "",
            ".json",
            "/qr.svg",
            f"/badges/{replaced.badge_ids[0]}",
            f"/badges/{replaced.badge_ids[0]}.png",
        ):
            response = await client.get(f"/j/{slug}{suffix}")
            headers = {k: v for k, v in response.headers.items() if k not in ("Date",)}
            answers.append((response.status, headers, await response.text()))
    assert all(answer == answers[0] for answer in answers)
    status, _, body = answers[0]
    assert status == 404 and "Page not found" in body
    assert (await client.get("/j/not.a.valid.slug!")).status == 404
    # Nor does the work behind them differ: every link runs the same statements, so no timing
    # can tell a switched-off or replaced journey from one that never was.
    site = colbot.web_app[SITE_KEY]
    work = []
    for slug in paths:
        with statements_run(colbot, site.reader) as statements:
            for suffix in ("", "/qr.svg"):
                await (await client.get(f"/j/{slug}{suffix}")).read()
        work.append([statement.replace(slug, "<slug>") for statement in statements])
    assert work[0] and all(statements == work[0] for statements in work), work


async def test_the_json_twin_carries_every_signed_form(
    client: Client, make_owner: Make, issuer: StandInIssuer
) -> None:
    owner = await make_owner(badges=2)
    response = await client.get(f"/j/{owner.slug}.json")
    assert response.status == 200 and response.content_type == "application/json"
    assert response.headers["X-Robots-Tag"].startswith("noindex")
    document = await response.json()
    assert document["nickname"] == "Sammy" and document["totalLearningHours"] == 6
    assert [b["id"] for b in document["badges"]] == owner.badge_ids[::-1]
    published = await issuer.published()
    for badge in document["badges"]:
        signed = badge["openBadges2"]["signedAssertion"]
        assertion = jws.verify_assertion(signed, issuer.keys.public_pem())
        assert assertion["id"] == f"urn:uuid:{badge['id']}"
        credential = badge["openBadges3"]["credential"]
        assert proof_of(credential)["cryptosuite"] == "eddsa-rdfc-2022"
        assert jws.looks_compact(badge["openBadges3"]["vcJwt"])
        for form in (signed, json.dumps(credential), badge["openBadges3"]["vcJwt"]):
            verdict = verify(form, lambda url: ("application/json", published[url]), TEST_NOW)
            assert verdict.valid, verdict.reason


async def test_check_this_badge_says_valid_then_revoked(
    client: Client, make_owner: Make, issuer: StandInIssuer
) -> None:
    owner = await make_owner(badges=1)
    page = f"/j/{owner.slug}/badges/{owner.badge_ids[0]}"
    html = await text_of(client, page)
    assert 'data-outcome="valid"' in html and "This badge is valid" in html
    for form in ("embedded proof", "VC-JWT", "Open Badges 2.0 signed assertion"):
        assert form in html
    assert "The signature is genuine" in html and "The issuer has not revoked it" in html
    await issuer.revoke(owner.badge_ids[0], TEST_NOW)
    html = await text_of(client, page)
    assert 'data-outcome="revoked"' in html and "This badge has been revoked" in html
    assert (await client.get(f"{page}.png")).status == 404
    assert owner.badge_ids[0] not in await text_of(client, f"/j/{owner.slug}")


async def test_downloads_are_the_signed_badge(
    client: Client, make_owner: Make, issuer: StandInIssuer
) -> None:
    owner = await make_owner(badges=1)
    badge = f"/j/{owner.slug}/badges/{owner.badge_ids[0]}"
    response = await client.get(f"{badge}.png")
    assert response.status == 200 and response.content_type == "image/png"
    assert response.headers["Content-Disposition"] == 'attachment; filename="bike-repair.png"'
    baked = unbake(await response.read())
    assert baked.assertion is not None and baked.credential is not None
    response = await client.get(f"{badge}.json")
    assert response.headers["Content-Disposition"] == 'attachment; filename="bike-repair.json"'
    credential = json.loads(await response.read())
    assert proof_of(credential)["type"] == "DataIntegrityProof"


async def test_robots_txt_keeps_journeys_out_of_search_engines(client: Client) -> None:
    robots = await text_of(client, "/robots.txt")
    assert "User-agent: *" in robots and "Disallow: /j/" in robots


def counted_drawing(colbot: Colbot) -> list[str]:
    """What the site's artwork draws from now on, in order."""
    artwork = colbot.web_app[SITE_KEY].artwork
    draw, drawn = artwork.draw, []

    def counting(drawing: str) -> bytes:
        drawn.append(drawing)
        return draw(drawing)

    artwork.draw = counting
    return drawn


async def test_artwork_is_drawn_for_badges_once_and_kept(
    colbot: Colbot, client: Client, make_owner: Make
) -> None:
    drawn = counted_drawing(colbot)
    await make_owner(badges=1)
    # An artwork file, a class in badges/, a class made from an opportunity, and the class of an
    # issued badge that badges/ does not have (a medallion).
    names = ("music.svg", "coding", "opportunity-1", "bike-repair")
    for _ in range(2):
        for name in names:
            response = await client.get(f"/artwork/{name}.png")
            assert response.status == 200, name
            assert (await response.read()).startswith(b"\x89PNG")
            assert "public" in response.headers["Cache-Control"]
    assert drawn[:2] == ["music.svg", "coding.svg"] and drawn[3] == "bike-repair"
    assert drawn[2].endswith(".svg") and len(drawn) == len(names)


async def test_artwork_no_badge_uses_is_not_found_and_never_drawn(
    colbot: Colbot, client: Client
) -> None:
    drawn = counted_drawing(colbot)
    made_up = (
        "made-up",
        "nothing.svg",
        "bike-repair",
        "opportunity-999999",
        "opportunity-" + "9" * 40,
    )
    for name in made_up:
        assert (await client.get(f"/artwork/{name}.png")).status == 404, name
    assert drawn == []


async def test_verify_checks_pasted_and_uploaded_badges(
    client: Client, make_owner: Make, issuer: StandInIssuer
) -> None:
    owner: Owner = await make_owner(badges=1)
    badge = f"/j/{owner.slug}/badges/{owner.badge_ids[0]}"
    form = await text_of(client, "/verify")
    assert '<form method="post" action="/verify"' in form
    document = await (await client.get(f"/j/{owner.slug}.json")).json()
    signed = document["badges"][0]["openBadges2"]["signedAssertion"]
    html = await (await client.post("/verify", data={"badge": signed})).text()
    assert 'data-outcome="valid"' in html and "Open Badges 2.0 signed assertion" in html
    baked = await (await client.get(f"{badge}.png")).read()
    upload = aiohttp.FormData()
    upload.add_field("badge", "")
    upload.add_field("file", baked, filename="bike-repair.png", content_type="image/png")
    html = await (await client.post("/verify", data=upload)).text()
    assert 'data-outcome="valid"' in html and "embedded proof" in html
    tampered = signed[:-6] + ("A" * 6 if not signed.endswith("AAAAAA") else "B" * 6)
    html = await (await client.post("/verify", data={"badge": tampered})).text()
    assert 'data-outcome="invalid"' in html
    check_link = f"{document['badges'][0]['check']}"
    html = await (await client.post("/verify", data={"badge": check_link})).text()
    assert 'data-outcome="valid"' in html
    response = await client.post("/verify", data={"badge": "https://elsewhere.example/badge.json"})
    assert (
        response.status == 404
        and "never fetches anything from other websites" in await response.text()
    )
    response = await client.post("/verify", data={"badge": XSS_SCRIPT})
    html = await response.text()
    assert XSS_SCRIPT not in html and 'data-outcome="invalid"' in html
    response = await client.post("/verify", data={"badge": ""})
    assert response.status == 400
    assert response.headers["Content-Security-Policy"] == CONTENT_SECURITY_POLICY


async def upload(client: Client, data: bytes, filename: str, content_type: str) -> str:
    """The /verify page's answer to one uploaded file."""
    form = aiohttp.FormData()
    form.add_field("badge", "")
    form.add_field("file", data, filename=filename, content_type=content_type)
    response = await client.post("/verify", data=form)
    assert response.status == 200
    return await response.text()


async def test_verify_refuses_a_genuine_image_that_also_carries_a_forged_credential(
    client: Client, make_owner: Make
) -> None:
    owner = await make_owner(badges=1)
    genuine = await (await client.get(f"/j/{owner.slug}/badges/{owner.badge_ids[0]}.png")).read()
    credential = unbake(genuine).credential
    assert credential is not None
    forged_credential = json.loads(credential)
    forged_credential["credentialSubject"]["achievement"]["name"] = "Brain Surgery"
    forged = images.add_itxt(genuine, "openbadgecredential", json.dumps(forged_credential))

    html = await upload(client, genuine, "badge.png", "image/png")
    assert 'data-outcome="valid"' in html and "the assertion in the image verifies" in html
    html = await upload(client, forged, "badge.png", "image/png")
    assert 'data-outcome="invalid"' in html
    assert "the second credential in the image does not verify" in html


async def test_verify_refuses_a_credential_with_a_bogus_extra_proof(
    client: Client, make_owner: Make
) -> None:
    owner = await make_owner(badges=1)
    document = await (await client.get(f"/j/{owner.slug}.json")).json()
    credential = document["badges"][0]["openBadges3"]["credential"]
    bogus = {**proof_of(credential), "proofValue": encode_base58btc(bytes(64))}
    forged = {**credential, "proof": [proof_of(credential), bogus]}

    html = await (await client.post("/verify", data={"badge": json.dumps(credential)})).text()
    assert 'data-outcome="valid"' in html
    html = await (await client.post("/verify", data={"badge": json.dumps(forged)})).text()
    assert 'data-outcome="invalid"' in html and "proof 2 of 2: the Ed25519 signature" in html
    html = await upload(client, json.dumps(forged).encode(), "badge.json", "application/json")
    assert 'data-outcome="invalid"' in html and "proof 2 of 2" in html


async def test_verify_checks_the_recipient_email_when_given(
    client: Client, make_owner: Make
) -> None:
    owner = await make_owner(badges=1)
    document = await (await client.get(f"/j/{owner.slug}.json")).json()
    signed = document["badges"][0]["openBadges2"]["signedAssertion"]
    right = f"{owner.person.public_id}@learners.invalid"
    html = await (await client.post("/verify", data={"badge": signed, "email": right})).text()
    assert 'data-outcome="valid"' in html and "It was issued to the email given" in html
    html = await (
        await client.post("/verify", data={"badge": signed, "email": "x@y.example"})
    ).text()
    assert 'data-outcome="invalid"' in html
