"""The exchange's address: a page for people, VC-API for wallets, each refusal said kindly."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from aiohttp import web

from colbot.badges.publishing import Publisher
from colbot.wallet import links, store, vcapi
from colbot.wallet.didauth import DidAuthError, Expected, authenticated_holder
from colbot.wallet.reissue import reissued
from colbot.wallet.store import EXCHANGE_TTL, Exchange, State
from colbot.web import security
from colbot.web.ratelimit import ClientLimits, client_of
from colbot.web.site import Site

# A wallet needs two or three requests an exchange; this leaves room for a few tries and stops
# anyone making colbot canonicalise presentations all day.
REQUESTS_PER_CLIENT = 30
REQUEST_WINDOW_S = 600.0
# Presentations are checked in threads, a few at once, so the chat never waits behind them.
CHECKS_AT_ONCE = 2
MAX_MESSAGE_BYTES = 64 * 1024
TEMPLATE = "wallet/exchange.html"
WITHDRAWN = "withdrawn"
BUSY = "busy"

# What each refusal says: its HTTP status, a title and a kind sentence a wallet can show.
PROBLEMS: dict[str, tuple[int, str, str]] = {
    "unknown-exchange": (
        404,
        "Unknown link",
        "This link doesn't open anything. Send /wallet in the chat to get a new one.",
    ),
    "exchange-used": (
        410,
        "Link already used",
        "A wallet has already collected this badge with this link. Send /wallet in the chat "
        "for a new one.",
    ),
    "exchange-expired": (
        410,
        "Link expired",
        "Links to add a badge to a wallet work for 10 minutes. Send /wallet in the chat for a "
        "new one.",
    ),
    "badge-withdrawn": (
        410,
        "Badge withdrawn",
        "The badge this link was for has been withdrawn, so there is nothing to add.",
    ),
    "bad-didauth": (
        400,
        "Wallet sign-in not accepted",
        "Your wallet's sign-in didn't check out, so the badge wasn't sent. Try the link again "
        "from your wallet app.",
    ),
    "unexpected-message": (
        400,
        "Not a wallet message",
        "This address takes VC-API exchange messages from a wallet app: {} to start, then a "
        "signed verifiablePresentation.",
    ),
    "too-large": (413, "Message too large", "A wallet's sign-in is a few kilobytes at most."),
    "too-many-requests": (
        429,
        "Too many requests",
        "Lots of requests have come from your network just now. Please try again shortly.",
    ),
}
STATE_PROBLEMS = {State.USED: "exchange-used", State.EXPIRED: "exchange-expired"}


def wants_page(request: web.Request) -> bool:
    """A browser asks for HTML; a wallet (or anything else) gets JSON."""
    return "text/html" in request.headers.get("Accept", "")


def problem_response(code: str, detail: str | None = None, **headers: str) -> web.Response:
    """A refusal as JSON, with the reason a developer needs when there is one."""
    status, title, kind = PROBLEMS[code]
    body = vcapi.problem(code, title, kind if detail is None else f"{kind} ({detail})")
    return web.json_response(body, status=status, headers=headers)


@dataclass
class Exchanges:
    """Serves the wallet exchanges: what they read, sign with, and how often each client may ask."""

    site: Site
    publisher: Publisher
    monotonic: Callable[[], float] = time.monotonic
    clients: ClientLimits = field(init=False)
    checking: asyncio.Semaphore = field(init=False)

    def __post_init__(self) -> None:
        self.clients = ClientLimits(REQUESTS_PER_CLIENT, REQUEST_WINDOW_S, self.monotonic)
        self.checking = asyncio.Semaphore(CHECKS_AT_ONCE)

    def too_many(self, request: web.Request) -> web.Response | None:
        """A 429 once the client's share is used, as a page or as JSON."""
        client = client_of(request)
        if self.clients.allow(client):
            return None
        wait = str(self.clients.retry_after(client))
        if wants_page(request):
            response = self.page(BUSY, status=429, retry_after=wait)
            response.headers["Retry-After"] = wait
            return response
        return problem_response("too-many-requests", **{"Retry-After": wait})

    async def lookup(self, exchange_id: str) -> Exchange | None:
        """The exchange an id opens, with the badge it is for."""
        async with self.site.database.reading() as session:
            return await store.find(session, exchange_id)

    def page(self, state: str, status: int = 200, **context: Any) -> web.Response:
        """The exchange's page for someone who opened the link in a browser."""
        defaults: dict[str, Any] = {
            "badge": "",
            "lcw_link": "",
            "interaction_url": "",
            "expires_at": None,
            "retry_after": "",
            "minutes": int(EXCHANGE_TTL.total_seconds() // 60),
        }
        return self.site.pages.response(
            TEMPLATE, status=status, site=self.site, state=state, **{**defaults, **context}
        )

    @staticmethod
    def refusal(exchange: Exchange, now: datetime) -> str | None:
        """Why this exchange cannot hand over its badge now, if it cannot."""
        state = store.state_of(exchange, now)
        if state is not State.LIVE:
            return STATE_PROBLEMS[state]
        if exchange.revoked or exchange.credential is None:
            return "badge-withdrawn"
        return None

    async def hand_over(
        self, exchange_id: str, exchange: Exchange, presentation: object, expected: Expected
    ) -> dict[str, Any] | web.Response:
        """Checks the wallet's DIDAuth, signs the badge to its DID, and spends the exchange."""
        credential = exchange.credential
        assert credential is not None
        now = self.site.clock.now()
        keys = self.publisher.keys.current(exchange.issuer)
        method = self.publisher.verification_method(exchange.issuer, keys.rsa_key_id())
        async with self.checking:
            try:
                holder = await asyncio.to_thread(authenticated_holder, presentation, expected)
            except DidAuthError as error:
                return problem_response("bad-didauth", str(error))
            copy = await asyncio.to_thread(reissued, credential, holder, keys, method, now)
        async with self.site.database.transaction() as session:
            if not await store.claim(session, exchange_id, now):
                late = now >= exchange.expires_at
                return problem_response("exchange-expired" if late else "exchange-used")
        return copy


EXCHANGES_KEY = web.AppKey("wallet_exchanges", Exchanges)


def install(app: web.Application, site: Site, publisher: Publisher) -> None:
    """Puts the exchanges' state on the app; colbot/routes.py adds their address."""
    app[EXCHANGES_KEY] = Exchanges(site, publisher)


async def _json_body(request: web.Request) -> object:
    """The wallet's JSON message; a missing or broken body reads as no message at all."""
    if request.content_length is not None and request.content_length > MAX_MESSAGE_BYTES:
        raise web.HTTPRequestEntityTooLarge(MAX_MESSAGE_BYTES, request.content_length)
    data = await request.content.read(MAX_MESSAGE_BYTES + 1)
    if len(data) > MAX_MESSAGE_BYTES:
        raise web.HTTPRequestEntityTooLarge(MAX_MESSAGE_BYTES, len(data))
    try:
        return json.loads(data) if data.strip() else {}
    except (ValueError, RecursionError):
        return None


async def exchange_page(request: web.Request) -> web.Response:
    """GET: the VC-API interaction (for a wallet), or a page saying what to do with the link."""
    exchanges = request.app[EXCHANGES_KEY]
    busy = exchanges.too_many(request)
    if busy is not None:
        return busy
    exchange_id = request.match_info["exchange"]
    exchange = await exchanges.lookup(exchange_id)
    site = exchanges.site
    if exchange is None:
        if wants_page(request):
            return security.not_found(request)
        return problem_response("unknown-exchange")
    now = site.clock.now()
    refusal = exchanges.refusal(exchange, now)
    if not wants_page(request):
        if refusal is not None:
            return problem_response(refusal)
        return web.json_response(vcapi.protocols(links.exchange_url(site.public_url, exchange_id)))
    if refusal is not None:
        state = store.state_of(exchange, now)
        shown = WITHDRAWN if state is State.LIVE else state.value
        return exchanges.page(shown, status=PROBLEMS[refusal][0])
    return exchanges.page(
        State.LIVE.value,
        badge=exchange.badge_name,
        lcw_link=links.lcw_request_link(site.public_url, exchange_id, exchange.challenge),
        interaction_url=links.interaction_url(site.public_url, exchange_id),
        expires_at=exchange.expires_at,
    )


async def exchange_step(request: web.Request) -> web.Response:
    """POST: {} gets the DIDAuth request; the signed presentation gets the badge, once."""
    exchanges = request.app[EXCHANGES_KEY]
    busy = exchanges.too_many(request)
    if busy is not None:
        return busy
    try:
        body = await _json_body(request)
    except web.HTTPRequestEntityTooLarge:
        return problem_response("too-large")
    exchange_id = request.match_info["exchange"]
    exchange = await exchanges.lookup(exchange_id)
    if exchange is None:
        return problem_response("unknown-exchange")
    site = exchanges.site
    refusal = exchanges.refusal(exchange, site.clock.now())
    if refusal is not None:
        return problem_response(refusal)
    step = vcapi.step_of(body)
    url = links.exchange_url(site.public_url, exchange_id)
    domain = links.domain(site.public_url)
    if step is vcapi.Step.START:
        return web.json_response(vcapi.presentation_request(exchange.challenge, domain, url))
    if step is vcapi.Step.UNKNOWN or not isinstance(body, dict):
        return problem_response("unexpected-message")
    answered = step is vcapi.Step.ANSWER
    presentation = body[vcapi.PRESENTATION] if answered else body
    expected = Expected(exchange.challenge, domain, domain_required=answered)
    handed = await exchanges.hand_over(exchange_id, exchange, presentation, expected)
    if isinstance(handed, web.Response):
        return handed
    # The request link's wallet takes a bare credential, as the wallet's own issuers send it.
    return web.json_response(vcapi.issued(handed) if answered else handed)
