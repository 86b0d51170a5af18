"""Telling people, once, when a session they saved or will be reminded of is off, put off or
moved, and again when a put-off session gets its new date."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy import or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from colbot.catalogue.store import CANCELLED, DELETED, POSTPONED, SCHEDULED
from colbot.content.conversations import Conversations
from colbot.delivery import outbox
from colbot.domain.quiet_hours import QuietHours
from colbot.domain.when import local_when
from colbot.outreach.reminders import quiet_hours_for
from colbot.storage.models import ChannelIdentity, Opportunity, Reminder, SavedItem, YoungPerson


class SessionChanges:
    """Writes "cancelled", "put off" or "moved" messages to the outbox, once per person."""

    def __init__(self, content: Conversations, tz: ZoneInfo, quiet: QuietHours | None) -> None:
        self.content = content
        self.tz = tz
        self.quiet = quiet

    async def tell(
        self,
        session: AsyncSession,
        opportunity: Opportunity,
        was_status: str,
        was_start: datetime,
        now: datetime,
    ) -> int:
        """Tells everyone it concerns what changed, if it did; and moves, holds or stops reminders.

        A put-off session's reminders are held (the reminder job skips them) and move to its new
        date when it has one; a cancelled or deleted session's are stopped.
        """
        kind = _change(opportunity, was_status, was_start, now)
        if kind is None:
            return 0
        reminders = list(
            await session.scalars(
                select(Reminder).where(
                    Reminder.opportunity_id == opportunity.id,
                    Reminder.sent_at.is_(None),
                    Reminder.cancelled_at.is_(None),
                )
            )
        )
        for reminder in reminders:
            if kind in {"moved", "rescheduled"}:
                reminder.due_at += opportunity.starts_at - was_start
            elif kind == "cancelled":
                reminder.cancelled_at = now
        reminded = {reminder.young_person_id for reminder in reminders}
        saved = select(SavedItem.young_person_id).where(SavedItem.opportunity_id == opportunity.id)
        people = await session.execute(
            select(YoungPerson, ChannelIdentity)
            .join(ChannelIdentity, ChannelIdentity.young_person_id == YoungPerson.id)
            .where(
                or_(
                    YoungPerson.id.in_(reminded),
                    YoungPerson.id.in_(saved),
                ),
                YoungPerson.unreachable_since.is_(None),
                YoungPerson.paused_at.is_(None),
            )
        )
        told = 0
        for person, identity in people.tuples():
            text = self.content.render(
                f"reminders.session_{kind}",
                title=opportunity.title,
                when=local_when(
                    was_start if kind in {"cancelled", "postponed"} else opportunity.starts_at,
                    self.tz,
                ),
                was=local_when(was_start, self.tz),
                reminded=person.id in reminded,
            )
            await outbox.enqueue(
                session,
                identity.channel,
                identity.external_id,
                text,
                # Once per person and change: the same feed read again says nothing new.
                key=f"session-{kind}:{opportunity.id}:{person.id}:{opportunity.starts_at.isoformat()}",
                now=now,
                quiet_hours=quiet_hours_for(person, self.quiet),
            )
            told += 1
        return told


def _change(
    opportunity: Opportunity, was_status: str, was_start: datetime, now: datetime
) -> str | None:
    """What an import did to a session people may be waiting for, or None if nothing to tell."""
    if was_status == POSTPONED and opportunity.status == SCHEDULED:
        return "rescheduled" if opportunity.starts_at > now else None
    if was_status != SCHEDULED or was_start <= now:
        return None
    if opportunity.status in {CANCELLED, DELETED}:
        return "cancelled"
    if opportunity.status != SCHEDULED:
        return "postponed"
    if opportunity.starts_at != was_start:
        return "moved"
    return None
