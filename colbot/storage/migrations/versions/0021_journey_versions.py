"""Journey versions: a stamp on each journey that the database itself bumps on every write that
changes what its shared page shows, so a re-visit costs one indexed read and no write path can
forget to bump it

Revision ID: 0021_journey_versions
Revises: 0020_pathways
Create Date: 2026-12-07 05:50:00
"""

from collections.abc import Sequence
from dataclasses import dataclass

import sqlalchemy as sa
from alembic import op

revision: str = "0021_journey_versions"
down_revision: str | None = "0020_pathways"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

PREFIX = "bump_journey_version"
# What the journey row itself holds for its page. `sharing` is left out on purpose: switched off,
# no read answers at all; switched on again, the page is the very same, and a kept copy is good.
JOURNEY_COLUMNS = ("show_nickname", "show_passions", "hidden_badge_ids", "slug")


@dataclass(frozen=True)
class Bump:
    """Bumps the journeys `whose` (a condition on journeys, {row} being OLD or NEW) on `events`
    of `table`, for updates only of `columns` when given."""

    table: str
    events: tuple[str, ...]
    whose: str
    columns: tuple[str, ...] = ()


ALL = ("INSERT", "UPDATE", "DELETE")
OWNED = "young_person_id = {row}.young_person_id"
BUMPS = (
    Bump("young_people", ("UPDATE",), "young_person_id = {row}.id", ("nickname",)),
    Bump("young_person_passions", ALL, OWNED),
    # Any update: revoking is one (revoked_at), and the page reads most of the row.
    Bump("issued_badges", ALL, OWNED),
    Bump(
        "redemptions",
        ("UPDATE", "DELETE"),
        "young_person_id IN (SELECT young_person_id FROM issued_badges "
        "WHERE redemption_id = {row}.id)",
        ("opportunity_id", "learning_hours"),
    ),
    Bump(
        "opportunities",
        ("UPDATE",),
        "young_person_id IN (SELECT b.young_person_id FROM issued_badges b "
        "JOIN redemptions r ON r.id = b.redemption_id WHERE r.opportunity_id = {row}.id)",
        ("title",),
    ),
    Bump("pathway_follows", ALL, OWNED),
)


def _bump(whose: str) -> str:
    """The statement that bumps the journeys matching a condition written in this file."""
    return f"UPDATE journeys SET version = version + 1 WHERE {whose};"  # noqa: S608


def _rows(event: str) -> tuple[str, ...]:
    return {"INSERT": ("NEW",), "DELETE": ("OLD",), "UPDATE": ("OLD", "NEW")}[event]


def _whose(bump: Bump, event: str) -> str:
    return " OR ".join(f"({bump.whose.format(row=row)})" for row in _rows(event))


def _when(bump: Bump, event: str) -> str:
    columns = f" OF {', '.join(bump.columns)}" if bump.columns and event == "UPDATE" else ""
    return f"AFTER {event}{columns} ON {bump.table}"


def _sqlite() -> list[str]:
    # SQLite's recursive_triggers is off, and the journeys trigger sets only `version`, which it
    # does not listen to, so it would not fire itself even if it were on.
    statements = [
        f"CREATE TRIGGER {PREFIX}_journeys AFTER UPDATE OF {', '.join(JOURNEY_COLUMNS)} "
        "ON journeys FOR EACH ROW BEGIN "
        f"{_bump('id = NEW.id')} END"
    ]
    for bump in BUMPS:
        for event in bump.events:
            statements.append(
                f"CREATE TRIGGER {PREFIX}_{bump.table}_{event.lower()} {_when(bump, event)} "
                "FOR EACH ROW BEGIN "
                f"{_bump(_whose(bump, event))} END"
            )
    return statements


def _postgresql() -> list[str]:
    statements = [
        f"CREATE FUNCTION {PREFIX}_journeys() RETURNS trigger LANGUAGE plpgsql AS $$ "
        "BEGIN NEW.version := OLD.version + 1; RETURN NEW; END $$",
        f"CREATE TRIGGER {PREFIX}_journeys BEFORE UPDATE OF {', '.join(JOURNEY_COLUMNS)} "
        f"ON journeys FOR EACH ROW EXECUTE FUNCTION {PREFIX}_journeys()",
    ]
    for bump in BUMPS:
        branches = " ".join(
            f"{'IF' if number == 0 else 'ELSIF'} TG_OP = '{event}' THEN "
            f"{_bump(_whose(bump, event))}"
            for number, event in enumerate(bump.events)
        )
        statements.append(
            f"CREATE FUNCTION {PREFIX}_{bump.table}() RETURNS trigger LANGUAGE plpgsql AS $$ "
            f"BEGIN {branches} END IF; RETURN NULL; END $$"
        )
        for event in bump.events:
            statements.append(
                f"CREATE TRIGGER {PREFIX}_{bump.table}_{event.lower()} {_when(bump, event)} "
                f"FOR EACH ROW EXECUTE FUNCTION {PREFIX}_{bump.table}()"
            )
    return statements


def _drops(postgresql: bool) -> list[str]:
    on = " ON journeys" if postgresql else ""
    statements = [f"DROP TRIGGER IF EXISTS {PREFIX}_journeys{on}"]
    for bump in BUMPS:
        on = f" ON {bump.table}" if postgresql else ""
        statements += [
            f"DROP TRIGGER IF EXISTS {PREFIX}_{bump.table}_{event.lower()}{on}"
            for event in bump.events
        ]
    if postgresql:
        statements += [
            f"DROP FUNCTION IF EXISTS {PREFIX}_{table}()"
            for table in ("journeys", *(bump.table for bump in BUMPS))
        ]
    return statements


def _postgres() -> bool:
    return op.get_bind().dialect.name == "postgresql"


def upgrade() -> None:
    op.add_column(
        "journeys", sa.Column("version", sa.Integer(), nullable=False, server_default="0")
    )
    for statement in _postgresql() if _postgres() else _sqlite():
        op.execute(statement)


def downgrade() -> None:
    postgresql = _postgres()
    for statement in _drops(postgresql):
        op.execute(statement)
    with op.batch_alter_table("journeys") as batch:
        batch.drop_column("version")
