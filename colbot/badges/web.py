"""Every badge document a verifier may fetch, served with the media type its specification names."""

from __future__ import annotations

import asyncio
import json
import re
from collections.abc import Awaitable, Callable
from typing import Any

from aiohttp import web
from sqlalchemy.ext.asyncio import AsyncSession

from colbot.badges.issuers import IssuerInfo
from colbot.badges.publishing import Publisher
from colbot.badges.urls import STATUS_LIST_NUMBER, is_partner
from colbot.openbadges.contexts import OB2_CONTEXT
from colbot.storage.database import Database
from colbot.storage.models import IssuedBadge
from colbot.web.security import SVG_HEADERS

# OB 2.0 hosted JSON-LD may be application/ld+json or application/json; OB 3.0 credentials
# with an embedded proof are application/vc+ld+json, VC-JWTs application/vc+jwt (VC-JOSE-COSE).
JSON_LD = "application/ld+json"
VC_JSON_LD = "application/vc+ld+json"
VC_JWT = "application/vc+jwt"
JOSE = "application/jose"
JWK = "application/jwk+json"
JWK_SET = "application/jwk-set+json"
PEM = "application/x-pem-file"
PNG = "image/png"
SVG = "image/svg+xml"
GONE = 410
ARTWORK_NAME = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
# Verifiers run in browsers too; revocation must show quickly, keys change rarely.
OPEN_TO_ALL = {"Access-Control-Allow-Origin": "*"}
LIST_CACHE = "public, max-age=60"
DOCUMENT_CACHE = "public, max-age=300"

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


