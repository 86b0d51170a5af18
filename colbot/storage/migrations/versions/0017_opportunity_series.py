"""The dates of one repeating event share a series key, so they are shown as one opportunity

Revision ID: 0017_opportunity_series
Revises: 0016_offer_prices
Create Date: 2026-12-04 06:20:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0017_opportunity_series"
down_revision: str | None = "0016_offer_prices"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("opportunities") as batch:
        batch.add_column(sa.Column("series_key", sa.String(length=200), nullable=True))
        batch.create_index(batch.f("ix_opportunities_series_key"), ["series_key"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("opportunities") as batch:
        batch.drop_index(batch.f("ix_opportunities_series_key"))
        batch.drop_column("series_key")
