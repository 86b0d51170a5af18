"""The shared learning journey: its page, its QR code, its JSON twin, each badge's check page and
downloads."""

from __future__ import annotations

import asyncio
import hashlib
import json
import re
from collections.abc import Callable
from dataclasses import dataclass, replace
from functools import cached_property
from http import HTTPStatus
from typing import Any

import aiohttp
from aiohttp import hdrs, web
from aiohttp.helpers import ETAG_ANY

from colbot.badges.classes import BadgeClasses
from colbot.badges.medallions import medallion_png
from colbot.badges.verification import CHECK_GATE, CheckGate, check_stored, own_documents
from colbot.journeys.page import JourneyPages
from colbot.journeys.shared import (
    PublicJourney,
    ShownBadge,
    SignedForms,
    Stamp,
    journey_stamp,
    public_journey,
    published_badge,
    read_journey_stamp,
    read_public_journey,
    read_shared_badge,
    read_sharer,
    shared_badge,
    sharer,
)
from colbot.openbadges.baking import bake_png_assertion, bake_png_credential
from colbot.openbadges.documents import EMAIL_IDENTITY
from colbot.openbadges.timestamps import to_xsd
from colbot.pathways.definitions import Pathways
from colbot.pathways.in_progress import shown_in_progress
from colbot.web import assets, security
from colbot.web.paths import artwork_path, badge_path, journey_path
from colbot.web.ratelimit import client_of
from colbot.web.site import SITE_KEY, DocumentSource, Site

SLUG_PATTERN = "[A-Za-z0-9_-]{1,64}"
BADGE_PATTERN = "[A-Za-z0-9_-]{1,40}"
JOURNEY = f"/j/{{slug:{SLUG_PATTERN}}}"
BADGE = f"{JOURNEY}/badges/{{badge:{BADGE_PATTERN}}}"
JOURNEY_QR = f"{JOURNEY}/qr.svg"
ARTWORK = "/artwork/{artwork:[A-Za-z0-9_-][A-Za-z0-9_.-]{0,79}}.png"
ARTWORK_CACHE = "public, max-age=86400"
JSON_TYPE = "application/json"
PNG_TYPE = "image/png"
HTML_TYPE = "text/html"
SVG_TYPE = "image/svg+xml"
# A visitor's browser may keep the page but asks each time whether it changed (If-None-Match);
# shared caches may not keep it at all, and a page switched off is gone at the next visit.
JOURNEY_CACHE_CONTROL = "private, no-cache"
# A QR code only draws its link, which never changes and which whoever holds the image already
# has; a page switched off is gone at the next visit, so nobody is shown its code again. A day
# spares every re-visit of a page a second request, and shared caches still may not keep it.
QR_CACHE_CONTROL = "private, max-age=86400"
JOURNEY_PAGES = web.AppKey("journey_pages", JourneyPages)


@dataclass(frozen=True)
class JourneyPathways:
    """The city's pathways and badge classes, for the pathways and city badges a page shows."""

    pathways: Pathways
    classes: BadgeClasses

    def city_badge(self, badge: ShownBadge) -> bool:
        """Whether a badge is the one a pathway ends in (the milestones' too)."""
        return self.pathways.ending_in(badge.badge_class_id) is not None

    @cached_property
    def version(self) -> str:
        """A digest of the pathways and badge classes, which decide a page's city badges: the
        same in every process, since a visitor's next request may reach another."""
        known = (sorted(self.pathways.by_id.items()), sorted(self.classes.by_id.items()))
        return hashlib.sha256(repr(known).encode("utf-8")).hexdigest()


JOURNEY_PATHWAYS = web.AppKey("journey_pathways", JourneyPathways)
FILENAME_UNSAFE = re.compile(r"[^a-z0-9]+")


def _safe_json(value: Any) -> str:
    """JSON that stays inert even if something mistakes it for HTML."""
    return json.dumps(value, ensure_ascii=False).replace("<", "\\u003c").replace(">", "\\u003e")


def _filename(name: str, extension: str) -> str:
    """A download name anyone's computer accepts: bike-repair.png."""
    stem = FILENAME_UNSAFE.sub("-", name.lower()).strip("-")[:60] or "badge"
    return f"{stem}.{extension}"


