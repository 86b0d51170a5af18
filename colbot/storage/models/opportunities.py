"""Opportunities in the catalogue, and what young people do with them."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Float,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
    false,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from colbot.storage.models.base import Base, UTCDateTime


class Opportunity(Base):
    """One session or event a partner offers."""

    __tablename__ = "opportunities"
    __table_args__ = (UniqueConstraint("partner_id", "source_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    partner_id: Mapped[int] = mapped_column(ForeignKey("partners.id"), index=True)
    source_id: Mapped[str] = mapped_column(String(128))
    # The dates of one repeating event share this (a calendar event's UID, an OpenActive
    # SessionSeries id): a young person sees them as one opportunity with its dates.
    series_key: Mapped[str | None] = mapped_column(String(200), index=True)
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
    # The price chosen at import (the youngest band); `offers` keeps every age band's price, so
    # each young person sees theirs (colbot.domain.prices.price_for). Empty from CSV and calendars.
    cost_pence: Mapped[int] = mapped_column(Integer, default=0)
    offers: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list, server_default="[]")
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


class Feed(Base):
    """An OpenActive RPDE feed or a calendar URL colbot follows for a partner."""

    __tablename__ = "feeds"

    id: Mapped[int] = mapped_column(primary_key=True)
    url: Mapped[str] = mapped_column(String(1000), unique=True)
    partner_id: Mapped[int] = mapped_column(ForeignKey("partners.id"), index=True)
    kind: Mapped[str] = mapped_column(String(16))  # "rpde" or "ics"
    # Where harvesting resumes: the last page's `next` URL (afterTimestamp/afterId or
    # afterChangeNumber in its query).
    position: Mapped[str | None] = mapped_column(String(2000))
    etag: Mapped[str | None] = mapped_column(String(200))
    last_modified: Mapped[str | None] = mapped_column(String(100))
    last_success_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_error: Mapped[str | None] = mapped_column(Text)
    last_error_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    failures: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    next_poll_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    items_seen: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class FeedItem(Base):
    """The latest state of one RPDE item: how split feeds are joined and deletions applied."""

    __tablename__ = "feed_items"
    __table_args__ = (UniqueConstraint("feed_id", "kind", "item_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    feed_id: Mapped[int] = mapped_column(ForeignKey("feeds.id", ondelete="CASCADE"), index=True)
    partner_id: Mapped[int] = mapped_column(Integer, index=True)
    kind: Mapped[str] = mapped_column(String(64))
    item_id: Mapped[str] = mapped_column(String(200))
    modified: Mapped[str] = mapped_column(String(40))
    state: Mapped[str] = mapped_column(String(16))
    # The data's own @id, and a session's superEvent: how the halves of a split feed meet.
    ref: Mapped[str | None] = mapped_column(String(1000), index=True)
    parent: Mapped[str | None] = mapped_column(String(1000), index=True)
    data: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    # The opportunities this item gave, to withdraw when it is deleted.
    source_ids: Mapped[list[str]] = mapped_column(JSON, default=list)
