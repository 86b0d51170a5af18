"""The weekly digest: new opportunities matching a young person's passions, if they asked for it."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from colbot.content.conversations import Conversations
from colbot.delivery import outbox
from colbot.domain.quiet_hours import QuietHours
from colbot.domain.when import local_when
from colbot.outreach.nudge_rules import NUDGE_GAP, NudgeMode, may_send_digest
from colbot.outreach.nudges import history
from colbot.outreach.reminders import quiet_hours_for
from colbot.storage.database import Database
from colbot.storage.models import (
    ChannelIdentity,
    Dismissal,
    Opportunity,
    OpportunityPassion,
    SavedItem,
    YoungPerson,
    YoungPersonPassion,
)

BATCH = 500
DIGEST_SIZE = 5
# A digest held by quiet hours is still worth sending the next morning, but not days later.
DIGEST_USEFUL_FOR = timedelta(days=1)


async def new_for(
    session: AsyncSession, person: YoungPerson, since: datetime, now: datetime
) -> list[Opportunity]:
    """Upcoming, open opportunities added since `since` that match their passions, soonest first."""
    theirs = select(YoungPersonPassion.passion_id).where(
        YoungPersonPassion.young_person_id == person.id
    )
    matching = select(OpportunityPassion.opportunity_id).where(
        OpportunityPassion.passion_id.in_(theirs)
    )
    dismissed = select(Dismissal.opportunity_id).where(Dismissal.young_person_id == person.id)
    taken = (
        select(func.count(SavedItem.id))
        .where(SavedItem.opportunity_id == Opportunity.id)
        .scalar_subquery()
    )
    query = select(Opportunity).where(
        Opportunity.created_at > since,
        Opportunity.starts_at > now,
        Opportunity.status == "scheduled",
        Opportunity.is_full.is_(False),
        Opportunity.id.in_(matching),
        Opportunity.id.not_in(dismissed),
        or_(Opportunity.capacity.is_(None), taken < Opportunity.capacity),
    )
    if person.age is not None:
        query = query.where(Opportunity.min_age <= person.age, Opportunity.max_age >= person.age)
    rows = await session.scalars(query.order_by(Opportunity.starts_at).limit(DIGEST_SIZE))
    return list(rows)


class DigestSender:
    """Queues at most one digest a week per young person who switched it on, never an empty one."""

    def __init__(
        self,
        database: Database,
        content: Conversations,
        tz: ZoneInfo,
        quiet: QuietHours | None,
        city: str,
    ) -> None:
        self.database = database
        self.content = content
        self.tz = tz
        self.quiet = quiet
        self.city = city

    async def enqueue_due(self, now: datetime) -> int:
        """Writes this week's digest for everyone due one who has something new to hear about."""
        queued = 0
        async with self.database.transaction() as session:
            rows = (
                await session.execute(
                    select(YoungPerson, ChannelIdentity)
                    .join(ChannelIdentity, ChannelIdentity.young_person_id == YoungPerson.id)
                    .where(
                        YoungPerson.digest.is_(True),
                        YoungPerson.onboarded_at.is_not(None),
                        YoungPerson.paused_at.is_(None),
                        YoungPerson.unreachable_since.is_(None),
                        YoungPerson.nudges != NudgeMode.OFF.value,
                        or_(
                            YoungPerson.last_digest_at.is_(None),
                            YoungPerson.last_digest_at <= now - NUDGE_GAP,
                        ),
                    )
                    .order_by(YoungPerson.id)
                    .limit(BATCH)
                )
            ).all()
            for person, identity in rows:
                if not may_send_digest(history(person), now):
                    continue
                since = person.last_digest_at or now - NUDGE_GAP
                found = await new_for(session, person, since, now)
                if not found:
                    continue
                text = self.content.render(
                    "digest.weekly",
                    city=self.city,
                    items=[
                        {"title": o.title, "when": local_when(o.starts_at, self.tz)} for o in found
                    ],
                )
                last = int(person.last_digest_at.timestamp()) if person.last_digest_at else 0
                await outbox.enqueue(
                    session,
                    identity.channel,
                    identity.external_id,
                    text,
                    key=f"digest:{person.id}:{last}",
                    now=now,
                    expires_at=now + DIGEST_USEFUL_FOR,
                    quiet_hours=quiet_hours_for(person, self.quiet),
                )
                person.last_digest_at = now
                queued += 1
        return queued
