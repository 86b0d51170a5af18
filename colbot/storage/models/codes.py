"""Completion codes partners make, and the redemptions young people make with them."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Float, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from colbot.storage.models.base import Base, UTCDateTime
from colbot.storage.models.personal_data import (
    NOT_PERSONAL,
    Basis,
    Kept,
    Subject,
    Viewer,
    table_declaration,
)

_CODE = table_declaration(
    Basis.PUBLIC_TASK, (Viewer.OPERATORS, Viewer.STAFF), Kept.STAFF, Subject.STAFF
)


class CompletionCode(Base):
    """A code that proves a young person completed an opportunity."""

    __tablename__ = "completion_codes"

    id: Mapped[int] = mapped_column(primary_key=True, info=NOT_PERSONAL)
    code: Mapped[str] = mapped_column(String(32), unique=True, info=NOT_PERSONAL)
    opportunity_id: Mapped[int] = mapped_column(
        ForeignKey("opportunities.id"), index=True, info=NOT_PERSONAL
    )
    created_by_staff_id: Mapped[int | None] = mapped_column(
        ForeignKey("staff_members.id"), info=_CODE.because("which staff member made the code")
    )
    max_uses: Mapped[int] = mapped_column(Integer, info=NOT_PERSONAL)
    uses: Mapped[int] = mapped_column(Integer, default=0, info=NOT_PERSONAL)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, info=NOT_PERSONAL)
    # When a session's code starts working; None for one that works from when it is made.
    not_before: Mapped[datetime | None] = mapped_column(UTCDateTime, info=NOT_PERSONAL)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime, info=NOT_PERSONAL)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime, info=NOT_PERSONAL)


_REDEMPTION = table_declaration(
    Basis.CONSENT,
    (Viewer.YOUNG_PERSON, Viewer.OPERATORS, Viewer.CITY_TEAM_COUNTS, Viewer.PARTNER_COUNTS),
    Kept.BADGES,
)


class Redemption(Base):
    """A young person's completion of an opportunity, counted once."""

    __tablename__ = "redemptions"
    __table_args__ = (UniqueConstraint("young_person_id", "opportunity_id"),)

    id: Mapped[int] = mapped_column(primary_key=True, info=NOT_PERSONAL)
    code_id: Mapped[int] = mapped_column(
        ForeignKey("completion_codes.id"),
        index=True,
        info=_REDEMPTION.because("the code they sent"),
    )
    # Kept without the person when they delete their data, so partners' figures stay true.
    young_person_id: Mapped[int | None] = mapped_column(
        ForeignKey("young_people.id", ondelete="SET NULL"),
        index=True,
        info=_REDEMPTION.because(
            "who completed it; emptied when they delete their data, so counts stay true"
        ),
    )
    opportunity_id: Mapped[int] = mapped_column(
        ForeignKey("opportunities.id"), index=True, info=_REDEMPTION.because("what they completed")
    )
    learning_hours: Mapped[float] = mapped_column(
        Float, info=_REDEMPTION.because("the learning hours it counts")
    )
    channel: Mapped[str] = mapped_column(
        String(16), info=_REDEMPTION.because("which app they sent the code from")
    )
    redeemed_at: Mapped[datetime] = mapped_column(
        UTCDateTime, info=_REDEMPTION.because("when they completed it")
    )
