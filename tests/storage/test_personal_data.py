"""Every column says what personal data it holds, or that it holds none, right beside it."""

from __future__ import annotations

from sqlalchemy import MetaData, String
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from colbot.privacy.periods import Schedule, periods
from colbot.storage.models import Base
from colbot.storage.models.personal_data import (
    NOT_PERSONAL,
    Basis,
    Kept,
    Personal,
    Viewer,
    columns,
    declaration_of,
    table_declaration,
    undeclared,
)


def test_every_column_colbot_keeps_is_declared() -> None:
    assert undeclared(Base.metadata) == []


def test_a_column_added_without_a_declaration_is_named() -> None:
    class Scratch(DeclarativeBase):
        metadata = MetaData()

    thing = table_declaration(Basis.CONSENT, (Viewer.YOUNG_PERSON,), Kept.PROFILE)

    class Diary(Scratch):
        __tablename__ = "diaries"

        id: Mapped[int] = mapped_column(primary_key=True, info=NOT_PERSONAL)
        mood: Mapped[str] = mapped_column(String(20), info=thing.because("how they feel"))
        secret: Mapped[str] = mapped_column(String(200))
        other: Mapped[str] = mapped_column(String(200), info={"something": "else"})

    assert undeclared(Scratch.metadata) == ["diaries.secret", "diaries.other"]
    assert undeclared(Base.metadata) == []
    mood = declaration_of(Diary.__table__.c.mood)
    assert isinstance(mood, Personal) and mood.purpose == "how they feel"


def test_each_personal_column_has_a_purpose_viewers_and_a_known_period() -> None:
    personal = [
        (f"{table.name}.{column.name}", found)
        for table, column in columns(Base.metadata)
        if isinstance(found := declaration_of(column), Personal)
    ]
    assert len(personal) > 50
    for name, found in personal:
        assert found.purpose.strip(), name
        assert found.seen_by, name
        assert found.kept in periods(Schedule()), name


def test_what_a_young_person_gives_is_declared_personal() -> None:
    for name in ("nickname", "age", "area_id", "latitude", "longitude", "email"):
        found = declaration_of(Base.metadata.tables["young_people"].c[name])
        assert isinstance(found, Personal) and found.basis is Basis.CONSENT, name
    identity = declaration_of(Base.metadata.tables["channel_identities"].c.external_id)
    assert isinstance(identity, Personal)
    title = declaration_of(Base.metadata.tables["opportunities"].c.title)
    assert not isinstance(title, Personal)
