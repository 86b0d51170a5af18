"""The city's dashboard: sign-in links, sessions, anonymous funnel counts and range indexes

Revision ID: 0006_dashboard
Revises: 0005_weekly_digest
Create Date: 2026-11-28 15:40:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import colbot.storage.models.base

revision: str = "0006_dashboard"
down_revision: str | None = "0005_weekly_digest"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

UTC_DATETIME = colbot.storage.models.base.UTCDateTime(timezone=True)


def _access_table(name: str, *extra: sa.Column) -> None:
    op.create_table(
        name,
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("secret_hash", sa.String(length=64), nullable=False),
        sa.Column("actor", sa.String(length=128), nullable=False),
        sa.Column("partner_id", sa.Integer(), nullable=True),
        sa.Column("staff_member_id", sa.Integer(), nullable=True),
        sa.Column("created_at", UTC_DATETIME, nullable=False),
        sa.Column("expires_at", UTC_DATETIME, nullable=False),
        *extra,
        sa.ForeignKeyConstraint(
            ["partner_id"], ["partners.id"], name=op.f(f"fk_{name}_partner_id_partners")
        ),
        sa.ForeignKeyConstraint(
            ["staff_member_id"],
            ["staff_members.id"],
            name=op.f(f"fk_{name}_staff_member_id_staff_members"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f(f"pk_{name}")),
        sa.UniqueConstraint("secret_hash", name=op.f(f"uq_{name}_secret_hash")),
    )


def _backfill_funnel() -> None:
    """Counts what was already recorded, by the UTC day it happened, so history is not lost."""
    day = "date({})" if op.get_bind().dialect.name == "sqlite" else "CAST({} AS DATE)"
    first_shown = (
        "SELECT young_person_id, opportunity_id, MIN(shown_at) AS at FROM cards_shown "
        "GROUP BY young_person_id, opportunity_id"
    )
    reminded = (
        "SELECT r.opportunity_id, MIN(s.saved_at) AS at FROM reminders r JOIN saved_items s "
        "ON s.young_person_id = r.young_person_id AND s.opportunity_id = r.opportunity_id "
        "GROUP BY r.young_person_id, r.opportunity_id"
    )
    for stage, source, at in (
        ("recommended", first_shown, "at"),
        ("saved", "SELECT opportunity_id, saved_at AS at FROM saved_items", "at"),
        ("reminded", reminded, "at"),
    ):
        op.execute(
            f"INSERT INTO funnel_counts (day, opportunity_id, stage, count) "  # noqa: S608
            f"SELECT {day.format(at)}, opportunity_id, '{stage}', COUNT(*) FROM ({source}) AS f "
            f"GROUP BY {day.format(at)}, opportunity_id"
        )


def upgrade() -> None:
    _access_table("dashboard_links", sa.Column("used_at", UTC_DATETIME, nullable=True))
    _access_table("dashboard_sessions", sa.Column("ended_at", UTC_DATETIME, nullable=True))
    with op.batch_alter_table("dashboard_sessions", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_dashboard_sessions_expires_at"), ["expires_at"], unique=False
        )
    op.create_table(
        "funnel_counts",
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("opportunity_id", sa.Integer(), nullable=False),
        sa.Column("stage", sa.String(length=16), nullable=False),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["opportunity_id"],
            ["opportunities.id"],
            name=op.f("fk_funnel_counts_opportunity_id_opportunities"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("day", "opportunity_id", "stage", name=op.f("pk_funnel_counts")),
    )
    op.create_index(
        "ix_redemptions_dashboard",
        "redemptions",
        ["redeemed_at", "opportunity_id", "young_person_id", "learning_hours"],
    )
    op.create_index("ix_issued_badges_issued_at", "issued_badges", ["issued_at", "redemption_id"])
    op.create_index("ix_young_people_onboarded_at", "young_people", ["onboarded_at", "area_id"])
    op.create_index(
        "ix_young_people_last_seen_at", "young_people", ["last_seen_at", "onboarded_at"]
    )
    _backfill_funnel()


def downgrade() -> None:
    op.drop_index("ix_young_people_last_seen_at", table_name="young_people")
    op.drop_index("ix_young_people_onboarded_at", table_name="young_people")
    op.drop_index("ix_issued_badges_issued_at", table_name="issued_badges")
    op.drop_index("ix_redemptions_dashboard", table_name="redemptions")
    op.drop_table("funnel_counts")
    with op.batch_alter_table("dashboard_sessions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_dashboard_sessions_expires_at"))
    op.drop_table("dashboard_sessions")
    op.drop_table("dashboard_links")
