"""The city's dashboard: one-time sign-in links, sessions, and the anonymous funnel counts."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from colbot.storage.models.badges import IssuedBadge
from colbot.storage.models.base import Base, UTCDateTime
from colbot.storage.models.codes import Redemption
from colbot.storage.models.people import YoungPerson
from colbot.storage.models.personal_data import (
    NOT_PERSONAL,
    Basis,
    Kept,
    Subject,
    Viewer,
    table_declaration,
)

_LINK = table_declaration(Basis.PUBLIC_TASK, (Viewer.OPERATORS,), Kept.LINKS, Subject.STAFF)


class DashboardLink(Base):
    """A one-time sign-in link; only a hash of its secret is kept."""

    __tablename__ = "dashboard_links"

    id: Mapped[int] = mapped_column(primary_key=True, info=NOT_PERSONAL)
    secret_hash: Mapped[str] = mapped_column(String(64), unique=True, info=NOT_PERSONAL)
    # "telegram:1234" for whoever asked in the bot.
    actor: Mapped[str] = mapped_column(
        String(128),
        info=_LINK.because("who asked to sign in (their chat account), to trace misuse"),
    )
    # None for the city's view, else the one partner this person may see.
    partner_id: Mapped[int | None] = mapped_column(ForeignKey("partners.id"), info=NOT_PERSONAL)
    staff_member_id: Mapped[int | None] = mapped_column(
        ForeignKey("staff_members.id"), info=_LINK.because("which staff member signed in")
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, info=_LINK.because("when"))
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime, info=NOT_PERSONAL)
    used_at: Mapped[datetime | None] = mapped_column(
        UTCDateTime, info=_LINK.because("when the link was used")
    )


_SESSION = table_declaration(Basis.PUBLIC_TASK, (Viewer.OPERATORS,), Kept.LINKS, Subject.STAFF)


class DashboardSession(Base):
    """A signed-in browser for one working day; only a hash of its cookie is kept."""

    __tablename__ = "dashboard_sessions"

    id: Mapped[int] = mapped_column(primary_key=True, info=NOT_PERSONAL)
    secret_hash: Mapped[str] = mapped_column(String(64), unique=True, info=NOT_PERSONAL)
    actor: Mapped[str] = mapped_column(
        String(128),
        info=_SESSION.because("who asked to sign in (their chat account), to trace misuse"),
    )
    partner_id: Mapped[int | None] = mapped_column(ForeignKey("partners.id"), info=NOT_PERSONAL)
    staff_member_id: Mapped[int | None] = mapped_column(
        ForeignKey("staff_members.id"), info=_SESSION.because("which staff member signed in")
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, info=_SESSION.because("when"))
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True, info=NOT_PERSONAL)
    ended_at: Mapped[datetime | None] = mapped_column(
        UTCDateTime, info=_SESSION.because("when they signed out")
    )


class FunnelCount(Base):
    """How many times a stage of the funnel was reached for one opportunity on one day.

    No young person is named: a count per day outlives anyone's /delete, as redemptions do.
    """

    __tablename__ = "funnel_counts"

    day: Mapped[date] = mapped_column(Date, primary_key=True, info=NOT_PERSONAL)
    opportunity_id: Mapped[int] = mapped_column(
        ForeignKey("opportunities.id", ondelete="CASCADE"), primary_key=True, info=NOT_PERSONAL
    )
    # "recommended", "saved" or "reminded"; redemptions are counted from their own table.
    stage: Mapped[str] = mapped_column(String(16), primary_key=True, info=NOT_PERSONAL)
    count: Mapped[int] = mapped_column(Integer, default=0, info=NOT_PERSONAL)


# The dashboard's aggregates read ranges of time on tables other features own; these indexes let
# SQLite answer them from the index alone, with no visit to the (large) rows.
Index(
    "ix_redemptions_dashboard",
    Redemption.redeemed_at,
    Redemption.opportunity_id,
    Redemption.young_person_id,
    Redemption.learning_hours,
)
Index("ix_issued_badges_issued_at", IssuedBadge.issued_at, IssuedBadge.redemption_id)
Index("ix_young_people_onboarded_at", YoungPerson.onboarded_at, YoungPerson.area_id)
Index("ix_young_people_last_seen_at", YoungPerson.last_seen_at, YoungPerson.onboarded_at)
