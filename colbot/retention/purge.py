"""The retention job: warns and erases quiet profiles and deletes what has outlived its period.

One run is one transaction under a lock every process shares, so two runs at once (two
processes, or a run by hand beside `colbot serve`) take turns and the second finds nothing left
to do. It logs counts only, never whom.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from sqlalchemy import delete, func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from colbot.content.conversations import Conversations
from colbot.delivery import outbox
from colbot.domain.quiet_hours import QuietHours
from colbot.outreach.reminders import quiet_hours_for
from colbot.people import privacy
from colbot.retention import backups
from colbot.retention.schedule import Retention
from colbot.storage.database import Database
from colbot.storage.models import (
    AuditEntry,
    ChannelIdentity,
    DashboardLink,
    DashboardSession,
    OutboxMessage,
    StaffInvite,
    WalletExchange,
    WebChatFile,
    WebChatMessage,
    WebChatMove,
    WebChatMoveFailure,
    YoungPerson,
)
from colbot.storage.models.team import CityAdminInvite

log = logging.getLogger(__name__)

BATCH = 500
LOCK = "retention"
# What an audit record says instead of the young person it named, once its period is over.
PSEUDONYM = "young-person"
# Safeguarding alerts stay as the safeguarding lead's record (see privacy.erase).
KEPT_OUTBOX_KEYS = ("report:", f"{privacy.ERASED}:")
# The kinds of data a run counts, in the order they are reported.
KINDS = (
    "profiles_warned",
    "profiles_erased",
    "outbox_messages",
    "webchat_messages",
    "webchat_files",
    "sign_in_links",
    "personal_links",
    "audit_records",
    "backups",
)


class _DryRun(Exception):
    """Raised inside a dry run's transaction so that nothing it did is kept."""


