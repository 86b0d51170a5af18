"""Code windows: when a session's code starts working, and which opportunities are sessions

Codes made before this keep working as they were made (no start); every opportunity already
listed is a session at its listed times until its catalogue says otherwise.

Revision ID: 0013_code_windows
Revises: 0012_webchat_files
Create Date: 2026-12-04 10:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import colbot.storage.models.base

revision: str = "0013_code_windows"
down_revision: str | None = "0012_webchat_files"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

UTC_DATETIME = colbot.storage.models.base.UTCDateTime(timezone=True)


def upgrade() -> None:
    with op.batch_alter_table("completion_codes", schema=None) as batch_op:
        batch_op.add_column(sa.Column("not_before", UTC_DATETIME, nullable=True))
    with op.batch_alter_table("opportunities", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("timing", sa.String(length=16), nullable=False, server_default="session")
        )


def downgrade() -> None:
    with op.batch_alter_table("opportunities", schema=None) as batch_op:
        batch_op.drop_column("timing")
    with op.batch_alter_table("completion_codes", schema=None) as batch_op:
        batch_op.drop_column("not_before")
