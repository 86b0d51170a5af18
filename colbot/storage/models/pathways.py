"""Which pathways each young person chose to follow."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from colbot.storage.models.base import Base, UTCDateTime
from colbot.storage.models.personal_data import (
    NOT_PERSONAL,
    Basis,
    Kept,
    Viewer,
    table_declaration,
)

_FOLLOW = table_declaration(
    Basis.CONSENT,
    (Viewer.YOUNG_PERSON, Viewer.OPERATORS, Viewer.CITY_TEAM_COUNTS, Viewer.PARTNER_COUNTS),
    Kept.PROFILE,
)


class PathwayFollow(Base):
    """A young person following a pathway; kept when they stop, so a message is never repeated."""

    __tablename__ = "pathway_follows"
    __table_args__ = (UniqueConstraint("young_person_id", "pathway_id"),)

    id: Mapped[int] = mapped_column(primary_key=True, info=NOT_PERSONAL)
    young_person_id: Mapped[int] = mapped_column(
        ForeignKey("young_people.id", ondelete="CASCADE"),
        index=True,
        info=_FOLLOW.because("whose pathway this is"),
    )
    pathway_id: Mapped[str] = mapped_column(
        String(64), index=True, info=_FOLLOW.because("which pathway they chose to follow")
    )
    followed_at: Mapped[datetime] = mapped_column(
        UTCDateTime, info=_FOLLOW.because("when they started following it")
    )
    unfollowed_at: Mapped[datetime | None] = mapped_column(
        UTCDateTime, info=_FOLLOW.because("when they stopped, so it is not offered as theirs")
    )
    # When the "one step to go" message was queued, so it is sent once only.
    one_to_go_at: Mapped[datetime | None] = mapped_column(
        UTCDateTime, info=_FOLLOW.because("so the one-step-to-go message is sent only once")
    )
