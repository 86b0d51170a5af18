"""Partners and their staff: one-time invites, joining, roles and removal."""

from __future__ import annotations

import enum
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import BindParameter, Select, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from colbot.catalogue import store as catalogue
from colbot.domain.secrets import hash_secret
from colbot.storage import audit
from colbot.storage.models import Partner, StaffInvite, StaffMember

INVITE_VALID_FOR = timedelta(days=7)
INVITE_PREFIX = "i_"
INVITE_SECRET_BYTES = 24


class InviteProblem(enum.StrEnum):
    """Why an invite could not be used."""

    UNKNOWN = "unknown"
    USED = "used"
    EXPIRED = "expired"
    ALREADY_STAFF = "already_staff"


@dataclass(frozen=True)
class Joined:
    """The outcome of opening an invite link."""

    partner: Partner | None
    staff: StaffMember | None
    problem: InviteProblem | None = None


def invite_link(bot_username: str, payload: str) -> str:
    """The t.me link that opens the bot with the invite."""
    return f"https://t.me/{bot_username}?start={payload}"


async def add_partner(
    session: AsyncSession,
    name: str,
    now: datetime,
    website: str | None = None,
    email: str | None = None,
    actor: str = "city",
    channel: str = "cli",
) -> Partner:
    """Creates a partner (or updates the details of one with the same name)."""
    partner = await catalogue.upsert_partner(session, name, now, website=website, email=email)
    await audit.record(session, now, actor, channel, "partner.added", partner.slug, name=name)
    return partner


async def list_partners(session: AsyncSession) -> list[tuple[Partner, int]]:
    """Every partner with how many active staff it has."""
    rows = await session.execute(
        select(Partner, func.count(StaffMember.id))
        .outerjoin(
            StaffMember,
            (StaffMember.partner_id == Partner.id) & StaffMember.removed_at.is_(None),
        )
        .group_by(Partner.id)
        .order_by(Partner.name)
    )
    return [(partner, count) for partner, count in rows.tuples()]


async def create_invite(
    session: AsyncSession, partner: Partner, now: datetime, actor: str, channel: str
) -> str:
    """Makes a one-time invite and returns its payload; only a hash of it is stored."""
    secret = secrets.token_urlsafe(INVITE_SECRET_BYTES)
    session.add(
        StaffInvite(
            partner_id=partner.id,
            secret_hash=hash_secret(secret),
            created_by=actor,
            created_at=now,
            expires_at=now + INVITE_VALID_FOR,
        )
    )
    await audit.record(session, now, actor, channel, "invite.created", partner.slug)
    return INVITE_PREFIX + secret


def is_invite_payload(payload: str) -> bool:
    """Whether a /start payload is an invite."""
    return payload.startswith(INVITE_PREFIX) and len(payload) > len(INVITE_PREFIX)


async def accept_invite(
    session: AsyncSession,
    payload: str,
    channel: str,
    external_id: str,
    display_name: str,
    now: datetime,
) -> Joined:
    """Makes the opener a staff member of the invite's partner; the first one is its admin."""
    invite = await session.scalar(
        select(StaffInvite).where(
            StaffInvite.secret_hash == hash_secret(payload[len(INVITE_PREFIX) :])
        )
    )
    if invite is None:
        await audit.record(session, now, external_id, channel, "invite.refused", reason="unknown")
        return Joined(None, None, InviteProblem.UNKNOWN)
    partner = await session.get(Partner, invite.partner_id)
    assert partner is not None
    if invite.used_at is not None:
        problem = InviteProblem.USED
    elif invite.expires_at <= now:
        problem = InviteProblem.EXPIRED
    elif await staff_member(session, channel, external_id, partner.id) is not None:
        problem = InviteProblem.ALREADY_STAFF
    else:
        problem = None
    if problem is not None:
        await audit.record(
            session, now, external_id, channel, "invite.refused", partner.slug, reason=problem.value
        )
        return Joined(partner, None, problem)
    has_staff = await session.scalar(
        select(func.count())
        .select_from(StaffMember)
        .where(StaffMember.partner_id == partner.id, StaffMember.removed_at.is_(None))
    )
    removed = await session.scalar(
        select(StaffMember).where(
            StaffMember.partner_id == partner.id,
            StaffMember.channel == channel,
            StaffMember.external_id == external_id,
        )
    )
    staff = removed or StaffMember(partner_id=partner.id, channel=channel, external_id=external_id)
    staff.display_name = display_name[:128] or None
    staff.is_admin = not has_staff
    staff.joined_at = now
    staff.removed_at = None
    session.add(staff)
    await session.flush()
    invite.used_at = now
    invite.used_by_staff_id = staff.id
    await audit.record(
        session, now, external_id, channel, "staff.joined", partner.slug, admin=staff.is_admin
    )
    return Joined(partner, staff)


def staff_member_query(
    channel: str | BindParameter[str],
    external_id: str | BindParameter[str],
    partner_id: int | None = None,
) -> Select[tuple[StaffMember]]:
    """The query for a chat user's newest active staff membership, to run or to nest in another."""
    query = select(StaffMember).where(
        StaffMember.channel == channel,
        StaffMember.external_id == external_id,
        StaffMember.removed_at.is_(None),
    )
    if partner_id is not None:
        query = query.where(StaffMember.partner_id == partner_id)
    return query.order_by(StaffMember.joined_at.desc()).limit(1)


async def staff_member(
    session: AsyncSession, channel: str, external_id: str, partner_id: int | None = None
) -> StaffMember | None:
    """The active staff membership of this chat user (of one partner, if given)."""
    return await session.scalar(staff_member_query(channel, external_id, partner_id))


async def active_staff(session: AsyncSession, partner_id: int) -> list[StaffMember]:
    """A partner's current staff, admins first."""
    return list(
        await session.scalars(
            select(StaffMember)
            .where(StaffMember.partner_id == partner_id, StaffMember.removed_at.is_(None))
            .order_by(StaffMember.is_admin.desc(), StaffMember.joined_at)
        )
    )


async def remove_staff(
    session: AsyncSession, by: StaffMember, staff_id: int, now: datetime
) -> StaffMember | None:
    """Removes a staff member of the same partner; only a partner admin may."""
    target = await session.get(StaffMember, staff_id)
    if (
        target is None
        or not by.is_admin
        or target.partner_id != by.partner_id
        or target.removed_at is not None
        or target.id == by.id
    ):
        return None
    target.removed_at = now
    await audit.record(session, now, by.external_id, by.channel, "staff.removed", str(target.id))
    return target
