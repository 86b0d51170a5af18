"""The city team: admins who sign in on any channel, and the one-time invites that make them."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String, UniqueConstraint
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

_ADMIN = table_declaration(
    Basis.PUBLIC_TASK, (Viewer.OPERATORS, Viewer.CITY_TEAM), Kept.STAFF, Subject.CITY_TEAM
)


class CityAdmin(Base):
    """Someone on the city team, on one channel (COLBOT_ADMINS lists Telegram ones besides)."""

    __tablename__ = "city_admins"
    __table_args__ = (UniqueConstraint("channel", "external_id"),)

    id: Mapped[int] = mapped_column(primary_key=True, info=NOT_PERSONAL)
    name: Mapped[str] = mapped_column(String(128), info=_ADMIN.because("their name"))
    channel: Mapped[str] = mapped_column(
        String(16), info=_ADMIN.because("which app they use colbot on")
    )
    external_id: Mapped[str] = mapped_column(
        String(64), index=True, info=_ADMIN.because("their chat account's id, to know them")
    )
    joined_at: Mapped[datetime] = mapped_column(
        UTCDateTime, info=_ADMIN.because("when they joined")
    )
    removed_at: Mapped[datetime | None] = mapped_column(
        UTCDateTime, info=_ADMIN.because("when they left")
    )


_ADMIN_INVITE = table_declaration(
    Basis.PUBLIC_TASK, (Viewer.OPERATORS,), Kept.LINKS, Subject.CITY_TEAM
)


class CityAdminInvite(Base):
    """A one-time link that makes whoever opens it a city admin; only a hash is kept."""

    __tablename__ = "city_admin_invites"

    id: Mapped[int] = mapped_column(primary_key=True, info=NOT_PERSONAL)
    name: Mapped[str] = mapped_column(
        String(128), info=_ADMIN_INVITE.because("who the invite is for")
    )
    secret_hash: Mapped[str] = mapped_column(String(64), unique=True, info=NOT_PERSONAL)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, info=NOT_PERSONAL)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime, info=NOT_PERSONAL)
    used_at: Mapped[datetime | None] = mapped_column(
        UTCDateTime, info=_ADMIN_INVITE.because("when it was used")
    )
    used_by_admin_id: Mapped[int | None] = mapped_column(
        ForeignKey("city_admins.id"), info=_ADMIN_INVITE.because("who used it")
    )