def _attachment(body: bytes, content_type: str, filename: str) -> web.Response:
    return web.Response(
        body=body,
        content_type=content_type,
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


async def _journey(site: Site, slug: str, with_documents: bool = False) -> PublicJourney | None:
    if site.reader is not None:
        return await site.reader.run(lambda c: read_public_journey(c, slug, with_documents))
    async with site.database.reading() as session:
        return await public_journey(session, slug, with_documents)


async def _stamp(site: Site, slug: str) -> Stamp | None:
    if site.reader is not None:
        return await site.reader.run(lambda c: read_journey_stamp(c, slug), single=True)
    async with site.database.reading() as session:
        return await journey_stamp(session, slug)


async def _badge(site: Site, slug: str, public_id: str) -> tuple[ShownBadge, SignedForms] | None:
    if site.reader is not None:
        return await site.reader.run(lambda c: read_shared_badge(c, slug, public_id))
    async with site.database.reading() as session:
        return await shared_badge(session, slug, public_id)


async def baked_png(site: Site, badge: ShownBadge, forms: SignedForms) -> bytes:
    """The badge's artwork with its OB 2.0 assertion and OB 3.0 credential baked in."""
    png = await site.artwork.png(badge.artwork)
    if png is None:  # its artwork file is gone from badges/; the badge still needs an image
        png = await asyncio.to_thread(medallion_png, badge.badge_class_id)
    if forms.ob2_assertion_jws:
        png = bake_png_assertion(png, forms.ob2_assertion_jws)
    if forms.ob3_credential is not None:
        png = bake_png_credential(png, forms.ob3_credential)
    elif forms.ob3_jwt:
        png = bake_png_credential(png, forms.ob3_jwt)
    return png


async def _shared(site: Site, slug: str) -> bool:
    """Whether a link shows a journey, asked the same way the page asks it."""
    if site.reader is not None:
        return await site.reader.run(lambda c: read_sharer(c, slug)) is not None
    async with site.database.reading() as session:
        return await sharer(session, slug) is not None


async def journey_page(request: web.Request) -> web.Response:
    """The page a young person shares: who they are (as they choose) and what they earned;
    a visitor whose copy is still this version (If-None-Match) gets 304 and no page.

    Its version is the stamp the database bumps on every write that changes the page, so a
    re-visit, or a page already rendered, costs the one read every link runs."""
    site = request.app[SITE_KEY]
    slug = request.match_info["slug"]
    pages = request.app[JOURNEY_PAGES]
    known = request.app.get(JOURNEY_PATHWAYS)
    also = "" if known is None else known.version
    stamp = await _stamp(site, slug)
    if stamp is None:
        return security.not_found(request)
    if not stamp.follows_pathways:
        etag = pages.stamp_etag(slug, stamp.version, also)
        kept = pages.kept(etag)
        if kept is not None or _still_fresh(request, etag):
            body = b"" if kept is None else kept.body  # a fresh copy is answered with none
            return _version(request, etag, JOURNEY_CACHE_CONTROL, HTML_TYPE, lambda: body)
    journey = await _journey(site, slug)
    if journey is None:  # switched off between the two reads
        return security.not_found(request)
    if known is not None:
        journey = await _with_pathways(site, known, journey)
    if journey.chosen_pathways:
        # Pathway progress reads partners, opportunities and their passions, which no stamp
        # covers: such a page is named by what it shows, read in full each time.
        etag = pages.etag(journey)
    else:  # named by the stamp read with its rows, never by an older one
        etag = pages.stamp_etag(slug, journey.version, also)
    return _version(
        request, etag, JOURNEY_CACHE_CONTROL, HTML_TYPE, lambda: pages.page(journey, etag).body
    )


async def journey_qr(request: web.Request) -> web.Response:
    """The journey's QR code, which only its printed page shows: its own resource, so a first
    visit to the page never waits for a drawing; a kept copy of this version gets 304."""
    site = request.app[SITE_KEY]
    slug = request.match_info["slug"]
    if not await _shared(site, slug):
        return security.not_found(request)
    pages = request.app[JOURNEY_PAGES]
    return _version(
        request, pages.qr_etag(slug), QR_CACHE_CONTROL, SVG_TYPE, lambda: pages.qr(slug).body
    )


def _version(
    request: web.Request,
    etag: str,
    cache_control: str,
    content_type: str,
    body: Callable[[], bytes],
) -> web.Response:
    """One version of a resource by its ETag: its bytes, or 304 if the visitor holds them."""
    if _still_fresh(request, etag):
        response = web.Response(status=HTTPStatus.NOT_MODIFIED)
    else:
        response = web.Response(body=body(), content_type=content_type, charset="utf-8")
    response.etag = etag
    response.headers[hdrs.CACHE_CONTROL] = cache_control
    return response


async def _with_pathways(
    site: Site, known: JourneyPathways, journey: PublicJourney
) -> PublicJourney:
    """The journey with its pathways in progress and its city badges, from the badges shown."""
    shown = [b for b in journey.badges if not b.revoked]
    city_badges = tuple(b for b in shown if known.city_badge(b))
    if not journey.chosen_pathways:  # most journeys: nothing more to read
        return replace(journey, city_badges=city_badges)
    async with site.database.reading() as session:
        person_id = await sharer(session, journey.slug)
        if person_id is None:  # switched off between the two reads
            return journey
        pathways = await shown_in_progress(
            session, person_id, {b.public_id for b in shown}, known.pathways, known.classes
        )
    return replace(journey, pathways=pathways, city_badges=city_badges)


def _still_fresh(request: web.Request, etag: str) -> bool:
    """Whether the visitor's If-None-Match names this version (compared weakly, per RFC 9110)."""
    return any(tag.value in (etag, ETAG_ANY) for tag in request.if_none_match or ())


def _badge_json(site: Site, slug: str, badge: ShownBadge, forms: SignedForms) -> dict[str, Any]:
    check = badge_path(slug, badge.public_id)
    return {
        "id": badge.public_id,
        "name": badge.name,
        "description": badge.description or None,
        "issuer": badge.issuer,
        "issuedOn": to_xsd(badge.issued_at),
        "learningHours": badge.hours,
        "whatTheyDid": badge.what,
        "image": site.url(artwork_path(badge.artwork)),
        "check": site.url(check),
        "download": {"png": site.url(f"{check}.png"), "json": site.url(f"{check}.json")},
        "openBadges2": {"signedAssertion": forms.ob2_assertion_jws},
        "openBadges3": {"credential": forms.ob3_credential, "vcJwt": forms.ob3_jwt},
    }


async def journey_json(request: web.Request) -> web.Response:
    """The same journey for machines, with every shown badge in all its signed forms."""
    site = request.app[SITE_KEY]
    slug = request.match_info["slug"]
    journey = await _journey(site, slug, with_documents=True)
    if journey is None:
        return security.not_found(request)
    document = {
        "type": "LearningJourney",
        "url": site.url(journey_path(slug)),
        "city": site.city,
        "nickname": journey.nickname,
        "passions": [site.passions.get(p, p) for p in journey.passion_ids],
        "totalLearningHours": journey.total_hours,
        "badges": [
            _badge_json(site, slug, badge, journey.documents[badge.public_id])
            for badge in journey.badges
        ],
    }
    return web.json_response(document, dumps=_safe_json)


async def badge_check(request: web.Request) -> web.Response:
    """Verifies one badge on the server, every signed form, and says plainly what was checked."""
    site = request.app[SITE_KEY]
    slug, public_id = request.match_info["slug"], request.match_info["badge"]
    found = await _badge(site, slug, public_id)
    if found is None:
        return security.not_found(request)
    badge, forms = found
    return await _check_page(request, site, badge, forms, slug)


async def published_badge_page(request: web.Request) -> web.StreamResponse:
    """A badge's own address, opened in a browser (LinkedIn's "See credential"): its check page,
    naming nobody, since the credential published there names nobody either."""
    site = request.app[SITE_KEY]
    async with site.database.reading() as session:
        found = await published_badge(session, request.match_info["badge"])
    if found is None:
        return security.not_found(request)
    badge, forms = found
    return await _check_page(request, site, badge, forms, None)


async def _check_page(
    request: web.Request, site: Site, badge: ShownBadge, forms: SignedForms, slug: str | None
) -> web.Response:
    """The check page: what the badge is, who it was for and when, then each check."""
    public_id = badge.public_id
    gate = request.app[CHECK_GATE]
    client = client_of(request)
    if not gate.clients.allow(client):
        raise web.HTTPTooManyRequests(
            text="Too many checks in a short time. Please wait a minute and try again.",
            headers={"Retry-After": str(gate.clients.retry_after(client))},
        )
    async with aiohttp.ClientSession() as session:
        documents = own_documents(site, request, session)
        check = await gate.own_badge(
            (public_id, badge.revoked),
            lambda: check_stored(forms, documents, site.clock.now()),
        )
    return site.pages.response(
        "journey/check.html",
        site=site,
        slug=slug,
        badge=badge,
        check=check,
        hashed_email=_hashed_email(forms),
        credential_url=site.url(f"/badges/credentials/{public_id}"),
    )


def _hashed_email(forms: SignedForms) -> bool:
    """Whether the badge was issued to a hashed e-mail, which a visitor can check an address
    against."""
    credential = forms.ob3_credential or {}
    subject = credential.get("credentialSubject") if isinstance(credential, dict) else None
    identifiers = subject.get("identifier") if isinstance(subject, dict) else None
    return any(
        isinstance(i, dict) and i.get("identityType") == EMAIL_IDENTITY
        for i in (identifiers if isinstance(identifiers, list) else [identifiers])
    )


async def badge_png(request: web.Request) -> web.Response:
    """The signed badge baked into its image, to keep or to upload anywhere."""
    site = request.app[SITE_KEY]
    found = await _badge(site, request.match_info["slug"], request.match_info["badge"])
    if found is None or found[0].revoked:
        return security.not_found(request)
    badge, forms = found
    return _attachment(await baked_png(site, badge, forms), PNG_TYPE, _filename(badge.name, "png"))


async def badge_download_json(request: web.Request) -> web.Response:
    """The OB 3.0 credential with its embedded proof, as a file."""
    site = request.app[SITE_KEY]
    found = await _badge(site, request.match_info["slug"], request.match_info["badge"])
    if found is None or found[0].revoked or found[1].ob3_credential is None:
        return security.not_found(request)
    badge, forms = found
    body = json.dumps(forms.ob3_credential, ensure_ascii=False, indent=2).encode("utf-8")
    return _attachment(body, JSON_TYPE, _filename(badge.name, "json"))


async def artwork(request: web.Request) -> web.Response:
    """A badge's artwork, served by colbot itself so pages need no one else."""
    png = await request.app[SITE_KEY].artwork.png(request.match_info["artwork"])
    if png is None:
        return security.not_found(request)
    return web.Response(body=png, content_type=PNG_TYPE, headers={"Cache-Control": ARTWORK_CACHE})


def journey_documents(site: Site) -> DocumentSource:
    """Answers a shared badge's own URLs, so a pasted check link can be verified."""
    pattern = re.compile(
        rf"^{re.escape(site.public_url)}/j/(?P<slug>{SLUG_PATTERN})"
        rf"/badges/(?P<badge>{BADGE_PATTERN})(?P<extension>\.png|\.json)?$"
    )

    async def source(url: str) -> tuple[str, bytes] | None:
        match = pattern.match(url)
        if match is None:
            return None
        found = await _badge(site, match["slug"], match["badge"])
        if found is None:
            return None
        badge, forms = found
        if match["extension"] == ".png":
            return PNG_TYPE, await baked_png(site, badge, forms)
        if forms.ob3_credential is not None:
            return JSON_TYPE, json.dumps(forms.ob3_credential).encode("utf-8")
        text = forms.ob3_jwt or forms.ob2_assertion_jws
        return None if text is None else ("text/plain", text.encode("ascii"))

    return source


async def _close_reader(app: web.Application) -> None:
    reader = app[SITE_KEY].reader
    if reader is not None:
        await asyncio.to_thread(reader.close)


def install(app: web.Application, site: Site, pathways: JourneyPathways | None = None) -> None:
    """Puts the public site on the app, with its security headers, for journeys and badge checks."""
    app[SITE_KEY] = site
    if pathways is not None:
        app[JOURNEY_PATHWAYS] = pathways
    app[CHECK_GATE] = CheckGate()
    app.on_cleanup.append(_close_reader)
    site.static = assets.urls()
    app[JOURNEY_PAGES] = JourneyPages(site)
    app.middlewares.append(security.public_headers)
