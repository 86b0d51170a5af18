"""City admins: one-time invites, joining on any channel, listing and removing."""

from __future__ import annotations

import enum
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import BindParameter, Select, select
from sqlalchemy.ext.asyncio import AsyncSession

from colbot.domain.secrets import hash_secret
from colbot.storage import audit
from colbot.storage.models import CityAdmin, CityAdminInvite

INVITE_VALID_FOR = timedelta(days=7)
INVITE_PREFIX = "a_"
INVITE_SECRET_BYTES = 24
MAX_NAME = 128


class InviteProblem(enum.StrEnum):
    """Why an admin invite could not be used."""

    UNKNOWN = "unknown"
    USED = "used"
    EXPIRED = "expired"


@dataclass(frozen=True)
class Joined:
    """What opening an admin invite did."""

    admin: CityAdmin | None
    problem: InviteProblem | None = None


def is_invite_payload(payload: str) -> bool:
    """Whether a /start payload is a city admin invite."""
    return payload.startswith(INVITE_PREFIX) and len(payload) > len(INVITE_PREFIX)


async def create_invite(session: AsyncSession, name: str, now: datetime, actor: str) -> str:
    """Makes a one-time invite for a named person and returns its payload; only a hash is kept."""
    secret = secrets.token_urlsafe(INVITE_SECRET_BYTES)
    session.add(
        CityAdminInvite(
            name=name[:MAX_NAME],
            secret_hash=hash_secret(secret),
            created_at=now,
            expires_at=now + INVITE_VALID_FOR,
        )
    )
    await audit.record(session, now, actor, "cli", "admin.invited", name=name[:MAX_NAME])
    return INVITE_PREFIX + secret


async def accept_invite(
    session: AsyncSession, payload: str, channel: str, external_id: str, now: datetime
) -> Joined:
    """Makes whoever opened the invite a city admin on the channel they opened it in."""
    invite = await session.scalar(
        select(CityAdminInvite).where(
            CityAdminInvite.secret_hash == hash_secret(payload[len(INVITE_PREFIX) :])
        )
    )
    problem = (
        InviteProblem.UNKNOWN
        if invite is None
        else InviteProblem.USED
        if invite.used_at is not None
        else InviteProblem.EXPIRED
        if invite.expires_at <= now
        else None
    )
    if invite is None or problem is not None:
        await audit.record(session, now, external_id, channel, "admin.refused", reason=str(problem))
        return Joined(None, problem)
    admin = await session.scalar(
        select(CityAdmin).where(CityAdmin.channel == channel, CityAdmin.external_id == external_id)
    )
    if admin is None:
        admin = CityAdmin(channel=channel, external_id=external_id, name=invite.name, joined_at=now)
        session.add(admin)
    admin.name = invite.name
    admin.joined_at = now
    admin.removed_at = None
    await session.flush()
    invite.used_at = now
    invite.used_by_admin_id = admin.id
    await audit.record(session, now, external_id, channel, "admin.joined", str(admin.id))
    return Joined(admin)


def admin_query(
    channel: str | BindParameter[str], external_id: str | BindParameter[str]
) -> Select[tuple[CityAdmin]]:
    """The query for the city admin behind a chat, to run or to nest in another."""
    return select(CityAdmin).where(
        CityAdmin.channel == channel,
        CityAdmin.external_id == external_id,
        CityAdmin.removed_at.is_(None),
    )


async def find_admin(session: AsyncSession, channel: str, external_id: str) -> CityAdmin | None:
    """The city admin behind a chat, if it is one and has not been removed."""
    return await session.scalar(admin_query(channel, external_id))


async def active_admins(session: AsyncSession) -> list[CityAdmin]:
    """Every city admin who signed in through an invite and is still on the team."""
    return list(
        await session.scalars(
            select(CityAdmin).where(CityAdmin.removed_at.is_(None)).order_by(CityAdmin.id)
        )
    )


async def remove_admin(session: AsyncSession, admin_id: int, now: datetime) -> CityAdmin | None:
    """Takes someone off the city team; their chat becomes an ordinary one again."""
    admin = await session.get(CityAdmin, admin_id)
    if admin is None or admin.removed_at is not None:
        return None
    admin.removed_at = now
    await audit.record(session, now, "city", "cli", "admin.removed", str(admin.id))
    return admin
