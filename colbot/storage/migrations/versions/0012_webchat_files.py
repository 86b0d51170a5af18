"""Web chat files: pictures and files kept for their chat, so a reload shows them again

Revision ID: 0012_webchat_files
Revises: 0011_city_admins
Create Date: 2026-12-03 14:05:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import colbot.storage.models.base

revision: str = "0012_webchat_files"
down_revision: str | None = "0011_city_admins"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

UTC_DATETIME = colbot.storage.models.base.UTCDateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "webchat_files",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("chat_id", sa.String(length=64), nullable=False),
        sa.Column("token", sa.String(length=64), nullable=False),
        sa.Column("filename", sa.String(length=200), nullable=False),
        sa.Column("mime_type", sa.String(length=100), nullable=False),
        sa.Column("content", sa.LargeBinary(), nullable=False),
        sa.Column("created_at", UTC_DATETIME, nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("token"),
    )
    op.create_index("ix_webchat_files_chat_id", "webchat_files", ["chat_id"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_webchat_files_chat_id", table_name="webchat_files")
    op.drop_table("webchat_files")
