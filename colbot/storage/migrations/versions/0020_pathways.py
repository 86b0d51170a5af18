"""Pathways: which ones each young person follows, and whether "one step to go" was sent

Revision ID: 0020_pathways
Revises: 0018_retention
Create Date: 2026-12-06 21:20:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import colbot.storage.models.base

revision: str = "0020_pathways"
down_revision: str | None = "0018_retention"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

UTC_DATETIME = colbot.storage.models.base.UTCDateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "pathway_follows",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("young_person_id", sa.Integer(), nullable=False),
        sa.Column("pathway_id", sa.String(length=64), nullable=False),
        sa.Column("followed_at", UTC_DATETIME, nullable=False),
        sa.Column("unfollowed_at", UTC_DATETIME, nullable=True),
        sa.Column("one_to_go_at", UTC_DATETIME, nullable=True),
        sa.ForeignKeyConstraint(
            ["young_person_id"],
            ["young_people.id"],
            name=op.f("fk_pathway_follows_young_person_id_young_people"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_pathway_follows")),
        sa.UniqueConstraint(
            "young_person_id", "pathway_id", name=op.f("uq_pathway_follows_young_person_id")
        ),
    )
    op.create_index(
        op.f("ix_pathway_follows_young_person_id"),
        "pathway_follows",
        ["young_person_id"],
        unique=False,
    )
    op.create_index(
        op.f("ix_pathway_follows_pathway_id"), "pathway_follows", ["pathway_id"], unique=False
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_pathway_follows_pathway_id"), table_name="pathway_follows")
    op.drop_index(op.f("ix_pathway_follows_young_person_id"), table_name="pathway_follows")
    op.drop_table("pathway_follows")
