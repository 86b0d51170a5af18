"""The privacy pack for the city's DPO: what colbot keeps, read off the models' declarations."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from urllib.parse import urlsplit

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from sqlalchemy import MetaData

from colbot.content.city import City
from colbot.privacy.periods import Period, backups, periods, schedule_of
from colbot.privacy.standards import STANDARDS, Standard
from colbot.settings import Settings
from colbot.storage.models import Base
from colbot.storage.models.personal_data import (
    BASES,
    Basis,
    Kept,
    Personal,
    columns,
    declaration_of,
    undeclared,
)

TEMPLATES_DIR = Path(__file__).with_name("templates")
PACK_NAME = "privacy-pack"


class UndeclaredColumns(ValueError):
    """Columns that say nothing of personal data: a pack without them would mislead the DPO."""


@dataclass(frozen=True)
class PersonalColumn:
    """One column that holds personal data, as the pack lists it."""

    name: str
    declaration: Personal


@dataclass(frozen=True)
class Table:
    """One table: what it is for, and its personal columns."""

    name: str
    about: str
    personal: tuple[PersonalColumn, ...]
    other_columns: tuple[str, ...]


@dataclass(frozen=True)
class Processor:
    """Someone outside the city that personal data goes to, and what goes."""

    name: str
    in_use: bool
    what: str


@dataclass(frozen=True)
class Right:
    """Something a young person can do about their data, and how."""

    what: str
    how: str


@dataclass(frozen=True)
class Pack:
    """Everything the pack says, ready to render as Markdown or HTML."""

    city: City
    made_at: datetime
    public_url: str
    tables: tuple[Table, ...]
    quiet_tables: tuple[Table, ...]
    processors: tuple[Processor, ...]
    standards: tuple[Standard, ...]
    rights: tuple[Right, ...]
    periods: tuple[tuple[Kept, Period], ...]
    backups: Period
    bases: tuple[tuple[Basis, str], ...]

    @property
    def personal_columns(self) -> list[str]:
        """Every personal table.column, in the order listed."""
        return [column.name for table in self.tables for column in table.personal]


RIGHTS = (
    Right("See everything kept about them", "/mydata in the chat sends it all as a file, at once."),
    Right(
        "Read what is kept and why",
        "/privacy in the chat, the consent step and /help link to "
        "the privacy page, written for ages 9 to 11 and up.",
    ),
    Right(
        "Change their answers",
        "/settings (nickname, area, travel, free times, messages, "
        "quiet hours, digest) and /passions.",
    ),
    Right("Put an e-mail on their badges, or take it off", "/email, and /email off."),
    Right(
        "Choose what their journey shows",
        "/journey: sharing is off until they turn it on; "
        "nickname, passions and each badge can be hidden; a new link retires the old one.",
    ),
    Right(
        "Stop messages",
        "/stop pauses everything until they write again; messages they did not "
        "ask for can be normal, weekly or off in /settings.",
    ),
    Right(
        "Delete everything",
        "/delete erases the profile and all that hangs off it at once, "
        "asking whether their badges should keep working.",
    ),
    Right("Ask for help", "/report reaches the city's safeguarding lead and Childline."),
)


def _model_docs(metadata: MetaData) -> dict[str, str]:
    """Each table's model docstring: what the table is for, in the code's own words."""
    docs: dict[str, str] = {}
    for mapper in Base.registry.mappers:
        table = getattr(mapper.class_, "__tablename__", None)
        if isinstance(table, str) and table in metadata.tables:
            docs[table] = (mapper.class_.__doc__ or "").strip().splitlines()[0]
    return docs


def tables(metadata: MetaData = Base.metadata) -> tuple[tuple[Table, ...], tuple[Table, ...]]:
    """The tables that hold personal data, and those that hold none; refuses undeclared columns."""
    missing = undeclared(metadata)
    if missing:
        raise UndeclaredColumns(
            f"no personal-data declaration for {', '.join(missing)}: give each column "
            "info=NOT_PERSONAL or its table's declaration (colbot/storage/models/personal_data.py)"
        )
    docs = _model_docs(metadata)
    found: dict[str, tuple[list[PersonalColumn], list[str]]] = {}
    for table, column in columns(metadata):
        personal, other = found.setdefault(table.name, ([], []))
        declared = declaration_of(column)
        if isinstance(declared, Personal):
            personal.append(PersonalColumn(f"{table.name}.{column.name}", declared))
        else:
            other.append(column.name)
    made = [
        Table(name, docs.get(name, ""), tuple(personal), tuple(other))
        for name, (personal, other) in found.items()
    ]
    return (
        tuple(table for table in made if table.personal),
        tuple(table for table in made if not table.personal),
    )


def processors(settings: Settings) -> tuple[Processor, ...]:
    """Who else handles personal data, from the settings colbot runs with."""
    relay = urlsplit(settings.smtp_url).hostname if settings.smtp_url else None
    return (
        Processor(
            "Telegram (Telegram Messenger Inc.)",
            bool(settings.telegram_token),
            "Every message of a chat on Telegram, both ways, with the buttons, badge files and "
            "/mydata files colbot sends; a shared location. Telegram knows the young person's "
            "Telegram account already; colbot gives it nothing else.",
        ),
        Processor(
            f"The city's e-mail relay ({relay})" if relay else "An e-mail relay (COLBOT_SMTP_URL)",
            relay is not None,
            "Safeguarding alerts to the safeguarding lead's address: when and on which app someone "
            "asked for help, their private reference and nickname, and the words they used.",
        ),
        Processor(
            "Browsers' push services (Google, Mozilla, Apple)",
            True,
            "Only for a young person who taps 'Get reminders on this phone' in the web chat: a "
            "notification, end-to-end encrypted to their browser (RFC 8291), so the service sees "
            "only that one was sent, and when.",
        ),
    )


def build(city: City, settings: Settings, now: datetime) -> Pack:
    """The pack for this city and these settings, as of now."""
    personal, quiet = tables()
    schedule = schedule_of(settings)
    return Pack(
        city=city,
        made_at=now,
        public_url=settings.public_url.rstrip("/"),
        tables=personal,
        quiet_tables=quiet,
        processors=processors(settings),
        standards=STANDARDS,
        rights=RIGHTS,
        periods=tuple(periods(schedule).items()),
        backups=backups(schedule),
        bases=tuple(BASES.items()),
    )


def _environment(html: bool) -> Environment:
    return Environment(
        loader=FileSystemLoader(TEMPLATES_DIR),
        autoescape=select_autoescape(default=html, default_for_string=html),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )


def render(pack: Pack) -> dict[str, str]:
    """The pack as Markdown and as HTML, by file name."""
    return {
        f"{PACK_NAME}.{kind}": _environment(kind == "html")
        .get_template(f"{PACK_NAME}.{kind}.j2")
        .render(pack=pack)
        for kind in ("md", "html")
    }


def write(pack: Pack, folder: Path) -> Iterable[Path]:
    """Writes both forms into the folder; the paths written."""
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for name, text in render(pack).items():
        path = folder / name
        path.write_text(text, encoding="utf-8")
        written.append(path)
    return written
