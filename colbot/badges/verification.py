"""Checking badges on the server: colbot answers its own documents itself and fetches no others."""

from __future__ import annotations

import asyncio
import json
import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import TypeVar

import aiohttp
from aiohttp import web

from colbot.badges.forms import SignedForms
from colbot.badges.reach import Reach
from colbot.openbadges.fetching import Fetch
from colbot.openbadges.verdicts import CHECK_REVOCATION, Verdict
from colbot.openbadges.verify import verify
from colbot.web.loopback import loopback_source
from colbot.web.ratelimit import ClientLimits
from colbot.web.site import DocumentSource, Site

FETCH_TIMEOUT_S = 10.0
VALID = "valid"
REVOKED = "revoked"
INVALID = "invalid"
FORM_OB3_PROOF = "ob3-proof"
FORM_OB3_JWT = "ob3-jwt"
FORM_OB2 = "ob2"
CHECKS_AT_ONCE = 2
CHECKS_PER_CLIENT = 20
CHECK_WINDOW_S = 60.0
OWN_VERDICT_KEPT_S = 600.0
OWN_VERDICTS_KEPT = 1_000

Result = TypeVar("Result")


class NotServed(LookupError):
    """A URL no colbot source answers: colbot never fetches from other sites."""


@dataclass(frozen=True)
class OwnDocuments:
    """Where badge checks read documents: colbot's own sources, and only what it publishes."""

    sources: Sequence[DocumentSource]
    reach: Reach

    async def resolve(self, url: str) -> tuple[str, bytes]:
        """The document at one of colbot's own URLs, from the first source that serves it."""
        refusal = self.reach.refusal(url)
        if refusal is not None:
            raise NotServed(refusal)
        for source in self.sources:
            found = await source(url)
            if found is not None:
                return found
        raise NotServed(f"colbot only checks documents it publishes itself, not {url}")


def own_documents(site: Site, request: web.Request, client: aiohttp.ClientSession) -> OwnDocuments:
    """What the checks for one request may read: colbot's sources, then its own server."""
    return OwnDocuments(
        [*site.documents, loopback_source(request, site.public_url, client)],
        Reach(site.public_url, site.internal_hosts),
    )


def bridged_fetch(documents: OwnDocuments, loop: asyncio.AbstractEventLoop) -> Fetch:
    """A blocking fetch for the verifier's thread that asks the sources on the event loop."""

    def fetch(url: str) -> tuple[str, bytes]:
        future = asyncio.run_coroutine_threadsafe(documents.resolve(url), loop)
        return future.result(FETCH_TIMEOUT_S)

    return fetch


async def verify_here(
    data: bytes | str,
    documents: OwnDocuments,
    now: datetime,
    recipient_email: str | None = None,
) -> Verdict:
    """Verifies any badge off the event loop, answering colbot's own URLs without HTTP."""
    fetch = bridged_fetch(documents, asyncio.get_running_loop())
    return await asyncio.to_thread(verify, data, fetch, now, recipient_email)


def outcome(verdicts: Sequence[Verdict]) -> str:
    """Valid when every form is; revoked when any says so; otherwise invalid."""
    if verdicts and all(verdict.valid for verdict in verdicts):
        return VALID
    for verdict in verdicts:
        check = verdict.check(CHECK_REVOCATION)
        if check is not None and not check.passed:
            return REVOKED
    return INVALID


@dataclass(frozen=True)
class BadgeCheck:
    """Every signed form of one stored badge, verified, and what they add up to."""

    forms: tuple[tuple[str, Verdict], ...]
    checked_at: datetime

    @property
    def outcome(self) -> str:
        """valid, revoked or invalid."""
        return outcome([verdict for _, verdict in self.forms])


async def check_stored(forms: SignedForms, documents: OwnDocuments, now: datetime) -> BadgeCheck:
    """Verifies each signed form a badge was issued in, exactly as a stranger would."""
    texts: list[tuple[str, str]] = []
    if forms.ob3_credential is not None:
        texts.append((FORM_OB3_PROOF, json.dumps(forms.ob3_credential)))
    if forms.ob3_jwt:
        texts.append((FORM_OB3_JWT, forms.ob3_jwt))
    if forms.ob2_assertion_jws:
        texts.append((FORM_OB2, forms.ob2_assertion_jws))
    verdicts = await asyncio.gather(*(verify_here(text, documents, now) for _, text in texts))
    return BadgeCheck(
        tuple((name, verdict) for (name, _), verdict in zip(texts, verdicts, strict=True)), now
    )


@dataclass
class CheckGate:
    """Keeps badge checking from crowding out everything else colbot does.

    A few checks run at once (each on a thread, within the canonicalisation budget), each client
    gets a fair share a minute, and the verdicts of colbot's own badges are kept a while, so a
    check page that is shared widely is verified once, not on every view.
    """

    at_once: int = CHECKS_AT_ONCE
    monotonic: Callable[[], float] = time.monotonic
    clients: ClientLimits = field(init=False)
    _running: asyncio.Semaphore = field(init=False)
    _verdicts: OrderedDict[object, tuple[float, BadgeCheck]] = field(
        init=False, default_factory=OrderedDict
    )

    def __post_init__(self) -> None:
        self.clients = ClientLimits(CHECKS_PER_CLIENT, CHECK_WINDOW_S, self.monotonic)
        self._running = asyncio.Semaphore(self.at_once)

    async def run(self, work: Callable[[], Awaitable[Result]]) -> Result:
        """Runs one check when a place is free."""
        async with self._running:
            return await work()

    async def own_badge(self, key: object, work: Callable[[], Awaitable[BadgeCheck]]) -> BadgeCheck:
        """The verdict of one of colbot's own badges, kept for a while under `key`."""
        kept = self._verdicts.get(key)
        if kept is not None and self.monotonic() - kept[0] < OWN_VERDICT_KEPT_S:
            return kept[1]
        check = await self.run(work)
        self._verdicts[key] = (self.monotonic(), check)
        while len(self._verdicts) > OWN_VERDICTS_KEPT:
            self._verdicts.popitem(last=False)
        return check


CHECK_GATE = web.AppKey("badge_check_gate", CheckGate)
