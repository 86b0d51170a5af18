"""Web Push: the browsers that asked to be notified of what colbot sends their web chat

Revision ID: 0009_web_push
Revises: 0008_webchat_moves
Create Date: 2026-12-01 19:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import colbot.storage.models.base

revision: str = "0009_web_push"
down_revision: str | None = "0008_webchat_moves"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

UTC_DATETIME = colbot.storage.models.base.UTCDateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "webpush_subscriptions",
        sa.Column("endpoint_hash", sa.String(length=64), nullable=False),
        sa.Column("endpoint", sa.Text(), nullable=False),
        sa.Column("device", sa.String(length=64), nullable=False),
        sa.Column("chat_id", sa.String(length=64), nullable=False),
        sa.Column("p256dh", sa.String(length=128), nullable=False),
        sa.Column("auth", sa.String(length=64), nullable=False),
        sa.Column("created_at", UTC_DATETIME, nullable=False),
        sa.PrimaryKeyConstraint("endpoint_hash", name=op.f("pk_webpush_subscriptions")),
    )
    op.create_index(
        op.f("ix_webpush_subscriptions_device"), "webpush_subscriptions", ["device"], unique=False
    )
    op.create_index(
        op.f("ix_webpush_subscriptions_chat_id"),
        "webpush_subscriptions",
        ["chat_id"],
        unique=False,
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_webpush_subscriptions_chat_id"), table_name="webpush_subscriptions")
    op.drop_index(op.f("ix_webpush_subscriptions_device"), table_name="webpush_subscriptions")
    op.drop_table("webpush_subscriptions")
