"""Opportunities keep every offer's age band and price, so each young person sees theirs

Revision ID: 0016_offer_prices
Revises: 0015_opportunity_status
Create Date: 2026-12-04 06:20:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0016_offer_prices"
down_revision: str | None = "0015_opportunity_status"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("opportunities") as batch:
        batch.add_column(sa.Column("offers", sa.JSON(), server_default="[]", nullable=False))


def downgrade() -> None:
    with op.batch_alter_table("opportunities") as batch:
        batch.drop_column("offers")
