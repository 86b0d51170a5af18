"""Announcements from the city team: who gets one, queueing it, and how far it has got."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from colbot.delivery import outbox
from colbot.domain.quiet_hours import QuietHours
from colbot.outreach.nudge_rules import NudgeMode
from colbot.storage.models import ChannelIdentity, OutboxMessage, YoungPerson, YoungPersonPassion

INSERT_CHUNK = 1000
# What an announcement's outbox key starts with: news waits for a yes, safety goes to everyone.
NEWS = "broadcast"
SAFETY = "safety"


@dataclass(frozen=True)
class Audience:
    """Who a broadcast goes to: everyone onboarded, or those with any of these passions/areas.

    Only those who said yes to messages from colbot get news; a safety message goes to all.
    """

    passions: tuple[str, ...] = ()
    areas: tuple[str, ...] = ()
    safety: bool = False


@dataclass(frozen=True)
class Progress:
    """Where a broadcast has got to."""

    total: int
    sent: int
    deferred: int
    unreachable: int
    dropped: int
    failed: int

    @property
    def settled(self) -> int:
        """Messages with a final outcome."""
        return self.sent + self.unreachable + self.dropped + self.failed

    @property
    def done(self) -> bool:
        """True once every message has an outcome."""
        return self.settled >= self.total


def _recipients_query(audience: Audience) -> Any:
    query = (
        select(
            ChannelIdentity.channel,
            ChannelIdentity.external_id,
            YoungPerson.quiet_hours,
        )
        .join(YoungPerson, YoungPerson.id == ChannelIdentity.young_person_id)
        .where(
            YoungPerson.onboarded_at.is_not(None),
            YoungPerson.unreachable_since.is_(None),
            YoungPerson.paused_at.is_(None),
        )
    )
    if not audience.safety:
        query = query.where(YoungPerson.nudges != NudgeMode.OFF.value)
    wanted = []
    if audience.passions:
        chosen = select(YoungPersonPassion.young_person_id).where(
            YoungPersonPassion.passion_id.in_(audience.passions)
        )
        wanted.append(YoungPerson.id.in_(chosen))
    if audience.areas:
        wanted.append(YoungPerson.area_id.in_(audience.areas))
    if wanted:
        query = query.where(or_(*wanted))
    return query.order_by(YoungPerson.id)


async def count_recipients(session: AsyncSession, audience: Audience) -> int:
    """How many young people a broadcast would reach."""
    subquery = _recipients_query(audience).subquery()
    return await session.scalar(select(func.count()).select_from(subquery)) or 0


async def queue(
    session: AsyncSession,
    batch: str,
    text: str,
    audience: Audience,
    now: datetime,
    default_quiet: QuietHours | None,
) -> int:
    """Writes one outbox message per recipient, keyed so a repeat of the same batch adds none."""
    default = str(default_quiet) if default_quiet is not None else ""
    kind = SAFETY if audience.safety else NEWS
    rows = (await session.execute(_recipients_query(audience))).all()
    values = [
        {
            "idempotency_key": f"{kind}:{batch}:{channel}:{chat_id}",
            "channel": channel,
            "chat_id": chat_id,
            "payload": {"text": text},
            "not_before": now,
            "created_at": now,
            "attempts": 0,
            "status": outbox.PENDING,
            "expires_at": None,
            "quiet_hours": default if quiet is None else quiet,
            "deferred": False,
            "batch": batch,
        }
        for channel, chat_id, quiet in rows
    ]
    for start in range(0, len(values), INSERT_CHUNK):
        await outbox.enqueue_many(session, values[start : start + INSERT_CHUNK])
    return len(values)


async def progress(session: AsyncSession, batch: str) -> Progress:
    """Counts a broadcast's messages by outcome."""
    rows = (
        await session.execute(
            select(OutboxMessage.status, OutboxMessage.deferred, func.count())
            .where(OutboxMessage.batch == batch)
            .group_by(OutboxMessage.status, OutboxMessage.deferred)
        )
    ).all()
    by_status: Counter[str] = Counter()
    deferred = 0
    for status, was_deferred, count in rows:
        by_status[status] += count
        if was_deferred:
            deferred += count
    return Progress(
        total=sum(by_status.values()),
        sent=by_status[outbox.SENT],
        deferred=deferred,
        unreachable=by_status[outbox.UNREACHABLE],
        dropped=by_status[outbox.DROPPED],
        failed=by_status[outbox.FAILED],
    )


def describe(audience: Audience) -> str:
    """A line saying who a broadcast is for."""
    parts = []
    if audience.passions:
        parts.append("passions " + ", ".join(audience.passions))
    if audience.areas:
        parts.append("areas " + ", ".join(audience.areas))
    said_yes = "" if audience.safety else " (only those who said yes to messages from colbot)"
    if not parts:
        return f"everyone who has finished onboarding{said_yes}"
    return " or ".join(parts) + said_yes
