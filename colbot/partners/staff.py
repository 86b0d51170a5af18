"""Who is partner staff this turn, and the partner they work for."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from colbot.chat.turn import Turn
from colbot.storage.models import Partner, StaffMember


def staff_or_refuse(turn: Turn) -> StaffMember | None:
    """The speaker's staff membership, or a polite refusal said to them."""
    member = turn.actor.staff
    if member is None:
        turn.say("staff.not_staff")
    return member


async def partner_of(session: AsyncSession, member: StaffMember) -> Partner:
    """The partner a staff member works for."""
    partner = await session.get(Partner, member.partner_id)
    assert partner is not None
    return partner
