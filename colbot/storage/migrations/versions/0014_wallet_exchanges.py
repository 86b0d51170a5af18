"""Wallet exchanges: one-time links that put a badge into a wallet app, kept as hashes

Revision ID: 0014_wallet_exchanges
Revises: 0013_code_windows
Create Date: 2026-12-08 10:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import colbot.storage.models.base

revision: str = "0014_wallet_exchanges"
down_revision: str | None = "0013_code_windows"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

UTC_DATETIME = colbot.storage.models.base.UTCDateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "wallet_exchanges",
        sa.Column("id_hash", sa.String(length=64), nullable=False),
        sa.Column("issued_badge_id", sa.Integer(), nullable=False),
        sa.Column("challenge", sa.String(length=64), nullable=False),
        sa.Column("created_at", UTC_DATETIME, nullable=False),
        sa.Column("expires_at", UTC_DATETIME, nullable=False),
        sa.Column("used_at", UTC_DATETIME, nullable=True),
        sa.ForeignKeyConstraint(
            ["issued_badge_id"],
            ["issued_badges.id"],
            name=op.f("fk_wallet_exchanges_issued_badge_id_issued_badges"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id_hash", name=op.f("pk_wallet_exchanges")),
    )
    op.create_index(
        op.f("ix_wallet_exchanges_issued_badge_id"),
        "wallet_exchanges",
        ["issued_badge_id"],
        unique=False,
    )
    op.create_index(
        op.f("ix_wallet_exchanges_expires_at"), "wallet_exchanges", ["expires_at"], unique=False
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_wallet_exchanges_expires_at"), table_name="wallet_exchanges")
    op.drop_index(op.f("ix_wallet_exchanges_issued_badge_id"), table_name="wallet_exchanges")
    op.drop_table("wallet_exchanges")
