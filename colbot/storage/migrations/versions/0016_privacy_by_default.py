"""Privacy by default: nudges off until a young person says yes, and the retention warning

Existing people: a "normal" nudge setting was never a choice (it was the default), so it becomes
"off", unless they switched the weekly digest on, which was a yes to messages they did not ask
for; "weekly" and "off" were choices and stay. Reminders they asked for are untouched.

Revision ID: 0016_privacy_by_default
Revises: 0014_wallet_exchanges
Create Date: 2026-12-03 23:10:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import colbot.storage.models.base

revision: str = "0016_privacy_by_default"
down_revision: str | None = "0015_opportunity_status"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

UTC_DATETIME = colbot.storage.models.base.UTCDateTime(timezone=True)


def upgrade() -> None:
    with op.batch_alter_table("young_people", schema=None) as batch_op:
        batch_op.alter_column(
            "nudges",
            existing_type=sa.String(length=8),
            server_default="off",
            existing_nullable=False,
        )
        batch_op.add_column(sa.Column("retention_warned_at", UTC_DATETIME, nullable=True))
    op.execute(
        sa.text(
            "UPDATE young_people SET nudges = 'off' "
            "WHERE nudges = 'normal' AND (digest IS NULL OR digest = :no)"
        ).bindparams(no=False)
    )


def downgrade() -> None:
    with op.batch_alter_table("young_people", schema=None) as batch_op:
        batch_op.drop_column("retention_warned_at")
        batch_op.alter_column(
            "nudges",
            existing_type=sa.String(length=8),
            server_default="normal",
            existing_nullable=False,
        )
