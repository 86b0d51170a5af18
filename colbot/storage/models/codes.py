"""Completion codes partners make, and the redemptions young people make with them."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Float, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from colbot.storage.models.base import Base, UTCDateTime


class CompletionCode(Base):
    """A code that proves a young person completed an opportunity."""

    __tablename__ = "completion_codes"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    opportunity_id: Mapped[int] = mapped_column(ForeignKey("opportunities.id"), index=True)
    created_by_staff_id: Mapped[int | None] = mapped_column(ForeignKey("staff_members.id"))
    max_uses: Mapped[int] = mapped_column(Integer)
    uses: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # When a session's code starts working; None for one that works from when it is made.
    not_before: Mapped[datetime | None] = mapped_column(UTCDateTime)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class Redemption(Base):
    """A young person's completion of an opportunity, counted once."""

    __tablename__ = "redemptions"
    __table_args__ = (UniqueConstraint("young_person_id", "opportunity_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    code_id: Mapped[int] = mapped_column(ForeignKey("completion_codes.id"), index=True)
    # Kept without the person when they delete their data, so partners' figures stay true.
    young_person_id: Mapped[int | None] = mapped_column(
        ForeignKey("young_people.id", ondelete="SET NULL"), index=True
    )
    opportunity_id: Mapped[int] = mapped_column(ForeignKey("opportunities.id"), index=True)
    learning_hours: Mapped[float] = mapped_column(Float)
    channel: Mapped[str] = mapped_column(String(16))
    redeemed_at: Mapped[datetime] = mapped_column(UTCDateTime)
