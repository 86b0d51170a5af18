"""The audit log and the outbox: what happened, and what colbot has still to say."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Boolean, Index, Integer, String, Text, false
from sqlalchemy.orm import Mapped, mapped_column

from colbot.storage.models.base import Base, UTCDateTime
from colbot.storage.models.personal_data import (
    NOT_PERSONAL,
    Basis,
    Kept,
    Subject,
    Viewer,
    table_declaration,
)

_AUDIT = table_declaration(
    Basis.LEGITIMATE_INTERESTS, (Viewer.OPERATORS,), Kept.AUDIT, Subject.ANYONE
)


class AuditEntry(Base):
    """Who did what, when, from which channel."""

    __tablename__ = "audit_log"
    # Counting recent wrong codes (the spike alert) reads a range of this, not every entry.
    __table_args__ = (Index("ix_audit_log_action_at", "action", "at"),)

    id: Mapped[int] = mapped_column(primary_key=True, info=NOT_PERSONAL)
    at: Mapped[datetime] = mapped_column(
        UTCDateTime, index=True, info=_AUDIT.because("when it happened")
    )
    actor: Mapped[str] = mapped_column(
        String(128),
        index=True,
        info=_AUDIT.because(
            "who did it (a chat account, a staff member or the city team), to trace misuse"
        ),
    )
    channel: Mapped[str] = mapped_column(String(16), info=_AUDIT.because("which app it came from"))
    action: Mapped[str] = mapped_column(
        String(64), index=True, info=_AUDIT.because("what was done")
    )
    subject: Mapped[str] = mapped_column(
        String(128),
        default="",
        info=_AUDIT.because("what it was done to, which can be a young person's reference"),
    )
    detail: Mapped[dict[str, Any]] = mapped_column(
        JSON,
        default=dict,
        info=_AUDIT.because("the facts of the action (such as a wrong code); never message text"),
    )


_OUTBOX = table_declaration(Basis.CONSENT, (Viewer.OPERATORS,), Kept.OUTBOX)


class OutboxMessage(Base):
    """A message colbot decided to send on its own, sent once by whoever drains the outbox."""

    __tablename__ = "outbox"

    id: Mapped[int] = mapped_column(primary_key=True, info=NOT_PERSONAL)
    idempotency_key: Mapped[str] = mapped_column(
        String(200),
        unique=True,
        info=_OUTBOX.because("so a message is sent once; names the chat it is for"),
    )
    channel: Mapped[str] = mapped_column(
        String(16), info=_OUTBOX.because("which app to send it through")
    )
    chat_id: Mapped[str] = mapped_column(
        String(64),
        index=True,
        info=_OUTBOX.because("the chat (or e-mail address, for safeguarding alerts) to send it to"),
    )
    payload: Mapped[dict[str, Any]] = mapped_column(
        JSON,
        info=_OUTBOX.because(
            "the message itself: a reminder they asked for, news, or a safeguarding alert to "
            "the city team (on vital interests)"
        ),
    )
    not_before: Mapped[datetime] = mapped_column(
        UTCDateTime, index=True, info=_OUTBOX.because("not sent before this (their quiet hours)")
    )
    created_at: Mapped[datetime] = mapped_column(
        UTCDateTime, info=_OUTBOX.because("when colbot decided to send it")
    )
    sent_at: Mapped[datetime | None] = mapped_column(
        UTCDateTime, index=True, info=_OUTBOX.because("when it was sent")
    )
    attempts: Mapped[int] = mapped_column(
        Integer, default=0, info=_OUTBOX.because("how often sending was tried")
    )
    last_error: Mapped[str | None] = mapped_column(
        Text, info=_OUTBOX.because("why the last try failed")
    )
    # pending -> sent, or dropped (too late to be useful), unreachable (403) or failed.
    status: Mapped[str] = mapped_column(
        String(16),
        default="pending",
        server_default="pending",
        index=True,
        info=_OUTBOX.because("whether it was sent"),
    )
    # Set just before the API call, so a crash leaves in-flight messages visible.
    claimed_at: Mapped[datetime | None] = mapped_column(
        UTCDateTime, info=_OUTBOX.because("so two processes never send it twice")
    )
    expires_at: Mapped[datetime | None] = mapped_column(
        UTCDateTime, info=_OUTBOX.because("when it is too late to be useful")
    )
    quiet_hours: Mapped[str | None] = mapped_column(
        String(16), info=_OUTBOX.because("their quiet hours when it was queued")
    )
    deferred: Mapped[bool] = mapped_column(
        Boolean,
        default=False,
        server_default=false(),
        info=_OUTBOX.because("whether it waited for their quiet hours"),
    )
    batch: Mapped[str | None] = mapped_column(
        String(64),
        index=True,
        info=_OUTBOX.because("the broadcast it belongs to, to report how it went"),
    )
