"""Kind nudges for young people who have gone quiet, each with one fresh recommendation."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy import select

from colbot.content.conversations import Conversations
from colbot.delivery import outbox
from colbot.domain.quiet_hours import QuietHours
from colbot.domain.when import local_when
from colbot.explore.recommend import Recommender
from colbot.outreach.nudge_rules import QUIET_BEFORE_NUDGE, NudgeHistory, NudgeMode, may_nudge
from colbot.outreach.reminders import quiet_hours_for
from colbot.storage.database import Database
from colbot.storage.models import ChannelIdentity, Opportunity, YoungPerson

BATCH = 500


def history(person: YoungPerson) -> NudgeHistory:
    """What the nudge rules need, read from a profile."""
    try:
        mode = NudgeMode(person.nudges)
    except ValueError:
        mode = NudgeMode.NORMAL
    return NudgeHistory(
        mode=mode,
        last_seen_at=person.last_seen_at,
        last_nudged_at=person.last_nudged_at,
        unanswered=person.unanswered_nudges or 0,
        paused=person.paused_at is not None,
        unreachable=person.unreachable_since is not None,
        last_digest_at=person.last_digest_at,
    )


class NudgeSender:
    """Queues at most one nudge per eligible young person per run; the outbox sends it."""

    def __init__(
        self,
        database: Database,
        content: Conversations,
        recommender: Recommender,
        tz: ZoneInfo,
        quiet: QuietHours | None,
        city: str,
    ) -> None:
        self.database = database
        self.content = content
        self.recommender = recommender
        self.tz = tz
        self.quiet = quiet
        self.city = city

    async def enqueue_due(self, now: datetime) -> int:
        """Nudges those quiet for 14 days, within the weekly and three-unanswered limits."""
        queued = 0
        async with self.database.transaction() as session:
            rows = (
                await session.execute(
                    select(YoungPerson, ChannelIdentity)
                    .join(ChannelIdentity, ChannelIdentity.young_person_id == YoungPerson.id)
                    .where(
                        YoungPerson.onboarded_at.is_not(None),
                        YoungPerson.last_seen_at <= now - QUIET_BEFORE_NUDGE,
                        YoungPerson.unanswered_nudges < 3,
                        YoungPerson.paused_at.is_(None),
                        YoungPerson.unreachable_since.is_(None),
                        YoungPerson.nudges != NudgeMode.OFF.value,
                    )
                    .limit(BATCH)
                )
            ).all()
            for person, identity in rows:
                if not may_nudge(history(person), now):
                    continue
                seeker = await self.recommender.seeker(session, person)
                ranked = await self.recommender.ranked(session, seeker, now)
                if not ranked:
                    continue
                opportunity = await session.get(Opportunity, ranked[0].candidate.id)
                assert opportunity is not None
                seen = int(person.last_seen_at.timestamp())
                text = self.content.render(
                    "nudges.nudge",
                    city=self.city,
                    title=opportunity.title,
                    when=local_when(opportunity.starts_at, self.tz),
                )
                await outbox.enqueue(
                    session,
                    identity.channel,
                    identity.external_id,
                    text,
                    key=f"nudge:{person.id}:{seen}:{person.unanswered_nudges or 0}",
                    now=now,
                    expires_at=opportunity.starts_at,
                    quiet_hours=quiet_hours_for(person, self.quiet),
                )
                person.last_nudged_at = now
                person.unanswered_nudges = (person.unanswered_nudges or 0) + 1
                queued += 1
        return queued
