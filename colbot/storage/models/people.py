"""Young people, how each channel knows them, and their passions."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    JSON,
    Boolean,
    ColumnElement,
    Float,
    ForeignKey,
    Integer,
    String,
    UniqueConstraint,
    and_,
    false,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from colbot.storage.models.base import Base, UTCDateTime
from colbot.storage.models.personal_data import (
    NOT_PERSONAL,
    Basis,
    Kept,
    Viewer,
    table_declaration,
)

_PROFILE = table_declaration(Basis.CONSENT, (Viewer.YOUNG_PERSON, Viewer.OPERATORS), Kept.PROFILE)


class YoungPerson(Base):
    """A young person's profile; only what recommendations and badges need."""

    __tablename__ = "young_people"

    id: Mapped[int] = mapped_column(
        primary_key=True, info=_PROFILE.because("links their own rows together")
    )
    public_id: Mapped[str] = mapped_column(
        String(32),
        unique=True,
        info=_PROFILE.because(
            "a private reference on their badges and journey, instead of their name",
            seen_by=(*_PROFILE.seen_by, Viewer.BADGE_HOLDERS),
        ),
    )
    nickname: Mapped[str | None] = mapped_column(
        String(64),
        info=_PROFILE.because(
            "what colbot calls them; on their journey only while they share it",
            seen_by=(*_PROFILE.seen_by, Viewer.SHARED_JOURNEY, Viewer.CITY_TEAM),
        ),
    )
    age: Mapped[int | None] = mapped_column(
        Integer,
        info=_PROFILE.because(
            "to suggest only what suits their age, and to turn away under-13s",
            seen_by=(*_PROFILE.seen_by, Viewer.CITY_TEAM_COUNTS),
        ),
    )
    age_given_at: Mapped[datetime | None] = mapped_column(
        UTCDateTime, info=_PROFILE.because("to know their age as it grows")
    )
    area_id: Mapped[str | None] = mapped_column(
        String(32),
        info=_PROFILE.because(
            "their rough area, to suggest things nearby",
            seen_by=(*_PROFILE.seen_by, Viewer.CITY_TEAM_COUNTS),
        ),
    )
    latitude: Mapped[float | None] = mapped_column(
        Float,
        info=_PROFILE.because(
            "a shared location rounded to about 1 km, to measure how far things are"
        ),
    )
    longitude: Mapped[float | None] = mapped_column(
        Float,
        info=_PROFILE.because(
            "a shared location rounded to about 1 km, to measure how far things are"
        ),
    )
    travel_km: Mapped[float | None] = mapped_column(
        Float, info=_PROFILE.because("how far they would travel, to suggest things they can reach")
    )
    availability: Mapped[list[str]] = mapped_column(
        JSON,
        default=list,
        info=_PROFILE.because("when they are free, to suggest things at those times"),
    )
    language: Mapped[str] = mapped_column(
        String(8), default="en", info=_PROFILE.because("the language colbot speaks to them in")
    )
    email: Mapped[str | None] = mapped_column(
        String(254),
        info=_PROFILE.because(
            "only if they give it (/email): put on their badges so badge wallets accept them",
            seen_by=(*_PROFILE.seen_by, Viewer.BADGE_HOLDERS),
        ),
    )
    consented_at: Mapped[datetime | None] = mapped_column(
        UTCDateTime, info=_PROFILE.because("when they agreed, as the record of their consent")
    )
    onboarded_at: Mapped[datetime | None] = mapped_column(
        UTCDateTime,
        info=_PROFILE.because(
            "when they finished the first questions",
            seen_by=(*_PROFILE.seen_by, Viewer.CITY_TEAM_COUNTS),
        ),
    )
    unreachable_since: Mapped[datetime | None] = mapped_column(
        UTCDateTime,
        info=_PROFILE.because("when their chat app stopped taking messages, to stop sending"),
    )
    # None: the city's default quiet hours; "": none; else like 21:00-08:00.
    quiet_hours: Mapped[str | None] = mapped_column(
        String(16), info=_PROFILE.because("when they never want messages")
    )
    paused_at: Mapped[datetime | None] = mapped_column(
        UTCDateTime,
        info=_PROFILE.because("when they sent /stop, to send nothing until they come back"),
    )
    # Messages they did not ask for are off until they say yes (asked at the end of onboarding).
    nudges: Mapped[str] = mapped_column(
        String(8),
        default="off",
        server_default="off",
        info=_PROFILE.because("whether and how often they allow messages they did not ask for"),
    )
    # When they were asked "may I message you first?"; None means not asked yet.
    messages_asked_at: Mapped[datetime | None] = mapped_column(
        UTCDateTime, info=_PROFILE.because("to ask them once whether colbot may message first")
    )
    last_nudged_at: Mapped[datetime | None] = mapped_column(
        UTCDateTime, info=_PROFILE.because("to space out messages they did not ask for")
    )
    unanswered_nudges: Mapped[int] = mapped_column(
        Integer,
        default=0,
        server_default="0",
        info=_PROFILE.because("to stop messaging someone who does not answer"),
    )
    digest: Mapped[bool] = mapped_column(
        Boolean,
        default=False,
        server_default=false(),
        info=_PROFILE.because("whether they asked for the weekly digest"),
    )
    last_digest_at: Mapped[datetime | None] = mapped_column(
        UTCDateTime, info=_PROFILE.because("to send the digest at most weekly")
    )
    created_at: Mapped[datetime] = mapped_column(
        UTCDateTime, info=_PROFILE.because("when they started")
    )
    last_seen_at: Mapped[datetime] = mapped_column(
        UTCDateTime,
        info=_PROFILE.because(
            "when they last chatted, for the inactive-profile deletion",
            seen_by=(*_PROFILE.seen_by, Viewer.CITY_TEAM_COUNTS),
        ),
    )
    # When they were told their quiet profile will be deleted; any message clears it.
    retention_warned_at: Mapped[datetime | None] = mapped_column(
        UTCDateTime,
        info=_PROFILE.because("to tell them once, before a quiet profile is deleted"),
    )

    identities: Mapped[list[ChannelIdentity]] = relationship(
        back_populates="young_person", cascade="all, delete-orphan"
    )
    passions: Mapped[list[YoungPersonPassion]] = relationship(
        back_populates="young_person", cascade="all, delete-orphan"
    )


