"""Badges issued to young people, in every signed form, and their journeys."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Boolean, Float, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from colbot.storage.models.base import Base, UTCDateTime


class IssuedBadge(Base):
    """One badge awarded to one young person, with its signed documents."""

    __tablename__ = "issued_badges"
    # Each issuer's status list has one bit per badge, so no two of its badges share one.
    __table_args__ = (UniqueConstraint("issuer_id", "status_index"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    public_id: Mapped[str] = mapped_column(String(40), unique=True)
    young_person_id: Mapped[int | None] = mapped_column(
        ForeignKey("young_people.id", ondelete="SET NULL"), index=True
    )
    redemption_id: Mapped[int | None] = mapped_column(
        ForeignKey("redemptions.id", ondelete="SET NULL")
    )
    badge_class_id: Mapped[str] = mapped_column(String(64), index=True)
    # "city", or "partner-" and the partner's slug (see colbot.badges.urls).
    issuer_id: Mapped[str] = mapped_column(String(80))
    name: Mapped[str] = mapped_column(String(200), default="", server_default="")
    artwork: Mapped[str] = mapped_column(String(64), default="", server_default="")
    learning_hours: Mapped[float] = mapped_column(Float, default=0)
    issued_at: Mapped[datetime] = mapped_column(UTCDateTime)
    status_index: Mapped[int | None] = mapped_column(Integer)
    ob2_assertion_jws: Mapped[str | None] = mapped_column(Text)
    ob3_credential: Mapped[dict[str, object] | None] = mapped_column(JSON)
    ob3_jwt: Mapped[str | None] = mapped_column(Text)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revocation_reason: Mapped[str | None] = mapped_column(String(300))


class Journey(Base):
    """A young person's shareable learning journey link and what it shows."""

    __tablename__ = "journeys"

    id: Mapped[int] = mapped_column(primary_key=True)
    young_person_id: Mapped[int] = mapped_column(
        ForeignKey("young_people.id", ondelete="CASCADE"), unique=True
    )
    slug: Mapped[str] = mapped_column(String(64), unique=True)
    sharing: Mapped[bool] = mapped_column(Boolean, default=False)
    show_nickname: Mapped[bool] = mapped_column(Boolean, default=True)
    show_passions: Mapped[bool] = mapped_column(Boolean, default=True)
    hidden_badge_ids: Mapped[list[str]] = mapped_column(JSON, default=list)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
