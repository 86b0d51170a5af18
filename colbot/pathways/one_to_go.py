"""One kind message when a followed pathway has a single step left: sent once, never at night."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from colbot.badges.store import Award, BadgeIssuer
from colbot.content.conversations import Conversations
from colbot.delivery import outbox
from colbot.domain.quiet_hours import QuietHours
from colbot.outreach.nudge_rules import NudgeMode
from colbot.outreach.reminders import quiet_hours_for
from colbot.pathways import store
from colbot.pathways.definitions import Pathways
from colbot.pathways.progress import progress
from colbot.pathways.records import records
from colbot.storage.models import ChannelIdentity, YoungPerson


def may_message(person: YoungPerson) -> bool:
    """Whether they want messages like nudges at all: not paused, reachable, nudges not off."""
    return (
        person.nudges != NudgeMode.OFF.value
        and person.paused_at is None
        and person.unreachable_since is None
    )


class OneStepToGo:
    """After a badge, queues the message for each followed pathway that now has one step left.

    The outbox holds it through the young person's quiet hours (or the city's), as it does
    every nudge; the follow row remembers it was queued, so it goes once only.
    """

    def __init__(
        self, pathways: Pathways, content: Conversations, quiet: QuietHours | None
    ) -> None:
        self.pathways = pathways
        self.content = content
        self.quiet = quiet

    async def __call__(
        self, issuer: BadgeIssuer, session: AsyncSession, person: YoungPerson, now: datetime
    ) -> list[Award]:
        """Queues what is due; it issues no badge itself."""
        if not may_message(person):
            return []
        identity = await session.scalar(
            select(ChannelIdentity)
            .where(ChannelIdentity.young_person_id == person.id)
            .order_by(ChannelIdentity.id.desc())
            .limit(1)
        )
        if identity is None:
            return []
        held = None
        for pathway in self.pathways.to_choose():
            row = await store.follow_row(session, person.id, pathway.id)
            if row is None or row.one_to_go_at is not None:
                continue
            if held is None:
                held = await records(session, person.id, issuer.publisher.classes)
            found = progress(pathway, held)
            if found.steps_left != 1 or found.next_step is None:
                continue
            text = self.content.render(
                "pathways.one_to_go", name=pathway.name, next_step=found.next_step.step.name
            )
            await outbox.enqueue(
                session,
                identity.channel,
                identity.external_id,
                text,
                key=f"pathway-one-to-go:{person.id}:{pathway.id}",
                now=now,
                quiet_hours=quiet_hours_for(person, self.quiet),
            )
            row.one_to_go_at = now
        return []
