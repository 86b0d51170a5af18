"""What each column holds about a person, declared beside it, so the privacy pack cannot drift.

Every mapped column carries `info=NOT_PERSONAL` or a `Personal` declaration (purpose, lawful
basis, who sees it, how long it is kept). `colbot privacy pack` reads them off the metadata, and
tests/storage/test_personal_data.py fails, naming the table.column, on a column with neither.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from enum import StrEnum
from typing import Any

from sqlalchemy import Column, MetaData, Table

INFO_KEY = "personal_data"


class Subject(StrEnum):
    """Whose data a column holds."""

    YOUNG_PERSON = "young person"
    STAFF = "partner staff"
    CITY_TEAM = "city team"
    PARTNER = "partner organisation's contact"
    ANYONE = "anyone using colbot"


class Basis(StrEnum):
    """The UK GDPR lawful basis a column is kept on (BASES says what each means here)."""

    CONSENT = "consent"
    PUBLIC_TASK = "public task"
    LEGITIMATE_INTERESTS = "legitimate interests"
    VITAL_INTERESTS = "vital interests"


BASES = {
    Basis.CONSENT: "UK GDPR Art. 6(1)(a), with Art. 8 (13 or over in the UK): asked before "
    "anything is kept, with two equal buttons; 'no' keeps nothing, and /delete withdraws it.",
    Basis.PUBLIC_TASK: "Art. 6(1)(e): the city runs its City of Learning, with partners' staff "
    "and its own team.",
    Basis.LEGITIMATE_INTERESTS: "Art. 6(1)(f): keeping the service secure and working, such as "
    "tracing misuse of codes and stopping guessing.",
    Basis.VITAL_INTERESTS: "Art. 6(1)(d) and (e): a young person asked for help, and the city's "
    "safeguarding lead must be told.",
}


class Viewer(StrEnum):
    """Who can see a column's value, beyond the processes that keep it."""

    YOUNG_PERSON = "the young person (/mydata)"
    OPERATORS = "the city's colbot operators (database and backups)"
    CITY_TEAM = "the city team"
    CITY_TEAM_COUNTS = "the city team, only as counts on the dashboard"
    PARTNER_COUNTS = "the partner's staff, only as counts"
    SHARED_JOURNEY = "anyone with their journey link, only while they share it"
    BADGE_HOLDERS = "anyone they show a badge to"
    STAFF = "the partner's own staff"


class Kept(StrEnum):
    """Which retention period applies; colbot/privacy/periods.py says how long each is."""

    PROFILE = "profile"
    CONVERSATION = "conversation"
    OUTBOX = "outbox"
    WEB_CHAT = "web_chat"
    LINKS = "links"
    AUDIT = "audit"
    BADGES = "badges"
    STAFF = "staff"
    PROCESSING = "processing"
    CATALOGUE = "catalogue"


@dataclass(frozen=True)
class Personal:
    """A column that holds personal data, and what the city's DPO must know about it."""

    purpose: str
    basis: Basis
    seen_by: tuple[Viewer, ...]
    kept: Kept
    about: Subject = Subject.YOUNG_PERSON

    def because(self, purpose: str, **changes: Any) -> dict[str, Personal]:
        """This table's common declaration for one column, with its own purpose."""
        return {INFO_KEY: replace(self, purpose=purpose, **changes)}


@dataclass(frozen=True)
class NotPersonal:
    """A column that holds nothing about a person."""


NOT_PERSONAL: dict[str, NotPersonal] = {INFO_KEY: NotPersonal()}


def table_declaration(
    basis: Basis,
    seen_by: tuple[Viewer, ...],
    kept: Kept,
    about: Subject = Subject.YOUNG_PERSON,
) -> Personal:
    """What every personal column of one table shares; each column adds its purpose."""
    return Personal("", basis, seen_by, kept, about)


def declaration_of(column: Column[Any]) -> Personal | NotPersonal | None:
    """A column's declaration; None when it has none (a test fails on that)."""
    found = column.info.get(INFO_KEY)
    return found if isinstance(found, Personal | NotPersonal) else None


def columns(metadata: MetaData) -> list[tuple[Table, Column[Any]]]:
    """Every column of every table, in a stable order."""
    return [
        (table, column)
        for table in sorted(metadata.tables.values(), key=lambda table: table.name)
        for column in table.columns
    ]


def undeclared(metadata: MetaData) -> list[str]:
    """Every table.column that says neither what personal data it holds nor that it holds none."""
    return [
        f"{table.name}.{column.name}"
        for table, column in columns(metadata)
        if declaration_of(column) is None
    ]
