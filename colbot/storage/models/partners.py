"""Partners, their staff and the invites that bring staff in."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, String, Text, UniqueConstraint
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

_CONTACT = table_declaration(
    Basis.PUBLIC_TASK, (Viewer.OPERATORS, Viewer.CITY_TEAM), Kept.STAFF, Subject.PARTNER
)


class Partner(Base):
    """An organisation that offers opportunities and issues badges."""

    __tablename__ = "partners"

    id: Mapped[int] = mapped_column(primary_key=True, info=NOT_PERSONAL)
    slug: Mapped[str] = mapped_column(String(64), unique=True, info=NOT_PERSONAL)
    name: Mapped[str] = mapped_column(String(200), unique=True, info=NOT_PERSONAL)
    kind: Mapped[str | None] = mapped_column(String(64), info=NOT_PERSONAL)
    description: Mapped[str | None] = mapped_column(Text, info=NOT_PERSONAL)
    website: Mapped[str | None] = mapped_column(String(500), info=NOT_PERSONAL)
    email: Mapped[str | None] = mapped_column(
        String(254), info=_CONTACT.because("the partner's contact address, which may name a person")
    )
    area_id: Mapped[str | None] = mapped_column(String(32), info=NOT_PERSONAL)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, info=NOT_PERSONAL)

    staff: Mapped[list[StaffMember]] = relationship(back_populates="partner")


_STAFF = table_declaration(
    Basis.PUBLIC_TASK, (Viewer.OPERATORS, Viewer.CITY_TEAM, Viewer.STAFF), Kept.STAFF, Subject.STAFF
)


class StaffMember(Base):
    """A person who acts for a partner in the bot."""

    __tablename__ = "staff_members"
    __table_args__ = (UniqueConstraint("partner_id", "channel", "external_id"),)

    id: Mapped[int] = mapped_column(primary_key=True, info=NOT_PERSONAL)
    partner_id: Mapped[int] = mapped_column(
        ForeignKey("partners.id"), index=True, info=NOT_PERSONAL
    )
    channel: Mapped[str] = mapped_column(
        String(16), info=_STAFF.because("which app they use colbot on")
    )
    external_id: Mapped[str] = mapped_column(
        String(64), index=True, info=_STAFF.because("their chat account's id, to know them")
    )
    display_name: Mapped[str | None] = mapped_column(
        String(128), info=_STAFF.because("their name as their chat app gives it")
    )
    is_admin: Mapped[bool] = mapped_column(
        Boolean, default=False, info=_STAFF.because("whether they manage their partner's staff")
    )
    joined_at: Mapped[datetime] = mapped_column(
        UTCDateTime, info=_STAFF.because("when they joined")
    )
    removed_at: Mapped[datetime | None] = mapped_column(
        UTCDateTime, info=_STAFF.because("when they were removed")
    )

    partner: Mapped[Partner] = relationship(back_populates="staff")


_INVITE = table_declaration(Basis.PUBLIC_TASK, (Viewer.OPERATORS,), Kept.LINKS, Subject.STAFF)


class StaffInvite(Base):
    """A one-time invite; only a hash of its secret is kept."""

    __tablename__ = "staff_invites"

    id: Mapped[int] = mapped_column(primary_key=True, info=NOT_PERSONAL)
    partner_id: Mapped[int] = mapped_column(
        ForeignKey("partners.id"), index=True, info=NOT_PERSONAL
    )
    secret_hash: Mapped[str] = mapped_column(String(64), unique=True, info=NOT_PERSONAL)
    created_by: Mapped[str] = mapped_column(
        String(128), info=_INVITE.because("who made the invite")
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, info=NOT_PERSONAL)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime, info=NOT_PERSONAL)
    used_at: Mapped[datetime | None] = mapped_column(
        UTCDateTime, info=_INVITE.because("when it was used")
    )
    used_by_staff_id: Mapped[int | None] = mapped_column(
        ForeignKey("staff_members.id"), info=_INVITE.because("who used it")
    )
