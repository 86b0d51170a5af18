"""Opportunities in the catalogue, and what young people do with them."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, Float, ForeignKey, Integer, String, Text, UniqueConstraint, false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from colbot.storage.models.base import Base, UTCDateTime


class Opportunity(Base):
    """One session or event a partner offers."""

    __tablename__ = "opportunities"
    __table_args__ = (UniqueConstraint("partner_id", "source_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    partner_id: Mapped[int] = mapped_column(ForeignKey("partners.id"), index=True)
    source_id: Mapped[str] = mapped_column(String(128))
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # A colbot.domain.timing.Timing: "session" (at the times above), or drop_in, online, ongoing.
    timing: Mapped[str] = mapped_column(String(16), default="session", server_default="session")
    venue: Mapped[str] = mapped_column(String(200), default="")
    address: Mapped[str] = mapped_column(String(300), default="")
    postcode: Mapped[str] = mapped_column(String(16), default="")
    area_id: Mapped[str | None] = mapped_column(String(32))
    latitude: Mapped[float | None] = mapped_column(Float)
    longitude: Mapped[float | None] = mapped_column(Float)
    min_age: Mapped[int] = mapped_column(Integer)
    max_age: Mapped[int] = mapped_column(Integer)
    cost_pence: Mapped[int] = mapped_column(Integer, default=0)
    learning_hours: Mapped[float] = mapped_column(Float)
    capacity: Mapped[int | None] = mapped_column(Integer)
    url: Mapped[str | None] = mapped_column(String(500))
    badge_class_id: Mapped[str | None] = mapped_column(String(64))
    # "scheduled" is shown; "cancelled", "postponed" and "deleted" are withdrawn, never removed,
    # since someone may have saved it, been reminded of it or earned a badge from it.
    status: Mapped[str] = mapped_column(String(16), default="scheduled", server_default="scheduled")
    is_full: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)

    passions: Mapped[list[OpportunityPassion]] = relationship(
        back_populates="opportunity", cascade="all, delete-orphan", lazy="selectin"
    )


class OpportunityPassion(Base):
    """A passion an opportunity feeds."""

    __tablename__ = "opportunity_passions"

    opportunity_id: Mapped[int] = mapped_column(
        ForeignKey("opportunities.id", ondelete="CASCADE"), primary_key=True
    )
    passion_id: Mapped[str] = mapped_column(String(32), primary_key=True, index=True)

    opportunity: Mapped[Opportunity] = relationship(back_populates="passions")


class SavedItem(Base):
    """An opportunity a young person saved for later."""

    __tablename__ = "saved_items"
    __table_args__ = (UniqueConstraint("young_person_id", "opportunity_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    young_person_id: Mapped[int] = mapped_column(
        ForeignKey("young_people.id", ondelete="CASCADE"), index=True
    )
    opportunity_id: Mapped[int] = mapped_column(ForeignKey("opportunities.id"), index=True)
    saved_at: Mapped[datetime] = mapped_column(UTCDateTime)


class Reminder(Base):
    """A reminder a young person asked for before a session."""

    __tablename__ = "reminders"

    id: Mapped[int] = mapped_column(primary_key=True)
    young_person_id: Mapped[int] = mapped_column(
        ForeignKey("young_people.id", ondelete="CASCADE"), index=True
    )
    opportunity_id: Mapped[int] = mapped_column(ForeignKey("opportunities.id"), index=True)
    due_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class Dismissal(Base):
    """An opportunity a young person said was not for them; never shown to them again."""

    __tablename__ = "dismissals"
    __table_args__ = (UniqueConstraint("young_person_id", "opportunity_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    young_person_id: Mapped[int] = mapped_column(
        ForeignKey("young_people.id", ondelete="CASCADE"), index=True
    )
    opportunity_id: Mapped[int] = mapped_column(ForeignKey("opportunities.id"), index=True)
    reason: Mapped[str | None] = mapped_column(String(32))
    dismissed_at: Mapped[datetime] = mapped_column(UTCDateTime)


class CardShown(Base):
    """A card shown to a young person, so the city can see what people act on."""

    __tablename__ = "cards_shown"

    id: Mapped[int] = mapped_column(primary_key=True)
    young_person_id: Mapped[int] = mapped_column(
        ForeignKey("young_people.id", ondelete="CASCADE"), index=True
    )
    opportunity_id: Mapped[int] = mapped_column(ForeignKey("opportunities.id"), index=True)
    context: Mapped[str] = mapped_column(String(16))
    position: Mapped[int] = mapped_column(Integer)
    shown_at: Mapped[datetime] = mapped_column(UTCDateTime)
