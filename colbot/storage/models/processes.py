"""What several colbot processes on one database share: updates already taken, and leases."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, String
from sqlalchemy.orm import Mapped, mapped_column

from colbot.storage.models.base import Base, UTCDateTime
from colbot.storage.models.personal_data import NOT_PERSONAL


class TelegramUpdate(Base):
    """One Telegram update taken by some process, so that a redelivery is not handled twice."""

    __tablename__ = "telegram_updates"

    update_id: Mapped[int] = mapped_column(
        BigInteger, primary_key=True, autoincrement=False, info=NOT_PERSONAL
    )
    received_at: Mapped[datetime] = mapped_column(
        UTCDateTime(timezone=True), index=True, info=NOT_PERSONAL
    )


class Lease(Base):
    """A named job held by one process until it expires, so that it runs once across processes."""

    __tablename__ = "leases"

    name: Mapped[str] = mapped_column(String(64), primary_key=True, info=NOT_PERSONAL)
    holder: Mapped[str] = mapped_column(String(64), info=NOT_PERSONAL)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime(timezone=True), info=NOT_PERSONAL)
