"""Exchanges kept between the chat that opens them and the wallet that uses them, once."""

from __future__ import annotations

import hashlib
import secrets
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import Enum
from typing import Any

from sqlalchemy import delete, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from colbot.storage.models import IssuedBadge, WalletExchange

EXCHANGE_TTL = timedelta(minutes=10)
# Kept a day past their end, so a late wallet hears "expired" or "used", not "unknown".
KEPT_AFTER_EXPIRY = timedelta(days=1)
EXCHANGE_ID_BYTES = 32


class State(Enum):
    """Where an exchange is: waiting for its wallet, done, or past its ten minutes."""

    LIVE = "live"
    USED = "used"
    EXPIRED = "expired"


@dataclass(frozen=True)
class Opened:
    """A new exchange as its links need it; its id exists nowhere else once this is dropped."""

    exchange_id: str
    challenge: str
    expires_at: datetime


def id_hash(exchange_id: str) -> str:
    """What the table keeps of an exchange id: enough to find it, nothing to use it with."""
    return hashlib.sha256(exchange_id.encode("ascii")).hexdigest()


@dataclass(frozen=True)
class Exchange:
    """An exchange as read, with the badge it hands over, kept after the session closes."""

    challenge: str
    expires_at: datetime
    used_at: datetime | None
    badge_name: str
    issuer: str
    credential: dict[str, Any] | None
    revoked: bool


def state_of(exchange: Exchange, now: datetime) -> State:
    """Used beats expired: a wallet that got its badge is told so whenever it comes back."""
    if exchange.used_at is not None:
        return State.USED
    return State.LIVE if now < exchange.expires_at else State.EXPIRED


async def open_exchange(session: AsyncSession, badge: IssuedBadge, now: datetime) -> Opened:
    """A one-time exchange for one badge, live for ten minutes; long-dead ones are forgotten."""
    await session.execute(
        delete(WalletExchange).where(WalletExchange.expires_at < now - KEPT_AFTER_EXPIRY)
    )
    exchange_id = secrets.token_urlsafe(EXCHANGE_ID_BYTES)
    # A UUID, as the wallet's own request links carry (and as it invents when given none).
    challenge = str(uuid.uuid4())
    expires_at = now + EXCHANGE_TTL
    session.add(
        WalletExchange(
            id_hash=id_hash(exchange_id),
            issued_badge_id=badge.id,
            challenge=challenge,
            created_at=now,
            expires_at=expires_at,
        )
    )
    return Opened(exchange_id, challenge, expires_at)


async def find(session: AsyncSession, exchange_id: str) -> Exchange | None:
    """The exchange an id opens, and its badge, if any."""
    row = (
        await session.execute(
            select(WalletExchange, IssuedBadge)
            .join(IssuedBadge, IssuedBadge.id == WalletExchange.issued_badge_id)
            .where(WalletExchange.id_hash == id_hash(exchange_id))
        )
    ).first()
    if row is None:
        return None
    exchange, badge = row
    return Exchange(
        challenge=exchange.challenge,
        expires_at=exchange.expires_at,
        used_at=exchange.used_at,
        badge_name=badge.name,
        issuer=badge.issuer_id,
        credential=badge.ob3_credential,
        revoked=badge.revoked_at is not None,
    )


async def claim(session: AsyncSession, exchange_id: str, now: datetime) -> bool:
    """Marks the exchange used, if it still was live: of two wallets racing, one wins."""
    result = await session.execute(
        update(WalletExchange)
        .where(
            WalletExchange.id_hash == id_hash(exchange_id),
            WalletExchange.used_at.is_(None),
            WalletExchange.expires_at > now,
        )
        .values(used_at=now)
    )
    return bool(getattr(result, "rowcount", 0) == 1)
