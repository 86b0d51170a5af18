"""The privacy pack: every personal column, the processors in use, the Code's 15 standards."""

from __future__ import annotations

import asyncio
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from sqlalchemy import MetaData, String
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from colbot.content.bundle import load_bundle
from colbot.privacy import pack
from colbot.privacy.standards import STANDARDS
from colbot.settings import Settings
from colbot.storage.models import Base
from colbot.storage.models.personal_data import NOT_PERSONAL, Personal, columns, declaration_of
from tests.support.demo import TEST_NOW
from tests.support.process import colbot_env, start_colbot

REPOSITORY = Path(__file__).resolve().parents[2]
# The ICO's Age Appropriate Design Code, in its own order.
CHILDRENS_CODE = (
    "Best interests of the child",
    "Data protection impact assessments",
    "Age appropriate application",
    "Transparency",
    "Detrimental use of data",
    "Policies and community standards",
    "Default settings",
    "Data minimisation",
    "Data sharing",
    "Geolocation",
    "Parental controls",
    "Profiling",
    "Nudge techniques",
    "Connected toys and devices",
    "Online tools",
)


def _built(settings: Settings) -> pack.Pack:
    return pack.build(load_bundle("en", "kensalfield").city, settings, TEST_NOW)


def test_the_pack_lists_every_personal_column(tmp_path: Path) -> None:
    built = _built(Settings(data_dir=tmp_path))
    documents = pack.render(built)
    personal = {
        f"{table.name}.{column.name}": found
        for table, column in columns(Base.metadata)
        if isinstance(found := declaration_of(column), Personal)
    }
    assert sorted(built.personal_columns) == sorted(personal)
    for text in documents.values():
        for name, found in personal.items():
            row = next(
                line for line in text.splitlines() if f">{name}<" in line or f"`{name}`" in line
            )
            assert found.kept in row, name
    markdown = documents["privacy-pack.md"]
    assert "| `young_people.nickname` | young person | what colbot calls them;" in markdown
    assert "`opportunities.title`" not in markdown
    assert "- `opportunities`: One session or event a partner offers." in markdown


def test_the_pack_refuses_a_column_without_a_declaration() -> None:
    class Scratch(DeclarativeBase):
        metadata = MetaData()

    class Diary(Scratch):
        __tablename__ = "diaries"

        id: Mapped[int] = mapped_column(primary_key=True, info=NOT_PERSONAL)
        secret: Mapped[str] = mapped_column(String(200))

    with pytest.raises(pack.UndeclaredColumns, match=r"for diaries\.secret: give each column"):
        pack.tables(Diary.metadata)
    personal, quiet = pack.tables()
    assert "young_people" in {t.name for t in personal} and "leases" in {t.name for t in quiet}


def test_the_pack_names_the_city_its_contacts_and_retention(tmp_path: Path) -> None:
    markdown = pack.render(_built(Settings(data_dir=tmp_path)))["privacy-pack.md"]
    assert markdown.startswith("# Privacy pack: colbot for Kensalfield City of Learning")
    assert "Kensalfield Council's Data Protection Officer, dataprotection@kensalfield" in markdown
    assert "Safeguarding lead: Sam Okafor, 01632 960412" in markdown
    assert "or 12 months after their last message: they are told once, 30 days before" in markdown
    assert "Set by `COLBOT_RETENTION_INACTIVE`, `COLBOT_RETENTION_WARNING`." in markdown
    assert "the newest 14, none older than 35 days, are kept." in markdown
    assert "/mydata in the chat sends it all" in markdown


def test_the_processors_follow_the_settings(tmp_path: Path) -> None:
    bare = pack.render(_built(Settings(data_dir=tmp_path)))["privacy-pack.md"]
    assert "**Telegram (Telegram Messenger Inc.)** (not set up on this colbot)" in bare
    assert "**An e-mail relay (COLBOT_SMTP_URL)** (not set up on this colbot)" in bare
    configured = Settings(
        data_dir=tmp_path,
        telegram_token="123:secret-token",
        smtp_url="smtp://colbot:hunter2@mail.kensalfield.example.org:587",
    )
    full = pack.render(_built(configured))
    assert "**Telegram (Telegram Messenger Inc.)** (in use)" in full["privacy-pack.md"]
    relay = "**The city's e-mail relay (mail.kensalfield.example.org)** (in use): Safeguarding"
    assert relay in full["privacy-pack.md"]
    for text in full.values():
        assert "hunter2" not in text and "secret-token" not in text


def test_the_fifteen_standards_each_name_tests_that_exist() -> None:
    assert tuple(standard.name for standard in STANDARDS) == CHILDRENS_CODE
    assert [standard.number for standard in STANDARDS] == list(range(1, 16))
    for standard in STANDARDS:
        assert standard.how.strip() and standard.tests, standard.name
        for test in standard.tests:
            path, _, name = test.partition("::")
            source = REPOSITORY / path
            assert source.is_file(), f"{standard.name}: {path} does not exist"
            defined = re.search(rf"^(async )?def {name}\(", source.read_text(), re.MULTILINE)
            assert defined, f"{standard.name}: {path} has no test {name}"


class _Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.open: list[str] = []
        self.headings = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag not in {"meta", "br", "link"}:
            self.open.append(tag)
        self.headings += tag == "h3"

    def handle_endtag(self, tag: str) -> None:
        assert self.open and self.open.pop() == tag, tag


def test_the_html_pack_is_well_formed_and_escaped(tmp_path: Path) -> None:
    html = pack.render(_built(Settings(data_dir=tmp_path)))["privacy-pack.html"]
    tags = _Tags()
    tags.feed(html)
    assert tags.open == []
    assert tags.headings > 15 + 20
    assert "Council&#39;s Data Protection Officer" in html
    assert "<script" not in html


async def test_colbot_privacy_pack_writes_both_files(tmp_path: Path) -> None:
    out = tmp_path / "pack"
    process = await start_colbot("privacy", "pack", "--out", str(out), env=colbot_env(tmp_path))
    stdout, stderr = await asyncio.wait_for(process.communicate(), 60)
    assert process.returncode == 0, stderr.decode()
    assert sorted(p.name for p in out.iterdir()) == ["privacy-pack.html", "privacy-pack.md"]
    assert f"Wrote {out / 'privacy-pack.md'}" in stdout.decode()
    assert "hold personal data." in stdout.decode()
    assert "`young_people.email`" in (out / "privacy-pack.md").read_text()
