"""Badges issued to young people, in every signed form, and their journeys."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Boolean, Float, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from colbot.storage.models.base import Base, UTCDateTime
from colbot.storage.models.personal_data import (
    NOT_PERSONAL,
    Basis,
    Kept,
    Viewer,
    table_declaration,
)

_BADGE = table_declaration(
    Basis.CONSENT,
    (Viewer.YOUNG_PERSON, Viewer.OPERATORS, Viewer.BADGE_HOLDERS, Viewer.SHARED_JOURNEY),
    Kept.BADGES,
)


class IssuedBadge(Base):
    """One badge awarded to one young person, with its signed documents."""

    __tablename__ = "issued_badges"
    # Each issuer's status list has one bit per badge, so no two of its badges share one.
    __table_args__ = (UniqueConstraint("issuer_id", "status_index"),)

    id: Mapped[int] = mapped_column(primary_key=True, info=NOT_PERSONAL)
    public_id: Mapped[str] = mapped_column(
        String(40),
        unique=True,
        info=_BADGE.because("the badge's own address, which anyone they show it to can check"),
    )
    young_person_id: Mapped[int | None] = mapped_column(
        ForeignKey("young_people.id", ondelete="SET NULL"),
        index=True,
        info=_BADGE.because("whose badge it is; emptied when they delete their data"),
    )
    redemption_id: Mapped[int | None] = mapped_column(
        ForeignKey("redemptions.id", ondelete="SET NULL"),
        info=_BADGE.because("the completion it was earned for"),
    )
    badge_class_id: Mapped[str] = mapped_column(
        String(64), index=True, info=_BADGE.because("which badge they earned")
    )
    # "city", or "partner-" and the partner's slug (see colbot.badges.urls).
    issuer_id: Mapped[str] = mapped_column(String(80), info=NOT_PERSONAL)
    name: Mapped[str] = mapped_column(
        String(200),
        default="",
        server_default="",
        info=_BADGE.because("the badge's name as issued"),
    )
    artwork: Mapped[str] = mapped_column(
        String(64), default="", server_default="", info=NOT_PERSONAL
    )
    learning_hours: Mapped[float] = mapped_column(
        Float, default=0, info=_BADGE.because("the learning hours it counts")
    )
    issued_at: Mapped[datetime] = mapped_column(
        UTCDateTime, info=_BADGE.because("when they earned it")
    )
    status_index: Mapped[int | None] = mapped_column(Integer, info=NOT_PERSONAL)
    ob2_assertion_jws: Mapped[str | None] = mapped_column(
        Text,
        info=_BADGE.because(
            "the signed badge (Open Badges 2.0), naming them by a salted hash of their email "
            "or by their private reference"
        ),
    )
    ob3_credential: Mapped[dict[str, object] | None] = mapped_column(
        JSON,
        info=_BADGE.because("the signed badge (Open Badges 3.0), naming them as the 2.0 form does"),
    )
    ob3_jwt: Mapped[str | None] = mapped_column(
        Text, info=_BADGE.because("the signed badge (Open Badges 3.0) in JWT form")
    )
    revoked_at: Mapped[datetime | None] = mapped_column(
        UTCDateTime,
        info=_BADGE.because(
            "when it was withdrawn (they deleted their data, or it was issued in error)"
        ),
    )
    revocation_reason: Mapped[str | None] = mapped_column(
        String(300), info=_BADGE.because("why it was withdrawn")
    )


_JOURNEY = table_declaration(Basis.CONSENT, (Viewer.YOUNG_PERSON, Viewer.OPERATORS), Kept.PROFILE)


class Journey(Base):
    """A young person's shareable learning journey link and what it shows."""

    __tablename__ = "journeys"

    id: Mapped[int] = mapped_column(primary_key=True, info=NOT_PERSONAL)
    young_person_id: Mapped[int] = mapped_column(
        ForeignKey("young_people.id", ondelete="CASCADE"),
        unique=True,
        info=_JOURNEY.because("whose journey it is"),
    )
    slug: Mapped[str] = mapped_column(
        String(64),
        unique=True,
        info=_JOURNEY.because(
            "the secret part of their journey link",
            seen_by=(*_JOURNEY.seen_by, Viewer.SHARED_JOURNEY),
        ),
    )
    sharing: Mapped[bool] = mapped_column(
        Boolean,
        default=False,
        info=_JOURNEY.because("whether they chose to share it (off until they do)"),
    )
    show_nickname: Mapped[bool] = mapped_column(
        Boolean, default=True, info=_JOURNEY.because("whether their nickname shows when shared")
    )
    show_passions: Mapped[bool] = mapped_column(
        Boolean, default=True, info=_JOURNEY.because("whether their passions show when shared")
    )
    hidden_badge_ids: Mapped[list[str]] = mapped_column(
        JSON, default=list, info=_JOURNEY.because("badges they chose to hide")
    )
    created_at: Mapped[datetime] = mapped_column(
        UTCDateTime, info=_JOURNEY.because("when the link was made")
    )
    # Bumped by the database's own triggers (migration 0021) on every write that changes what
    # the shared page shows, so a page can be named by it; never written by colbot.
    version: Mapped[int] = mapped_column(Integer, default=0, server_default="0", info=NOT_PERSONAL)