@dataclass
class Purge:
    """What the retention job needs: the database, the schedule and the words of the warning."""

    database: Database
    retention: Retention
    content: Conversations
    tz: ZoneInfo
    quiet: QuietHours | None
    city: str
    backup_dir: Path

    async def run(self, now: datetime, dry_run: bool = False) -> dict[str, int]:
        """Does one run (or, dry, counts what it would do); returns counts per kind."""
        counts = dict.fromkeys(KINDS, 0)
        try:
            async with self.database.transaction() as session:
                await self.database.hold(session, LOCK)
                await self._in(session, now, counts)
                if dry_run:
                    raise _DryRun
        except _DryRun:
            pass
        counts["backups"] = backups.prune(
            self.backup_dir, now, self.retention.backups, self.retention.backup_count, dry_run
        )
        if not dry_run and any(counts.values()):
            log.info(
                "retention: %s",
                ", ".join(f"{kind} {count}" for kind, count in counts.items() if count),
            )
        return counts

    async def _in(self, session: AsyncSession, now: datetime, counts: dict[str, int]) -> None:
        r = self.retention
        counts["profiles_warned"] = await self._warn(session, now)
        counts["profiles_erased"] = await self._erase(session, now)
        counts["outbox_messages"] = await _deleted(
            session,
            delete(OutboxMessage).where(
                OutboxMessage.status != outbox.PENDING,
                func.coalesce(OutboxMessage.sent_at, OutboxMessage.created_at) < now - r.outbox,
                *(OutboxMessage.idempotency_key.not_like(f"{k}%") for k in KEPT_OUTBOX_KEYS),
            ),
        )
        counts["webchat_messages"] = await _deleted(
            session, delete(WebChatMessage).where(WebChatMessage.created_at < now - r.webchat)
        )
        counts["webchat_files"] = await _deleted(
            session, delete(WebChatFile).where(WebChatFile.created_at < now - r.webchat)
        )
        links = now - r.sign_in_links
        counts["sign_in_links"] = sum(
            [
                await _deleted(session, delete(model).where(func.coalesce(used, ended) < links))
                for model, used, ended in (
                    (DashboardLink, DashboardLink.used_at, DashboardLink.expires_at),
                    (DashboardSession, DashboardSession.ended_at, DashboardSession.expires_at),
                    (StaffInvite, StaffInvite.used_at, StaffInvite.expires_at),
                    (CityAdminInvite, CityAdminInvite.used_at, CityAdminInvite.expires_at),
                )
            ]
        )
        personal = now - r.personal_links
        counts["personal_links"] = sum(
            [
                await _deleted(
                    session,
                    delete(WalletExchange).where(
                        func.coalesce(WalletExchange.used_at, WalletExchange.expires_at) < personal
                    ),
                ),
                await _deleted(
                    session, delete(WebChatMove).where(WebChatMove.expires_at < personal)
                ),
                await _deleted(
                    session, delete(WebChatMoveFailure).where(WebChatMoveFailure.at < personal)
                ),
            ]
        )
        counts["audit_records"] = await _pseudonymise_audit(session, now - r.audit)

    async def _warn(self, session: AsyncSession, now: datetime) -> int:
        """Tells each newly due profile, once, the date it goes and that a reply keeps it."""
        r = self.retention
        due = list(
            await session.scalars(
                select(YoungPerson)
                .where(
                    YoungPerson.retention_warned_at.is_(None),
                    YoungPerson.last_seen_at <= now - (r.inactive - r.warning),
                )
                .order_by(YoungPerson.id)
                .limit(BATCH)
            )
        )
        for person in due:
            erase_on = r.erase_on(person.last_seen_at, now)
            local = erase_on.astimezone(self.tz)
            text = self.content.render(
                "retention.warning",
                city=self.city,
                date=f"{local:%A} {local.day} {local:%B %Y}",
            )
            chats = await session.execute(
                select(ChannelIdentity.channel, ChannelIdentity.external_id).where(
                    ChannelIdentity.young_person_id == person.id
                )
            )
            for channel, chat_id in chats:
                await outbox.enqueue(
                    session,
                    channel,
                    chat_id,
                    text,
                    key=f"retention:{person.id}:{int(person.last_seen_at.timestamp())}:{chat_id}",
                    now=now,
                    expires_at=erase_on,
                    quiet_hours=quiet_hours_for(person, self.quiet),
                )
            person.retention_warned_at = now
        return len(due)

    async def _erase(self, session: AsyncSession, now: datetime) -> int:
        """Erases each warned profile whose notice has run out without a word from them."""
        r = self.retention
        due = list(
            await session.scalars(
                select(YoungPerson)
                .where(
                    YoungPerson.retention_warned_at <= now - r.warning,
                    YoungPerson.last_seen_at <= now - r.inactive,
                )
                .order_by(YoungPerson.id)
                .limit(BATCH)
            )
        )
        for person in due:
            # Nobody asked them to keep their badges working, so they go as /delete's "yes".
            await privacy.delete_profile(session, person, now, keep_badges=False)
        return len(due)


async def _deleted(session: AsyncSession, statement: object) -> int:
    result = await session.execute(statement)  # type: ignore[call-overload]
    return int(result.rowcount or 0)


async def _pseudonymise_audit(session: AsyncSession, before: datetime) -> int:
    """Takes young people's references and chat ids out of audit records older than `before`."""
    references = select(YoungPerson.public_id)
    chat_ids = select(ChannelIdentity.external_id)
    named_actor = or_(AuditEntry.actor.in_(references), AuditEntry.actor.in_(chat_ids))
    named_subject = or_(AuditEntry.subject.in_(references), AuditEntry.subject.in_(chat_ids))
    ids = list(
        await session.scalars(
            select(AuditEntry.id).where(AuditEntry.at < before, or_(named_actor, named_subject))
        )
    )
    for start in range(0, len(ids), BATCH):
        chunk = AuditEntry.id.in_(ids[start : start + BATCH])
        await session.execute(
            update(AuditEntry).where(chunk, named_actor).values(actor=PSEUDONYM, detail={})
        )
        await session.execute(
            update(AuditEntry).where(chunk, named_subject).values(subject=PSEUDONYM, detail={})
        )
    return len(ids)
