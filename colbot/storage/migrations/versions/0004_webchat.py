"""Web chat: messages kept until acknowledged, and the last message taken from each device

Revision ID: 0004_webchat
Revises: 0003
Create Date: 2026-11-28 14:05:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import colbot.storage.models.base

revision: str = "0004_webchat"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "webchat_inbound",
        sa.Column("chat_id", sa.String(length=64), nullable=False),
        sa.Column("last_seq", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("chat_id", name=op.f("pk_webchat_inbound")),
    )
    op.create_table(
        "webchat_messages",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("chat_id", sa.String(length=64), nullable=False),
        sa.Column("payload", sa.JSON(), nullable=False),
        sa.Column(
            "created_at", colbot.storage.models.base.UTCDateTime(timezone=True), nullable=False
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_webchat_messages")),
        sqlite_autoincrement=True,
    )
    with op.batch_alter_table("webchat_messages", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_webchat_messages_chat_id"), ["chat_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("webchat_messages", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_webchat_messages_chat_id"))
    op.drop_table("webchat_messages")
    op.drop_table("webchat_inbound")
