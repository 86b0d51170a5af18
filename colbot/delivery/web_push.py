"""Web Push for the web chat: colbot's VAPID key, browsers' subscriptions, and the doorbell.

A notification only says there is something new; the message itself is already kept in the
chat (table `webchat_messages`), so a push that fails or never arrives loses nothing.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import aiohttp
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from py_vapid import Vapid02
from pywebpush import WebPushException, webpush_async
from sqlalchemy import delete, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from colbot.delivery.push_payloads import (
    TIME_TO_LIVE_S,
    TOPIC,
    Subscription,
    b64url,
    endpoint_hash,
    notification,
)
from colbot.storage.database import Database
from colbot.storage.models import WebPushSubscription
from colbot.storage.private_files import create_once

log = logging.getLogger(__name__)

VAPID_FILE = Path("webpush") / "vapid.pem"
SEND_TIMEOUT_S = 10.0
# 404 and 410 mean the browser dropped the subscription (RFC 8030 section 7.3).
GONE = frozenset({404, 410})
MAX_PARALLEL_PUSHES = 8


@dataclass(frozen=True)
class VapidKey:
    """colbot's application server key (RFC 8292): it signs every push, one per city."""

    vapid: Vapid02
    public_key: str

    @classmethod
    def load_or_create(cls, data_dir: Path) -> VapidKey:
        """The key in COLBOT_DATA_DIR, made on first use (owner-only; the first process wins)."""
        path = data_dir / VAPID_FILE
        if not path.exists():
            private = ec.generate_private_key(ec.SECP256R1())
            pem = private.private_bytes(
                serialization.Encoding.PEM,
                serialization.PrivateFormat.PKCS8,
                serialization.NoEncryption(),
            )
            if create_once(path, pem):
                log.info("made the Web Push (VAPID) key")
        vapid = Vapid02.from_pem(path.read_bytes())
        point = vapid.public_key.public_bytes(
            serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
        )
        return cls(vapid, b64url(point))


async def subscribe(
    session: AsyncSession, device: str, chat_id: str, subscription: Subscription, now: datetime
) -> None:
    """Notifies this browser of its chat from now on; the same endpoint again just updates it."""
    row = await session.get(WebPushSubscription, subscription.endpoint_hash)
    if row is None:
        session.add(
            WebPushSubscription(
                endpoint_hash=subscription.endpoint_hash,
                endpoint=subscription.endpoint,
                device=device,
                chat_id=chat_id,
                p256dh=subscription.p256dh,
                auth=subscription.auth,
                created_at=now,
            )
        )
        return
    row.device, row.chat_id = device, chat_id
    row.p256dh, row.auth = subscription.p256dh, subscription.auth


async def unsubscribe(session: AsyncSession, device: str, endpoint: str | None = None) -> int:
    """Stops notifying this browser (one endpoint of it, or all); how many were dropped."""
    query = delete(WebPushSubscription).where(WebPushSubscription.device == device)
    if endpoint is not None:
        query = query.where(WebPushSubscription.endpoint_hash == endpoint_hash(endpoint))
    result = await session.execute(query)
    return int(getattr(result, "rowcount", 0) or 0)


async def for_chat(session: AsyncSession, chat_id: str) -> list[Subscription]:
    """Every browser to notify for a chat."""
    rows = await session.scalars(
        select(WebPushSubscription).where(WebPushSubscription.chat_id == chat_id)
    )
    return [Subscription(r.endpoint, r.p256dh, r.auth) for r in rows]


async def count_for_chats(session: AsyncSession, chat_ids: Iterable[str]) -> int:
    """How many browsers have notifications on for these chats (for /mydata)."""
    counted = await session.scalar(
        select(func.count())
        .select_from(WebPushSubscription)
        .where(WebPushSubscription.chat_id.in_(list(chat_ids)))
    )
    return int(counted or 0)