def _document(document: Any, content_type: str, cache: str = DOCUMENT_CACHE) -> web.Response:
    body = json.dumps(document, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    return _bytes(body, content_type, cache)


def _bytes(body: bytes, content_type: str, cache: str = DOCUMENT_CACHE) -> web.Response:
    return web.Response(
        body=body, content_type=content_type, headers={**OPEN_TO_ALL, "Cache-Control": cache}
    )


def _svg(body: bytes) -> web.Response:
    """An SVG that, opened by itself, runs no script and loads nothing."""
    response = _bytes(body, SVG)
    response.headers.update(SVG_HEADERS)
    return response


def _not_found(what: str) -> web.HTTPNotFound:
    return web.HTTPNotFound(
        text=json.dumps({"error": f"no such {what}"}), content_type="application/json"
    )


def _gone(publisher: Publisher, badge: IssuedBadge) -> web.Response:
    """A revoked badge: 410 Gone with the revocation, as OB 2.0 asks of hosted assertions."""
    body = {
        # JSON-LD, so a verifier that reads every document as JSON-LD can read this one too.
        "@context": OB2_CONTEXT,
        "id": publisher.urls.assertion(badge.public_id),
        "type": "Assertion",
        "revoked": True,
        "revocationReason": badge.revocation_reason or "revoked by the issuer",
    }
    response = _document(body, JSON_LD, LIST_CACHE)
    response.set_status(GONE)
    return response


class BadgePages:
    """The aiohttp handlers: each reads in its own read-only transaction."""

    def __init__(self, database: Database, publisher: Publisher) -> None:
        self.database = database
        self.publisher = publisher

    async def _issuer(self, session: AsyncSession, request: web.Request) -> IssuerInfo:
        info = await self.publisher.issuer(session, request.match_info["issuer"])
        if info is None:
            raise _not_found("issuer")
        return info

    async def profile(self, request: web.Request) -> web.Response:
        async with self.database.reading() as session:
            info = await self._issuer(session, request)
        return _document(self.publisher.ob3_profile(info), JSON_LD)

    async def profile_ob2(self, request: web.Request) -> web.Response:
        async with self.database.reading() as session:
            info = await self._issuer(session, request)
        return _document(self.publisher.ob2_issuer(info), JSON_LD)

    async def issuer_image(self, request: web.Request) -> web.Response:
        async with self.database.reading() as session:
            info = await self._issuer(session, request)
        return _bytes(self.publisher.artwork_png(info.artwork), PNG)

    async def _key(self, request: web.Request) -> tuple[str, Any]:
        async with self.database.reading() as session:
            info = await self._issuer(session, request)
        key = self.publisher.keys.find(info.issuer, request.match_info["kid"])
        if key is None:
            raise _not_found("key")
        return info.issuer, key

    async def key(self, request: web.Request) -> web.Response:
        issuer, key = await self._key(request)
        return _document(self.publisher.ob2_key(issuer, key), JSON_LD)

    async def multikey(self, request: web.Request) -> web.Response:
        issuer, key = await self._key(request)
        return _document(self.publisher.multikey(issuer, key), JSON_LD)

    async def jwk(self, request: web.Request) -> web.Response:
        issuer, key = await self._key(request)
        return _document(key.jwk(self.publisher.urls.jwk(issuer, key.kid)), JWK)

    async def pem(self, request: web.Request) -> web.Response:
        _, key = await self._key(request)
        return _bytes(key.pem().encode("ascii"), PEM)

    async def jwks(self, request: web.Request) -> web.Response:
        async with self.database.reading() as session:
            info = await self._issuer(session, request)
        return _document(self.publisher.jwks(info.issuer), JWK_SET)

    async def revocations(self, request: web.Request) -> web.Response:
        async with self.database.reading() as session:
            info = await self._issuer(session, request)
            document = await self.publisher.revocation_list(session, info.issuer)
        return _document(document, JSON_LD, LIST_CACHE)

    async def status_list(self, request: web.Request) -> web.Response:
        if request.match_info["number"] != str(STATUS_LIST_NUMBER):
            raise _not_found("status list")
        async with self.database.reading() as session:
            info = await self._issuer(session, request)
            document = await self.publisher.status_list(session, info.issuer)
        return _document(document, VC_JSON_LD, LIST_CACHE)

    async def _badge_class(self, request: web.Request) -> tuple[str, Any]:
        async with self.database.reading() as session:
            info = await self._issuer(session, request)
            found = await self.publisher.badge_class(session, request.match_info["badge_class"])
        if found is None:
            raise _not_found("badge class")
        badge_class, owner = found
        if owner != info.issuer and not (owner == "" and is_partner(info.issuer)):
            raise _not_found("badge class")
        return info.issuer, badge_class

    async def badge_class(self, request: web.Request) -> web.Response:
        issuer, badge_class = await self._badge_class(request)
        return _document(self.publisher.ob2_badge_class(issuer, badge_class), JSON_LD)

    async def achievement(self, request: web.Request) -> web.Response:
        issuer, badge_class = await self._badge_class(request)
        return _document(self.publisher.hosted_achievement(issuer, badge_class), JSON_LD)

    async def _badge(self, request: web.Request) -> IssuedBadge:
        async with self.database.reading() as session:
            badge = await self.publisher.badge(session, request.match_info["badge"])
            if badge is not None:
                session.expunge(badge)  # keeps what was read once the read-only session ends
        if badge is None:
            raise _not_found("badge")
        return badge

    def issued(self, handler: Callable[[IssuedBadge], web.Response | None]) -> Handler:
        """A per-badge handler that answers 410 Gone once the badge is revoked."""

        async def handle(request: web.Request) -> web.Response:
            badge = await self._badge(request)
            response = None if badge.revoked_at is not None else handler(badge)
            return _gone(self.publisher, badge) if response is None else response

        return handle

    def assertion(self, badge: IssuedBadge) -> web.Response | None:
        from colbot.openbadges.jws import read_compact

        jws = badge.ob2_assertion_jws
        return _document(read_compact(jws).payload, JSON_LD) if jws else None

    def assertion_jws(self, badge: IssuedBadge) -> web.Response | None:
        jws = badge.ob2_assertion_jws
        return _bytes(jws.encode("ascii"), JOSE) if jws else None

    def credential(self, badge: IssuedBadge) -> web.Response | None:
        credential = badge.ob3_credential
        return _document(credential, VC_JSON_LD) if credential else None

    def credential_jwt(self, badge: IssuedBadge) -> web.Response | None:
        token = badge.ob3_jwt
        return _bytes(token.encode("ascii"), VC_JWT) if token else None

    def baked_png(self, badge: IssuedBadge) -> web.Response | None:
        baked = self.publisher.baked_png(badge)
        return _bytes(baked, PNG) if baked else None

    def baked_svg(self, badge: IssuedBadge) -> web.Response | None:
        baked = self.publisher.baked_svg(badge)
        return _svg(baked) if baked else None

    def baked_svg_ob2(self, badge: IssuedBadge) -> web.Response | None:
        baked = self.publisher.baked_svg(badge, ob2=True)
        return _svg(baked) if baked else None

    async def artwork(self, request: web.Request) -> web.Response:
        name = request.match_info["artwork"]
        path = self.publisher.classes.artwork_path(f"{name}.svg")
        if not ARTWORK_NAME.fullmatch(name) or not path.is_file():
            raise _not_found("artwork")
        if request.path.endswith(".svg"):
            return _svg(self.publisher.artwork_svg(f"{name}.svg"))
        return _bytes(self.publisher.artwork_png(f"{name}.svg"), PNG)


WARMING = web.AppKey("badge_warming", asyncio.Task[None])


def install(app: web.Application, database: Database, publisher: Publisher) -> BadgePages:
    """The badge documents' handlers; the publisher draws its artwork while the server starts."""
    pages = BadgePages(database, publisher)

    async def warm(app: web.Application) -> None:
        app[WARMING] = asyncio.create_task(asyncio.to_thread(publisher.warm))

    async def warmed(app: web.Application) -> None:
        if WARMING in app:
            await app[WARMING]

    app.on_startup.append(warm)
    app.on_cleanup.append(warmed)
    return pages
