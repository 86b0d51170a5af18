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
from colbot.storage.models.personal_data import (
    NOT_PERSONAL,
    Basis,
    Kept,
    Subject,
    Viewer,
    table_declaration,
)


class Opportunity(Base):
    """One session or event a partner offers."""

    __tablename__ = "opportunities"
    __table_args__ = (UniqueConstraint("partner_id", "source_id"),)

    id: Mapped[int] = mapped_column(primary_key=True, info=NOT_PERSONAL)
    partner_id: Mapped[int] = mapped_column(
        ForeignKey("partners.id"), index=True, info=NOT_PERSONAL
    )
    source_id: Mapped[str] = mapped_column(String(128), info=NOT_PERSONAL)
    # The dates of one repeating event share this (a calendar event's UID, an OpenActive
    # SessionSeries id): a young person sees them as one opportunity with its dates.
    series_key: Mapped[str | None] = mapped_column(String(200), index=True, info=NOT_PERSONAL)
    title: Mapped[str] = mapped_column(String(200), info=NOT_PERSONAL)
    description: Mapped[str] = mapped_column(Text, default="", info=NOT_PERSONAL)
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True, info=NOT_PERSONAL)
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime, info=NOT_PERSONAL)
    # A colbot.domain.timing.Timing: "session" (at the times above), or drop_in, online, ongoing.
    timing: Mapped[str] = mapped_column(
        String(16), default="session", server_default="session", info=NOT_PERSONAL
    )
    venue: Mapped[str] = mapped_column(String(200), default="", info=NOT_PERSONAL)
    address: Mapped[str] = mapped_column(String(300), default="", info=NOT_PERSONAL)
    postcode: Mapped[str] = mapped_column(String(16), default="", info=NOT_PERSONAL)
    area_id: Mapped[str | None] = mapped_column(String(32), info=NOT_PERSONAL)
    latitude: Mapped[float | None] = mapped_column(Float, info=NOT_PERSONAL)
    longitude: Mapped[float | None] = mapped_column(Float, info=NOT_PERSONAL)
    min_age: Mapped[int] = mapped_column(Integer, info=NOT_PERSONAL)
    max_age: Mapped[int] = mapped_column(Integer, info=NOT_PERSONAL)
    # The price chosen at import (the youngest band); `offers` keeps every age band's price, so
    # each young person sees theirs (colbot.domain.prices.price_for). Empty from CSV and calendars.
    cost_pence: Mapped[int] = mapped_column(Integer, default=0, info=NOT_PERSONAL)
    offers: Mapped[list[dict[str, Any]]] = mapped_column(
        JSON, default=list, server_default="[]", info=NOT_PERSONAL
    )
    learning_hours: Mapped[float] = mapped_column(Float, info=NOT_PERSONAL)
    capacity: Mapped[int | None] = mapped_column(Integer, info=NOT_PERSONAL)
    url: Mapped[str | None] = mapped_column(String(500), info=NOT_PERSONAL)
    badge_class_id: Mapped[str | None] = mapped_column(String(64), info=NOT_PERSONAL)
    # "scheduled" is shown; "cancelled", "postponed" and "deleted" are withdrawn, never removed,
    # since someone may have saved it, been reminded of it or earned a badge from it.
    status: Mapped[str] = mapped_column(
        String(16), default="scheduled", server_default="scheduled", info=NOT_PERSONAL
    )
    is_full: Mapped[bool] = mapped_column(
        Boolean, default=False, server_default=false(), info=NOT_PERSONAL
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, info=NOT_PERSONAL)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, info=NOT_PERSONAL)

    passions: Mapped[list[OpportunityPassion]] = relationship(
        back_populates="opportunity", cascade="all, delete-orphan", lazy="selectin"
    )


class OpportunityPassion(Base):
    """A passion an opportunity feeds."""

    __tablename__ = "opportunity_passions"

    opportunity_id: Mapped[int] = mapped_column(
        ForeignKey("opportunities.id", ondelete="CASCADE"), primary_key=True, info=NOT_PERSONAL
    )
    passion_id: Mapped[str] = mapped_column(
        String(32), primary_key=True, index=True, info=NOT_PERSONAL
    )

    opportunity: Mapped[Opportunity] = relationship(back_populates="passions")


