"""Opportunities can be withdrawn (cancelled, postponed, deleted by their feed) or full

Revision ID: 0015_opportunity_status
Revises: 0014
Create Date: 2026-12-03 23:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0015_opportunity_status"
down_revision: str | None = "0014_wallet_exchanges"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("opportunities") as batch:
        batch.add_column(
            sa.Column("status", sa.String(length=16), server_default="scheduled", nullable=False)
        )
        batch.add_column(
            sa.Column("is_full", sa.Boolean(), server_default=sa.false(), nullable=False)
        )


def downgrade() -> None:
    with op.batch_alter_table("opportunities") as batch:
        batch.drop_column("is_full")
        batch.drop_column("status")
