"""Young people, how each channel knows them, and their passions."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    JSON,
    Boolean,
    Float,
    ForeignKey,
    Integer,
    String,
    UniqueConstraint,
    false,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from colbot.storage.models.base import Base, UTCDateTime


class YoungPerson(Base):
    """A young person's profile; only what recommendations and badges need."""

    __tablename__ = "young_people"

    id: Mapped[int] = mapped_column(primary_key=True)
    public_id: Mapped[str] = mapped_column(String(32), unique=True)
    nickname: Mapped[str | None] = mapped_column(String(64))
    age: Mapped[int | None] = mapped_column(Integer)
    age_given_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    area_id: Mapped[str | None] = mapped_column(String(32))
    latitude: Mapped[float | None] = mapped_column(Float)
    longitude: Mapped[float | None] = mapped_column(Float)
    travel_km: Mapped[float | None] = mapped_column(Float)
    availability: Mapped[list[str]] = mapped_column(JSON, default=list)
    language: Mapped[str] = mapped_column(String(8), default="en")
    email: Mapped[str | None] = mapped_column(String(254))
    consented_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    onboarded_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    unreachable_since: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # None: the city's default quiet hours; "": none; else like 21:00-08:00.
    quiet_hours: Mapped[str | None] = mapped_column(String(16))
    paused_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Messages they did not ask for are off until they say yes (asked at the end of onboarding).
    nudges: Mapped[str] = mapped_column(String(8), default="off", server_default="off")
    # When they were asked "may I message you first?"; None means not asked yet.
    messages_asked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_nudged_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    unanswered_nudges: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    digest: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    last_digest_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    last_seen_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # When they were told their quiet profile will be deleted; any message clears it.
    retention_warned_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    identities: Mapped[list[ChannelIdentity]] = relationship(
        back_populates="young_person", cascade="all, delete-orphan"
    )
    passions: Mapped[list[YoungPersonPassion]] = relationship(
        back_populates="young_person", cascade="all, delete-orphan"
    )


class ChannelIdentity(Base):
    """How one channel addresses a young person; the only place a Telegram id is kept."""

    __tablename__ = "channel_identities"
    __table_args__ = (UniqueConstraint("channel", "external_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    young_person_id: Mapped[int] = mapped_column(
        ForeignKey("young_people.id", ondelete="CASCADE"), index=True
    )
    channel: Mapped[str] = mapped_column(String(16))
    external_id: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)

    young_person: Mapped[YoungPerson] = relationship(back_populates="identities")


class YoungPersonPassion(Base):
    """One passion a young person chose."""

    __tablename__ = "young_person_passions"

    young_person_id: Mapped[int] = mapped_column(
        ForeignKey("young_people.id", ondelete="CASCADE"), primary_key=True
    )
    passion_id: Mapped[str] = mapped_column(String(32), primary_key=True, index=True)
    chosen_at: Mapped[datetime] = mapped_column(UTCDateTime)

    young_person: Mapped[YoungPerson] = relationship(back_populates="passions")


class Counter(Base):
    """A named count kept instead of personal data, such as under-13s turned away."""

    __tablename__ = "counters"

    name: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[int] = mapped_column(Integer, default=0)