_SAVED_ITEM = table_declaration(
    Basis.CONSENT,
    (Viewer.YOUNG_PERSON, Viewer.OPERATORS, Viewer.CITY_TEAM_COUNTS, Viewer.PARTNER_COUNTS),
    Kept.PROFILE,
)


class SavedItem(Base):
    """An opportunity a young person saved for later."""

    __tablename__ = "saved_items"
    __table_args__ = (UniqueConstraint("young_person_id", "opportunity_id"),)

    id: Mapped[int] = mapped_column(primary_key=True, info=NOT_PERSONAL)
    young_person_id: Mapped[int] = mapped_column(
        ForeignKey("young_people.id", ondelete="CASCADE"),
        index=True,
        info=_SAVED_ITEM.because("whose saved item this is"),
    )
    opportunity_id: Mapped[int] = mapped_column(
        ForeignKey("opportunities.id"),
        index=True,
        info=_SAVED_ITEM.because("which opportunity they saved"),
    )
    saved_at: Mapped[datetime] = mapped_column(
        UTCDateTime, info=_SAVED_ITEM.because("when they saved it")
    )


_REMINDER = table_declaration(
    Basis.CONSENT,
    (Viewer.YOUNG_PERSON, Viewer.OPERATORS, Viewer.CITY_TEAM_COUNTS, Viewer.PARTNER_COUNTS),
    Kept.PROFILE,
)


class Reminder(Base):
    """A reminder a young person asked for before a session."""

    __tablename__ = "reminders"

    id: Mapped[int] = mapped_column(primary_key=True, info=NOT_PERSONAL)
    young_person_id: Mapped[int] = mapped_column(
        ForeignKey("young_people.id", ondelete="CASCADE"),
        index=True,
        info=_REMINDER.because("whose reminder this is"),
    )
    opportunity_id: Mapped[int] = mapped_column(
        ForeignKey("opportunities.id"),
        index=True,
        info=_REMINDER.because("which opportunity they asked to be reminded of"),
    )
    due_at: Mapped[datetime] = mapped_column(
        UTCDateTime, index=True, info=_REMINDER.because("when to remind them")
    )
    sent_at: Mapped[datetime | None] = mapped_column(
        UTCDateTime, info=_REMINDER.because("when the reminder went")
    )
    cancelled_at: Mapped[datetime | None] = mapped_column(
        UTCDateTime, info=_REMINDER.because("when they cancelled it")
    )


_DISMISSAL = table_declaration(
    Basis.CONSENT, (Viewer.YOUNG_PERSON, Viewer.OPERATORS, Viewer.CITY_TEAM_COUNTS), Kept.PROFILE
)


class Dismissal(Base):
    """An opportunity a young person said was not for them; never shown to them again."""

    __tablename__ = "dismissals"
    __table_args__ = (UniqueConstraint("young_person_id", "opportunity_id"),)

    id: Mapped[int] = mapped_column(primary_key=True, info=NOT_PERSONAL)
    young_person_id: Mapped[int] = mapped_column(
        ForeignKey("young_people.id", ondelete="CASCADE"),
        index=True,
        info=_DISMISSAL.because("whose choice this is"),
    )
    opportunity_id: Mapped[int] = mapped_column(
        ForeignKey("opportunities.id"),
        index=True,
        info=_DISMISSAL.because("which opportunity they said was not for them"),
    )
    reason: Mapped[str | None] = mapped_column(
        String(32), info=_DISMISSAL.because("why, if they said, to suggest better")
    )
    dismissed_at: Mapped[datetime] = mapped_column(
        UTCDateTime, info=_DISMISSAL.because("when they said so")
    )


_CARD_SHOWN = table_declaration(
    Basis.CONSENT,
    (Viewer.YOUNG_PERSON, Viewer.OPERATORS, Viewer.CITY_TEAM_COUNTS, Viewer.PARTNER_COUNTS),
    Kept.PROFILE,
)


