"""Which pathways each young person chose to follow."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from colbot.storage.models.base import Base, UTCDateTime


class PathwayFollow(Base):
    """A young person following a pathway; kept when they stop, so a message is never repeated."""

    __tablename__ = "pathway_follows"
    __table_args__ = (UniqueConstraint("young_person_id", "pathway_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    young_person_id: Mapped[int] = mapped_column(
        ForeignKey("young_people.id", ondelete="CASCADE"), index=True
    )
    pathway_id: Mapped[str] = mapped_column(String(64), index=True)
    followed_at: Mapped[datetime] = mapped_column(UTCDateTime)
    unfollowed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # When the "one step to go" message was queued, so it is sent once only.
    one_to_go_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
