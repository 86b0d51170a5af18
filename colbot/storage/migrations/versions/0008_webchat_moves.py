"""Web chat moves: which chat a browser is after a move, live move codes and wrong guesses

Revision ID: 0008_webchat_moves
Revises: 0007_several_processes
Create Date: 2026-11-28 17:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import colbot.storage.models.base

revision: str = "0008_webchat_moves"
down_revision: str | None = "0007_several_processes"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

UTC_DATETIME = colbot.storage.models.base.UTCDateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "webchat_devices",
        sa.Column("device", sa.String(length=64), nullable=False),
        sa.Column("chat_id", sa.String(length=64), nullable=False),
        sa.Column("moved_away", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("device", name=op.f("pk_webchat_devices")),
    )
    op.create_index(
        op.f("ix_webchat_devices_chat_id"), "webchat_devices", ["chat_id"], unique=False
    )
    op.create_table(
        "webchat_moves",
        sa.Column("code_hash", sa.String(length=64), nullable=False),
        sa.Column("chat_id", sa.String(length=64), nullable=False),
        sa.Column("expires_at", UTC_DATETIME, nullable=False),
        sa.PrimaryKeyConstraint("code_hash", name=op.f("pk_webchat_moves")),
    )
    op.create_index(op.f("ix_webchat_moves_chat_id"), "webchat_moves", ["chat_id"], unique=False)
    op.create_table(
        "webchat_move_failures",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("device", sa.String(length=64), nullable=False),
        sa.Column("at", UTC_DATETIME, nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_webchat_move_failures")),
    )
    op.create_index(
        op.f("ix_webchat_move_failures_device"), "webchat_move_failures", ["device"], unique=False
    )
    op.create_index(
        op.f("ix_webchat_move_failures_at"), "webchat_move_failures", ["at"], unique=False
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_webchat_move_failures_at"), table_name="webchat_move_failures")
    op.drop_index(op.f("ix_webchat_move_failures_device"), table_name="webchat_move_failures")
    op.drop_table("webchat_move_failures")
    op.drop_index(op.f("ix_webchat_moves_chat_id"), table_name="webchat_moves")
    op.drop_table("webchat_moves")
    op.drop_index(op.f("ix_webchat_devices_chat_id"), table_name="webchat_devices")
    op.drop_table("webchat_devices")