async def forget_chats(session: AsyncSession, chat_ids: Iterable[str]) -> None:
    """No browser is notified for these chats any more (their young person erased their data)."""
    chats = list(chat_ids)
    if chats:
        await session.execute(
            delete(WebPushSubscription).where(WebPushSubscription.chat_id.in_(chats))
        )


async def follow_move(session: AsyncSession, device: str, chat_id: str) -> None:
    """A chat moved to this browser: its old browsers stop, this one's notifications follow it."""
    await session.execute(
        delete(WebPushSubscription).where(
            WebPushSubscription.chat_id == chat_id, WebPushSubscription.device != device
        )
    )
    await session.execute(
        update(WebPushSubscription)
        .where(WebPushSubscription.device == device)
        .values(chat_id=chat_id)
    )


class WebPusher:
    """Rings a chat's browsers through their push services, in the background, never twice."""

    def __init__(self, database: Database, data_dir: Path, subject: str) -> None:
        self.database = database
        self.data_dir = data_dir
        self.subject = subject
        self._key: VapidKey | None = None
        self._session: aiohttp.ClientSession | None = None
        self._tasks: set[asyncio.Task[None]] = set()
        self._parallel: asyncio.Semaphore | None = None

    @property
    def key(self) -> VapidKey:
        """colbot's VAPID key, read (or made) when first needed."""
        if self._key is None:
            self._key = VapidKey.load_or_create(self.data_dir)
        return self._key

    def ring(self, chat_id: str, title: str, text: str, url: str) -> None:
        """Starts notifying the chat's browsers; the caller (the outbox) does not wait."""
        task = asyncio.get_running_loop().create_task(
            self._ring(chat_id, notification(title, text, url))
        )
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def settled(self) -> None:
        """Waits for every notification under way (tests, and a clean stop)."""
        while self._tasks:
            await asyncio.gather(*list(self._tasks), return_exceptions=True)

    async def close(self) -> None:
        """Finishes what is under way and closes the HTTP client."""
        await self.settled()
        if self._session is not None:
            await self._session.close()
            self._session = None

    def _client(self) -> aiohttp.ClientSession:
        if self._session is None:
            self._session = aiohttp.ClientSession(
                timeout=aiohttp.ClientTimeout(total=SEND_TIMEOUT_S)
            )
        return self._session

    async def _ring(self, chat_id: str, payload: bytes) -> None:
        if self._parallel is None:
            self._parallel = asyncio.Semaphore(MAX_PARALLEL_PUSHES)
        # A broadcast rings thousands of chats at once: a few at a time keeps the database's
        # connection pool and the push services unhurried.
        async with self._parallel:
            async with self.database.reading() as session:
                subscriptions = await for_chat(session, chat_id)
            gone = [s.endpoint_hash for s in subscriptions if not await self._send(s, payload)]
        if gone:
            async with self.database.transaction() as session:
                await session.execute(
                    delete(WebPushSubscription).where(WebPushSubscription.endpoint_hash.in_(gone))
                )

    async def _send(self, subscription: Subscription, payload: bytes) -> bool:
        """Sends one push; False when the push service says the subscription has gone."""
        claims: dict[str, Any] = {"sub": self.subject}
        try:
            await webpush_async(
                subscription.as_info(),
                data=payload.decode(),
                vapid_private_key=self.key.vapid,
                vapid_claims=claims,
                ttl=TIME_TO_LIVE_S,
                headers={"Urgency": "normal", "Topic": TOPIC},
                timeout=aiohttp.ClientTimeout(total=SEND_TIMEOUT_S),
                aiohttp_session=self._client(),
            )
        except WebPushException as error:
            status = error.response.status if error.response is not None else None
            if status in GONE:
                log.info("a browser's push subscription has gone (%s); forgetting it", status)
                return False
            log.warning(
                "a Web Push notification was refused (%s); the message waits in the chat", status
            )
        except (aiohttp.ClientError, TimeoutError) as error:
            log.warning("could not reach a push service (%r); the message waits in the chat", error)
        return True
