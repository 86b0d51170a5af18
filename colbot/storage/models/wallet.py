"""One-time exchanges that put a copy of a badge into a young person's wallet app."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from colbot.storage.models.base import Base, UTCDateTime
from colbot.storage.models.personal_data import (
    NOT_PERSONAL,
    Basis,
    Kept,
    Viewer,
    table_declaration,
)

_EXCHANGE = table_declaration(Basis.CONSENT, (Viewer.OPERATORS,), Kept.LINKS)


class WalletExchange(Base):
    """A live "Add to wallet" link: only a hash of its id is kept, so the table opens nothing."""

    __tablename__ = "wallet_exchanges"

    id_hash: Mapped[str] = mapped_column(String(64), primary_key=True, info=NOT_PERSONAL)
    issued_badge_id: Mapped[int] = mapped_column(
        ForeignKey("issued_badges.id", ondelete="CASCADE"),
        index=True,
        info=_EXCHANGE.because("which of their badges a one-time wallet link hands over"),
    )
    # The wallet signs this with its DID's key, so a presentation cannot be replayed elsewhere.
    challenge: Mapped[str] = mapped_column(String(64), info=NOT_PERSONAL)
    created_at: Mapped[datetime] = mapped_column(
        UTCDateTime, info=_EXCHANGE.because("when they asked for the link")
    )
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True, info=NOT_PERSONAL)
    used_at: Mapped[datetime | None] = mapped_column(
        UTCDateTime, info=_EXCHANGE.because("when their wallet took it")
    )
