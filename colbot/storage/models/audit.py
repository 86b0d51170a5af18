"""The audit log and the outbox: what happened, and what colbot has still to say."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Boolean, Index, Integer, String, Text, false
from sqlalchemy.orm import Mapped, mapped_column

from colbot.storage.models.base import Base, UTCDateTime


class AuditEntry(Base):
    """Who did what, when, from which channel."""

    __tablename__ = "audit_log"
    # Counting recent wrong codes (the spike alert) reads a range of this, not every entry.
    __table_args__ = (Index("ix_audit_log_action_at", "action", "at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    actor: Mapped[str] = mapped_column(String(128), index=True)
    channel: Mapped[str] = mapped_column(String(16))
    action: Mapped[str] = mapped_column(String(64), index=True)
    subject: Mapped[str] = mapped_column(String(128), default="")
    detail: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)


class OutboxMessage(Base):
    """A message colbot decided to send on its own, sent once by whoever drains the outbox."""

    __tablename__ = "outbox"

    id: Mapped[int] = mapped_column(primary_key=True)
    idempotency_key: Mapped[str] = mapped_column(String(200), unique=True)
    channel: Mapped[str] = mapped_column(String(16))
    chat_id: Mapped[str] = mapped_column(String(64), index=True)
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)
    not_before: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str | None] = mapped_column(Text)
    # pending -> sent, or dropped (too late to be useful), unreachable (403) or failed.
    status: Mapped[str] = mapped_column(
        String(16), default="pending", server_default="pending", index=True
    )
    # Set just before the API call, so a crash leaves in-flight messages visible.
    claimed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    quiet_hours: Mapped[str | None] = mapped_column(String(16))
    deferred: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    batch: Mapped[str | None] = mapped_column(String(64), index=True)
