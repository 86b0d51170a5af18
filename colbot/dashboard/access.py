"""Who may see the dashboard: one-time sign-in links from the bot, then a session for the day.

Only hashes of the link's and the session's secrets are kept, so a copy of the database lets
nobody in.
"""

from __future__ import annotations

import enum
import secrets
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from colbot.domain.secrets import hash_secret
from colbot.storage import audit
from colbot.storage.models import DashboardLink, DashboardSession, Partner, StaffMember

LINK_VALID_FOR = timedelta(minutes=10)
SESSION_LASTS = timedelta(hours=9)  # a working day
SECRET_BYTES = 32


class LinkProblem(enum.StrEnum):
    """Why a sign-in link did not work."""

    UNKNOWN = "unknown"
    USED = "used"
    EXPIRED = "expired"


@dataclass(frozen=True)
class Viewer:
    """Who is signed in: the city team (partner_id None) or staff of one partner."""

    actor: str
    partner_id: int | None
    staff_member_id: int | None
    expires_at: datetime

    @property
    def is_city(self) -> bool:
        return self.partner_id is None


async def create_link(
    session: AsyncSession,
    actor: str,
    channel: str,
    now: datetime,
    member: StaffMember | None = None,
) -> str:
    """A fresh one-time secret for the city's view, or for the staff member's partner."""
    secret = secrets.token_urlsafe(SECRET_BYTES)
    session.add(
        DashboardLink(
            secret_hash=hash_secret(secret),
            actor=actor,
            partner_id=member.partner_id if member else None,
            staff_member_id=member.id if member else None,
            created_at=now,
            expires_at=now + LINK_VALID_FOR,
        )
    )
    scope = f"partner-{member.partner_id}" if member else "city"
    await audit.record(session, now, actor, channel, "dashboard.link", scope)
    return secret


async def use_link(
    session: AsyncSession, secret: str, now: datetime
) -> tuple[str | None, LinkProblem | None]:
    """Spends a link (once, even under a race) and opens a session; its secret, or the problem."""
    link = await session.scalar(
        select(DashboardLink).where(DashboardLink.secret_hash == hash_secret(secret))
    )
    if link is None:
        return None, LinkProblem.UNKNOWN
    if link.used_at is not None:
        return None, LinkProblem.USED
    if link.expires_at <= now:
        return None, LinkProblem.EXPIRED
    spent = await session.execute(
        update(DashboardLink)
        .where(DashboardLink.id == link.id, DashboardLink.used_at.is_(None))
        .values(used_at=now)
    )
    if getattr(spent, "rowcount", 0) != 1:
        return None, LinkProblem.USED
    cookie = secrets.token_urlsafe(SECRET_BYTES)
    session.add(
        DashboardSession(
            secret_hash=hash_secret(cookie),
            actor=link.actor,
            partner_id=link.partner_id,
            staff_member_id=link.staff_member_id,
            created_at=now,
            expires_at=now + SESSION_LASTS,
        )
    )
    await audit.record(session, now, link.actor, "web", "dashboard.signed_in", str(link.id))
    return cookie, None


# Whether someone ("telegram:1234", "webchat:...", "cli:alex") is still on the city team.
StillCityAdmin = Callable[[AsyncSession, str], Awaitable[bool]]


async def viewer(
    session: AsyncSession, cookie: str, now: datetime, still_admin: StillCityAdmin
) -> Viewer | None:
    """Who this cookie belongs to, if the session is live and they may still see the dashboard."""
    found = await session.scalar(
        select(DashboardSession).where(DashboardSession.secret_hash == hash_secret(cookie))
    )
    if found is None or found.ended_at is not None or found.expires_at <= now:
        return None
    if found.partner_id is None and not await still_admin(session, found.actor):
        return None  # no longer on the city team
    if found.staff_member_id is not None:
        member = await session.get(StaffMember, found.staff_member_id)
        if member is None or member.removed_at is not None:
            return None
    return Viewer(found.actor, found.partner_id, found.staff_member_id, found.expires_at)


async def end_session(session: AsyncSession, cookie: str, now: datetime) -> None:
    """Signs a browser out."""
    await session.execute(
        update(DashboardSession)
        .where(
            DashboardSession.secret_hash == hash_secret(cookie), DashboardSession.ended_at.is_(None)
        )
        .values(ended_at=now)
    )


async def partner_by_slug(session: AsyncSession, slug: str) -> Partner | None:
    """A partner named in the address."""
    return await session.scalar(select(Partner).where(Partner.slug == slug))
