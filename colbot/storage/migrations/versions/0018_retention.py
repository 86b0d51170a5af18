"""High-privacy defaults and retention: messages first are off until asked, and a deletion notice

Profiles that already chose keep their choice: "weekly", "off" or the weekly digest switched on.
A profile still on the old default ("normal" with no digest) never said yes, so it is switched
off, and asked once the next time they start a chat.

Revision ID: 0018_retention
Revises: 0017_opportunity_series
Create Date: 2026-12-06 21:15:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import colbot.storage.models.base

UTC_DATETIME = colbot.storage.models.base.UTCDateTime(timezone=True)

revision: str = "0018_retention"
down_revision: str | None = "0017_opportunity_series"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("young_people") as batch:
        batch.add_column(sa.Column("messages_asked_at", UTC_DATETIME, nullable=True))
        batch.add_column(sa.Column("retention_warned_at", UTC_DATETIME, nullable=True))
        batch.alter_column(
            "nudges",
            existing_type=sa.String(length=8),
            server_default="off",
            existing_nullable=False,
        )
    people = sa.table(
        "young_people",
        sa.column("nudges", sa.String),
        sa.column("digest", sa.Boolean),
        sa.column("last_seen_at", sa.DateTime),
        sa.column("messages_asked_at", sa.DateTime),
    )
    chose = (people.c.nudges != "normal") | (people.c.digest == sa.true())
    op.execute(people.update().where(chose).values(messages_asked_at=people.c.last_seen_at))
    op.execute(people.update().where(people.c.messages_asked_at.is_(None)).values(nudges="off"))


def downgrade() -> None:
    with op.batch_alter_table("young_people") as batch:
        batch.alter_column(
            "nudges",
            existing_type=sa.String(length=8),
            server_default="normal",
            existing_nullable=False,
        )
        batch.drop_column("retention_warned_at")
        batch.drop_column("messages_asked_at")