_IDENTITY = table_declaration(Basis.CONSENT, (Viewer.YOUNG_PERSON, Viewer.OPERATORS), Kept.PROFILE)


class ChannelIdentity(Base):
    """How one channel addresses a young person; the only place a Telegram id is kept."""

    __tablename__ = "channel_identities"
    __table_args__ = (UniqueConstraint("channel", "external_id"),)

    id: Mapped[int] = mapped_column(primary_key=True, info=NOT_PERSONAL)
    young_person_id: Mapped[int] = mapped_column(
        ForeignKey("young_people.id", ondelete="CASCADE"),
        index=True,
        info=_IDENTITY.because("whose chat account this is"),
    )
    channel: Mapped[str] = mapped_column(
        String(16), info=_IDENTITY.because("which app they chat on")
    )
    external_id: Mapped[str] = mapped_column(
        String(64),
        info=_IDENTITY.because(
            "their chat account's id (the Telegram user id, or a web chat's random id), to reply"
        ),
    )
    created_at: Mapped[datetime] = mapped_column(
        UTCDateTime, info=_IDENTITY.because("when this chat account first spoke to colbot")
    )

    young_person: Mapped[YoungPerson] = relationship(back_populates="identities")

    @classmethod
    def addresses(
        cls, channel: str | ColumnElement[str], external_id: str | ColumnElement[str]
    ) -> ColumnElement[bool]:
        """The condition for the identity by which a channel knows someone, to join or filter on."""
        return and_(cls.channel == channel, cls.external_id == external_id)


_PASSION = table_declaration(
    Basis.CONSENT, (Viewer.YOUNG_PERSON, Viewer.OPERATORS, Viewer.SHARED_JOURNEY), Kept.PROFILE
)


class YoungPersonPassion(Base):
    """One passion a young person chose."""

    __tablename__ = "young_person_passions"

    young_person_id: Mapped[int] = mapped_column(
        ForeignKey("young_people.id", ondelete="CASCADE"),
        primary_key=True,
        info=_PASSION.because("whose passion this is"),
    )
    passion_id: Mapped[str] = mapped_column(
        String(32),
        primary_key=True,
        index=True,
        info=_PASSION.because("what they are into, to suggest things they will like"),
    )
    chosen_at: Mapped[datetime] = mapped_column(
        UTCDateTime, info=_PASSION.because("when they chose it")
    )

    young_person: Mapped[YoungPerson] = relationship(back_populates="passions")


class Counter(Base):
    """A named count kept instead of personal data, such as under-13s turned away."""

    __tablename__ = "counters"

    name: Mapped[str] = mapped_column(String(64), primary_key=True, info=NOT_PERSONAL)
    value: Mapped[int] = mapped_column(Integer, default=0, info=NOT_PERSONAL)
