"""/verify: anyone pastes a badge link or text, or uploads a baked image or JSON, and sees why."""

from __future__ import annotations

import aiohttp
from aiohttp import web

from colbot.badges.summaries import summary_of
from colbot.badges.verification import CHECK_GATE, NotServed, outcome, own_documents, verify_here
from colbot.openbadges.verdicts import Verdict
from colbot.web.ratelimit import client_of
from colbot.web.site import SITE_KEY

VERIFY = "/verify"
TEXT_FIELD = "badge"
FILE_FIELD = "file"
EMAIL_FIELD = "email"
URL_PREFIXES = ("https://", "http://")
EMPTY = "empty"
NOT_FOUND = "not_found"
TOO_LARGE = "too_large"
BUSY = "busy"
TOO_MANY_STATUS = 429


def _page(
    request: web.Request,
    status: int = 200,
    verdict: Verdict | None = None,
    problem: str | None = None,
    text: str = "",
    email: str = "",
    retry_after: int = 0,
) -> web.Response:
    site = request.app[SITE_KEY]
    response = site.pages.response(
        "journey/verify.html",
        status=status,
        site=site,
        verdict=verdict,
        outcome=outcome([verdict]) if verdict is not None else None,
        summary=summary_of(verdict) if verdict is not None else None,
        checked_at=site.clock.now(),
        problem=problem,
        text=text,
        email=email,
        retry_after=retry_after,
    )
    if retry_after:
        response.headers["Retry-After"] = str(retry_after)
    return response


async def verify_form(request: web.Request) -> web.Response:
    """The empty checker."""
    return _page(request)


def _field(form: object, name: str) -> str:
    value = form.get(name) if hasattr(form, "get") else None
    return value.strip() if isinstance(value, str) else ""


async def verify_badge(request: web.Request) -> web.Response:
    """Checks what was pasted or uploaded and shows the verdict with each check."""
    gate = request.app[CHECK_GATE]
    client = client_of(request)
    if not gate.clients.allow(client):
        wait = gate.clients.retry_after(client)
        return _page(request, status=TOO_MANY_STATUS, problem=BUSY, retry_after=wait)
    try:
        form = await request.post()
    except web.HTTPRequestEntityTooLarge:
        return _page(request, status=413, problem=TOO_LARGE)
    text, email = _field(form, TEXT_FIELD), _field(form, EMAIL_FIELD)
    upload = form.get(FILE_FIELD)
    data: bytes | str | None = upload.file.read() if isinstance(upload, web.FileField) else None
    site = request.app[SITE_KEY]
    async with aiohttp.ClientSession() as session:
        documents = own_documents(site, request, session)
        if not data and text.startswith(URL_PREFIXES) and len(text.split()) == 1:
            try:
                _, data = await documents.resolve(text)
            except (NotServed, aiohttp.ClientError, TimeoutError):
                return _page(request, status=404, problem=NOT_FOUND, text=text, email=email)
        data = data or text or None
        if data is None:
            return _page(request, status=400, problem=EMPTY, email=email)
        checked = data
        verdict = await gate.run(
            lambda: verify_here(checked, documents, site.clock.now(), email or None)
        )
    return _page(request, verdict=verdict, text=text, email=email)