class CardShown(Base):
    """A card shown to a young person, so the city can see what people act on."""

    __tablename__ = "cards_shown"

    id: Mapped[int] = mapped_column(primary_key=True, info=NOT_PERSONAL)
    young_person_id: Mapped[int] = mapped_column(
        ForeignKey("young_people.id", ondelete="CASCADE"),
        index=True,
        info=_CARD_SHOWN.because("whose card this is"),
    )
    opportunity_id: Mapped[int] = mapped_column(
        ForeignKey("opportunities.id"),
        index=True,
        info=_CARD_SHOWN.because("which opportunity they was shown"),
    )
    context: Mapped[str] = mapped_column(
        String(16),
        info=_CARD_SHOWN.because("where it was shown (explore, surprise), to improve suggestions"),
    )
    position: Mapped[int] = mapped_column(
        Integer, info=_CARD_SHOWN.because("its place in the list, to improve suggestions")
    )
    shown_at: Mapped[datetime] = mapped_column(
        UTCDateTime, info=_CARD_SHOWN.because("when it was shown")
    )


class Feed(Base):
    """An OpenActive RPDE feed or a calendar URL colbot follows for a partner."""

    __tablename__ = "feeds"

    id: Mapped[int] = mapped_column(primary_key=True, info=NOT_PERSONAL)
    url: Mapped[str] = mapped_column(String(1000), unique=True, info=NOT_PERSONAL)
    partner_id: Mapped[int] = mapped_column(
        ForeignKey("partners.id"), index=True, info=NOT_PERSONAL
    )
    kind: Mapped[str] = mapped_column(String(16), info=NOT_PERSONAL)  # "rpde" or "ics"
    # Where harvesting resumes: the last page's `next` URL (afterTimestamp/afterId or
    # afterChangeNumber in its query).
    position: Mapped[str | None] = mapped_column(String(2000), info=NOT_PERSONAL)
    etag: Mapped[str | None] = mapped_column(String(200), info=NOT_PERSONAL)
    last_modified: Mapped[str | None] = mapped_column(String(100), info=NOT_PERSONAL)
    last_success_at: Mapped[datetime | None] = mapped_column(UTCDateTime, info=NOT_PERSONAL)
    last_error: Mapped[str | None] = mapped_column(Text, info=NOT_PERSONAL)
    last_error_at: Mapped[datetime | None] = mapped_column(UTCDateTime, info=NOT_PERSONAL)
    failures: Mapped[int] = mapped_column(Integer, default=0, server_default="0", info=NOT_PERSONAL)
    next_poll_at: Mapped[datetime | None] = mapped_column(UTCDateTime, info=NOT_PERSONAL)
    items_seen: Mapped[int] = mapped_column(
        Integer, default=0, server_default="0", info=NOT_PERSONAL
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, info=NOT_PERSONAL)


_FEED_ITEM = table_declaration(
    Basis.LEGITIMATE_INTERESTS, (Viewer.OPERATORS,), Kept.CATALOGUE, Subject.PARTNER
)


class FeedItem(Base):
    """The latest state of one RPDE item: how split feeds are joined and deletions applied."""

    __tablename__ = "feed_items"
    __table_args__ = (UniqueConstraint("feed_id", "kind", "item_id"),)

    id: Mapped[int] = mapped_column(primary_key=True, info=NOT_PERSONAL)
    feed_id: Mapped[int] = mapped_column(
        ForeignKey("feeds.id", ondelete="CASCADE"), index=True, info=NOT_PERSONAL
    )
    partner_id: Mapped[int] = mapped_column(Integer, index=True, info=NOT_PERSONAL)
    kind: Mapped[str] = mapped_column(String(64), info=NOT_PERSONAL)
    item_id: Mapped[str] = mapped_column(String(200), info=NOT_PERSONAL)
    modified: Mapped[str] = mapped_column(String(40), info=NOT_PERSONAL)
    state: Mapped[str] = mapped_column(String(16), info=NOT_PERSONAL)
    # The data's own @id, and a session's superEvent: how the halves of a split feed meet.
    ref: Mapped[str | None] = mapped_column(String(1000), index=True, info=NOT_PERSONAL)
    parent: Mapped[str | None] = mapped_column(String(1000), index=True, info=NOT_PERSONAL)
    data: Mapped[dict[str, Any] | None] = mapped_column(
        JSON,
        info=_FEED_ITEM.because(
            "the item as the partner published it, which can name a session leader or an "
            "organiser's contact"
        ),
    )
    # The opportunities this item gave, to withdraw when it is deleted.
    source_ids: Mapped[list[str]] = mapped_column(JSON, default=list, info=NOT_PERSONAL)
