"""Audit log: an index on (action, at), so counting recent wrong codes reads only those

Revision ID: 0010_audit_action_at
Revises: 0009_web_push
Create Date: 2026-12-01 21:15:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0010_audit_action_at"
down_revision: str | None = "0009_web_push"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index("ix_audit_log_action_at", "audit_log", ["action", "at"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_audit_log_action_at", table_name="audit_log")
