"""Importing catalogue files: CSV, OpenActive RPDE pages and iCalendar, all or nothing."""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from colbot import cli
from colbot.app import Colbot
from colbot.catalogue.importers import (
    ImportRefused,
    detect_format,
    parse_csv,
    parse_ics,
    parse_openactive,
)
from colbot.catalogue.imports import ImportSummary, format_catalogue, import_file, list_catalogue
from colbot.content.city import City
from colbot.content.passions import Passion
from colbot.storage.models import Opportunity, Partner
from tests.catalogue.conftest import HEADER

FIXTURES = Path(__file__).parent.parent / "fixtures" / "imports"
GOOD_CSV = FIXTURES / "good.csv"
BAD_CSV = FIXTURES / "bad.csv"
OPENACTIVE = FIXTURES / "sessions.json"
ICS = FIXTURES / "programme.ics"


def csv_row(
    source_id: str,
    partner: str,
    title: str,
    starts_at: str,
    ends_at: str,
    cost: str = "0",
    capacity: str = "",
) -> str:
    """A CSV line in the contract's column order, with plain values for the other columns."""
    values = [source_id, partner, title, "D", "heritage", starts_at, ends_at, "V", "A"]
    return ",".join([*values, "KF1 1AD", "", "", "11", "16", cost, "2", capacity, "", ""])


async def snapshot(colbot: Colbot) -> tuple[int, int, str]:
    """Partners, opportunities and a checksum of every opportunity row with its passions."""
    async with colbot.database.transaction() as session:
        partners = (await session.scalars(select(Partner).order_by(Partner.id))).all()
        opportunities = (await session.scalars(select(Opportunity).order_by(Opportunity.id))).all()
        rows = [
            (
                [getattr(o, c.key) for c in Opportunity.__table__.columns],
                sorted(p.passion_id for p in o.passions),
            )
            for o in opportunities
        ]
        rows.append(([(p.id, p.slug, p.name) for p in partners], []))
    digest = hashlib.sha256(repr(rows).encode()).hexdigest()
    return len(partners), len(opportunities), digest


async def load(colbot: Colbot, source_id: str) -> Opportunity:
    async with colbot.database.transaction() as session:
        opportunity = await session.scalar(
            select(Opportunity).where(Opportunity.source_id == source_id)
        )
    assert opportunity is not None, source_id
    return opportunity


async def partner_name(colbot: Colbot, opportunity: Opportunity) -> str:
    async with colbot.database.transaction() as session:
        partner = await session.get(Partner, opportunity.partner_id)
    assert partner is not None
    return partner.name


async def run_import(colbot: Colbot, path: Path, passions: tuple[Passion, ...]) -> ImportSummary:
    return await import_file(
        colbot.database, path, colbot.city, passions, colbot.clock.now(), new_partners=True
    )


# CSV


async def test_csv_imports_and_a_second_import_changes_nothing(
    colbot: Colbot, passions: tuple[Passion, ...]
) -> None:
    partners_before, opportunities_before, _ = await snapshot(colbot)

    first = await run_import(colbot, GOOD_CSV, passions)
    after_first = await snapshot(colbot)
    second = await run_import(colbot, GOOD_CSV, passions)

    assert first == ImportSummary(created=4, updated=0, unchanged=0, partners_created=1)
    assert second == ImportSummary(created=0, updated=0, unchanged=4, partners_created=0)
    assert str(second) == "0 created, 0 updated, 4 unchanged, 0 partners created"
    assert await snapshot(colbot) == after_first
    assert after_first[:2] == (partners_before + 1, opportunities_before + 4)

    dig = await load(colbot, "museum-summer-dig")
    assert await partner_name(colbot, dig) == "Kensalfield Museum"
    assert sorted(p.passion_id for p in dig.passions) == ["heritage", "science"]
    assert (dig.area_id, dig.postcode, dig.latitude, dig.longitude) == (
        "kf1",
        "KF1 1AD",
        52.4508,
        -1.5021,
    )
    assert (dig.min_age, dig.max_age, dig.cost_pence, dig.learning_hours) == (11, 16, 0, 2.0)
    assert (dig.capacity, dig.url, dig.badge_class_id) == (
        20,
        "https://museum.kensalfield.example.org/dig",
        None,
    )

    zine = await load(colbot, "foundry-zine-day")
    assert zine.description == (
        "Cut, stick, draw and print your own zine.\nEverything is provided; bring ideas."
    )
    assert (zine.postcode, zine.area_id, zine.cost_pence, zine.learning_hours) == (
        "KF3 2AB",
        "kf3",
        250,
        4.5,
    )
    assert (zine.latitude, zine.capacity, zine.url) == (None, None, None)

    jam = await load(colbot, "skate-jam-2021")
    assert jam.area_id is None, "a postcode outside the city has no area"


async def test_partner_named_by_slug_is_found_and_not_renamed(
    colbot: Colbot, passions: tuple[Passion, ...]
) -> None:
    await run_import(colbot, GOOD_CSV, passions)

    zine = await load(colbot, "foundry-zine-day")
    assert await partner_name(colbot, zine) == "The Foundry Gallery"
    async with colbot.database.transaction() as session:
        skate = await session.scalar(
            select(Partner).where(Partner.name == "Riverside Skate Collective")
        )
    assert skate is not None and skate.slug == "riverside-skate-collective"


async def test_naive_csv_times_are_city_time_and_offsets_are_kept(
    colbot: Colbot, passions: tuple[Passion, ...]
) -> None:
    await run_import(colbot, GOOD_CSV, passions)

    summer = await load(colbot, "museum-summer-dig")  # 2027-07-03T14:00, British Summer Time
    winter = await load(colbot, "foundry-zine-day")  # 2027-01-16T10:00, Greenwich Mean Time
    explicit = await load(colbot, "skate-basics-1")  # 2027-03-06T11:00:00Z
    assert summer.starts_at == datetime(2027, 7, 3, 13, 0, tzinfo=UTC)
    assert summer.starts_at.astimezone(colbot.city.timezone).utcoffset() == timedelta(hours=1)
    assert summer.ends_at == datetime(2027, 7, 3, 15, 0, tzinfo=UTC)
    assert winter.starts_at == datetime(2027, 1, 16, 10, 0, tzinfo=UTC)
    assert explicit.starts_at == datetime(2027, 3, 6, 11, 0, tzinfo=UTC)


async def test_changed_rows_are_updated(
    colbot: Colbot, passions: tuple[Passion, ...], tmp_path: Path
) -> None:
    await run_import(colbot, GOOD_CSV, passions)
    changed = tmp_path / "changed.csv"
    changed.write_text(
        GOOD_CSV.read_text(encoding="utf-8").replace(
            "Skateboarding basics", "Skateboarding for beginners"
        ),
        encoding="utf-8",
    )

    summary = await run_import(colbot, changed, passions)

    assert summary == ImportSummary(created=0, updated=1, unchanged=3, partners_created=0)
    assert (await load(colbot, "skate-basics-1")).title == "Skateboarding for beginners"


async def test_bad_csv_is_refused_whole_with_every_problem_by_line_and_column(
    colbot: Colbot, passions: tuple[Passion, ...]
) -> None:
    before = await snapshot(colbot)

    with pytest.raises(ImportRefused) as refused:
        await run_import(colbot, BAD_CSV, passions)

    assert [(p.where, p.column) for p in refused.value.problems] == [
        ("line 3", "starts_at"),
        ("line 4", "passions"),  # the row on line 4 has a description running onto line 5
        ("line 4", "min_age"),
        ("line 6", "ends_at"),
        ("line 6", "cost"),
        ("line 6", "hours"),
        ("line 7", "id"),
        ("line 7", "latitude"),
        ("line 7", "capacity"),
        ("line 7", "url"),
        ("line 8", "title"),
        ("line 8", "postcode"),
        ("line 8", "max_age"),
        ("line 8", "badge"),
        ("line 9", ""),
    ]
    messages = [str(p) for p in refused.value.problems]
    assert messages[0] == 'line 3, column starts_at: "31/02/2026" is not an ISO 8601 time'
    assert "did you mean 'sport'?" in messages[1]
    assert "line 2" in messages[6], "a repeated id points at its first use"
    assert await snapshot(colbot) == before, "nothing was written, not even the new partner"


def test_csv_header_problems_name_the_columns(passions: tuple[Passion, ...], city: City) -> None:
    header = HEADER.replace("postcode", "postode").replace(",badge", ",notes")
    with pytest.raises(ImportRefused) as refused:
        parse_csv(header + "\n", city, passions, city.timezone)

    assert [str(p) for p in refused.value.problems] == [
        "line 1, column postode: is not a known column; did you mean 'postcode'?",
        f"line 1, column notes: is not a known column; the columns are {HEADER}",
        "line 1, column postcode: is missing from the header",
        "line 1, column badge: is missing from the header",
    ]


def test_csv_times_that_do_not_exist_or_have_no_time_of_day(
    passions: tuple[Passion, ...], city: City
) -> None:
    row = "x,P,T,D,sport,2027-03-28T01:30,2027-03-28,V,A,KF1 1AA,,,5,99,0,1,,,"
    with pytest.raises(ImportRefused) as refused:
        parse_csv(f"{HEADER}\n{row}\n", city, passions, city.timezone)

    assert [str(p) for p in refused.value.problems] == [
        'line 2, column starts_at: "2027-03-28T01:30" does not exist in Europe/London '
        "(the clocks go forward then)",
        'line 2, column ends_at: "2027-03-28" has no time of day; write it like 2027-03-28T14:00',
    ]


# OpenActive


async def test_openactive_page_imports_sessions_and_events_twice(
    colbot: Colbot, passions: tuple[Passion, ...]
) -> None:
    partners_before, _, _ = await snapshot(colbot)

    first = await run_import(colbot, OPENACTIVE, passions)
    after_first = await snapshot(colbot)
    second = await run_import(colbot, OPENACTIVE, passions)

    assert first == ImportSummary(created=5, updated=0, unchanged=0, partners_created=2)
    assert second == ImportSummary(created=0, updated=0, unchanged=5, partners_created=0)
    assert await snapshot(colbot) == after_first
    assert after_first[0] == partners_before + 2

    # A sub-event of a SessionSeries, also listed as its own ScheduledSession item: once.
    first_football = await load(colbot, "https://opendata.example.org/scheduled-sessions/ss-100-1")
    assert await partner_name(colbot, first_football) == "Kensalfield Leisure Trust"
    assert [p.passion_id for p in first_football.passions] == ["sport"]
    assert first_football.title == "Saturday Football Club"
    assert first_football.capacity == 20, "the session's own item wins over the sub-event"
    assert (first_football.venue, first_football.address) == (
        "Eastfield Sports Centre",
        "1 Park Lane, Kensalfield",
    )
    assert (first_football.postcode, first_football.area_id) == ("KF4 3CD", "kf4")
    assert (first_football.latitude, first_football.longitude) == (52.4545, -1.4632)
    assert (first_football.min_age, first_football.max_age) == (11, 16)
    assert (first_football.cost_pence, first_football.learning_hours) == (150, 1.5)

    # A naive sub-event time is the city's, and its end comes from the ISO 8601 duration.
    second_football = await load(colbot, "ss-100-2")
    assert second_football.starts_at == datetime(2027, 7, 17, 9, 0, tzinfo=UTC)
    assert second_football.ends_at == datetime(2027, 7, 17, 10, 30, tzinfo=UTC)
    assert second_football.capacity == 24

    yoga = await load(colbot, "https://opendata.example.org/scheduled-sessions/sched-201")
    assert [p.passion_id for p in yoga.passions] == ["wellbeing"]
    assert (yoga.min_age, yoga.max_age, yoga.cost_pence) == (13, 99, 300)
    assert (yoga.postcode, yoga.area_id, yoga.address) == (
        "KF6 1GH",
        "kf6",
        "Heath Road, Kensalfield",
    )
    assert yoga.learning_hours == 1.0
    assert (await load(colbot, "sched-202")).learning_hours == 1.5, "given hours win"

    jam = await load(colbot, "ev-300")
    assert await partner_name(colbot, jam) == "Riverside Youth Hub"
    assert [p.passion_id for p in jam.passions] == ["dance"]
    assert (jam.cost_pence, jam.learning_hours, jam.area_id) == (0, 2.0, "kf3")


def test_openactive_items_that_cannot_be_mapped_are_reported_by_id(
    passions: tuple[Passion, ...], city: City
) -> None:
    base = {
        "organizer": {"name": "Leisure"},
        "location": {"name": "Hall"},
        "offers": [{"price": 0}],
        "startDate": "2027-01-01T10:00:00Z",
        "endDate": "2027-01-01T11:00:00Z",
    }
    page = {
        "items": [
            {"state": "updated", "kind": "Event", "id": "e1", "data": {**base, "name": "AGM"}},
            {
                "state": "updated",
                "kind": "Event",
                "id": "e2",
                "data": {**base, "name": "Yoga", "startDate": None},
            },
            {
                "state": "updated",
                "kind": "ScheduledSession",
                "id": "s1",
                "data": {"superEvent": "https://elsewhere.example.org/ss/1", **base},
            },
            {"state": "updated", "kind": "FacilityUse", "id": "f1", "data": {"name": "Court"}},
            {"state": "deleted", "kind": "Event", "id": "gone"},
        ]
    }
    with pytest.raises(ImportRefused) as refused:
        parse_openactive(json.dumps(page), city, passions, city.timezone)

    assert sorted((p.where, p.column) for p in refused.value.problems) == [
        ("item e1", "activity"),
        ("item e2", "startDate"),
        ("item f1", "kind"),
        ("item s1", "superEvent"),
    ]


# iCalendar


async def test_ics_imports_one_opportunity_per_event_twice(
    colbot: Colbot, passions: tuple[Passion, ...]
) -> None:
    first = await run_import(colbot, ICS, passions)
    after_first = await snapshot(colbot)
    second = await run_import(colbot, ICS, passions)

    assert first == ImportSummary(created=3, updated=0, unchanged=0, partners_created=1)
    assert second == ImportSummary(created=0, updated=0, unchanged=3, partners_created=0)
    assert await snapshot(colbot) == after_first

    dance = await load(colbot, "dance-2027-07-03@northgate.example.org")
    assert await partner_name(colbot, dance) == "Northgate Youth Club"  # X-WR-CALNAME
    assert [p.passion_id for p in dance.passions] == ["dance"]  # CATEGORIES:Street Dance
    assert (dance.venue, dance.address, dance.postcode, dance.area_id) == (
        "Northgate Youth Club",
        "22 Mill Lane, Kensalfield",
        "KF2 5EF",
        "kf2",
    )
    assert (dance.latitude, dance.longitude) == (52.4672, -1.5041)
    assert (dance.min_age, dance.max_age, dance.cost_pence, dance.learning_hours) == (
        12,
        19,
        250,
        2.0,
    )
    assert dance.description == "Learn a routine in an afternoon, no experience needed."

    coding = await load(colbot, "coding-2027-01-20@northgate.example.org")
    assert sorted(p.passion_id for p in coding.passions) == ["coding", "gaming"]  # from SUMMARY
    assert (coding.min_age, coding.max_age, coding.cost_pence, coding.learning_hours) == (
        13,
        19,
        0,
        2.0,
    )

    yoga = await load(colbot, "yoga-2027-07-05@museum.example.org")
    assert await partner_name(colbot, yoga) == "Kensalfield Museum"  # ORGANIZER;CN=
    assert (yoga.learning_hours, yoga.capacity) == (1.5, 15)

    async with colbot.database.transaction() as session:
        cancelled = await session.scalar(
            select(Opportunity).where(Opportunity.source_id.like("cancelled-%"))
        )
    assert cancelled is None


async def test_ics_time_zones_are_honoured(colbot: Colbot, passions: tuple[Passion, ...]) -> None:
    await run_import(colbot, ICS, passions)

    with_tzid = await load(colbot, "dance-2027-07-03@northgate.example.org")
    floating = await load(colbot, "coding-2027-01-20@northgate.example.org")
    in_utc = await load(colbot, "yoga-2027-07-05@museum.example.org")
    assert with_tzid.starts_at == datetime(2027, 7, 3, 13, 0, tzinfo=UTC)
    assert floating.starts_at == datetime(2027, 1, 20, 18, 0, tzinfo=UTC)
    assert in_utc.starts_at == datetime(2027, 7, 5, 17, 0, tzinfo=UTC)
    assert in_utc.ends_at == datetime(2027, 7, 5, 18, 0, tzinfo=UTC)  # DURATION:PT1H


def test_ics_events_that_cannot_be_mapped_are_refused(
    passions: tuple[Passion, ...], city: City
) -> None:
    text = "\r\n".join(
        [
            "BEGIN:VCALENDAR",
            "BEGIN:VEVENT",
            "UID:agm",
            "SUMMARY:Annual meeting",
            "DTSTART:20270101T100000Z",
            "DTEND:20270101T110000Z",
            "LOCATION:Hall",
            "ORGANIZER;CN=Club:mailto:club@example.org",
            "END:VEVENT",
            "BEGIN:VEVENT",
            "UID:broken",
            "SUMMARY:Football",
            "DTSTART:20270101T100000Z",
            "DTEND:soon",
            "LOCATION:Hall",
            "ORGANIZER;CN=Club:mailto:club@example.org",
            "X-COLBOT-MIN-AGE:twelve",
            "END:VEVENT",
            "BEGIN:VEVENT",
            "UID:elsewhere",
            "SUMMARY:Football",
            "DTSTART;TZID=Mars/Olympus:20270101T100000",
            "DURATION:PT1H",
            "LOCATION:Hall",
            "ORGANIZER;CN=Club:mailto:club@example.org",
            "END:VEVENT",
            "END:VCALENDAR",
            "",
        ]
    )
    with pytest.raises(ImportRefused) as refused:
        parse_ics(text, city, passions, city.timezone)

    assert [(p.where, p.column) for p in refused.value.problems] == [
        ("event agm", "CATEGORIES"),
        ("event broken", "DTEND"),
        ("event broken", "X-COLBOT-MIN-AGE"),
        ("event elsewhere", "DTSTART"),
    ]
    assert "Mars/Olympus" in str(refused.value.problems[-1])


# Formats, listing, clashes


def test_format_comes_from_the_extension_or_the_content() -> None:
    assert detect_format("a.csv", b"BEGIN:VCALENDAR") == "csv"
    assert detect_format("feed.JSON", b"") == "openactive"
    assert detect_format("cal.ics", b"") == "ics"
    assert detect_format("download", b"\xef\xbb\xbf  BEGIN:VCALENDAR\r\n") == "ics"
    assert detect_format("download", b' {"items": []}') == "openactive"
    assert detect_format("download", HEADER.encode()) == "csv"


async def test_one_partner_by_name_and_slug_may_not_repeat_an_id(
    colbot: Colbot, passions: tuple[Passion, ...], tmp_path: Path
) -> None:
    rows = [
        csv_row("same", "Kensalfield Museum", "A", "2027-02-06T10:00", "2027-02-06T12:00"),
        csv_row("same", "kensalfield-museum", "B", "2027-02-06T10:00", "2027-02-06T12:00"),
        csv_row("new", "Brand New Partner", "C", "2027-02-06T10:00", "2027-02-06T12:00"),
    ]
    path = tmp_path / "clash.csv"
    path.write_text("\n".join([HEADER, *rows]) + "\n", encoding="utf-8")
    before = await snapshot(colbot)

    with pytest.raises(ImportRefused) as refused:
        await run_import(colbot, path, passions)

    assert [(p.where, p.column) for p in refused.value.problems] == [("line 3", "id")]
    assert await snapshot(colbot) == before, "the partner made on the way was rolled back"


async def test_list_shows_upcoming_first_and_past_only_when_asked(
    colbot: Colbot, passions: tuple[Passion, ...]
) -> None:
    await run_import(colbot, GOOD_CSV, passions)
    now = colbot.clock.now()

    upcoming = await list_catalogue(colbot.database, now)
    everything = await list_catalogue(colbot.database, now, include_past=True)

    assert all(line.ends_at > now for line in upcoming)
    assert [line.starts_at for line in upcoming] == sorted(line.starts_at for line in upcoming)
    assert "Spring skate jam" not in [line.title for line in upcoming]
    assert everything[-1].title == "Spring skate jam"
    table = format_catalogue(everything, colbot.city.timezone)
    header, rule, *body, footer = table.splitlines()
    assert header.split() == ["When", "Title", "Partner", "Passions", "Ages", "Cost", "Places"]
    assert set(rule) <= {"-", " "}
    assert any("Sat 3 Jul 2027 14:00" in line and "heritage, science" in line for line in body)
    assert any("£2.50" in line and "12-18" in line and "no limit" in line for line in body)
    assert footer == f"{len(everything)} opportunities"


# The command line


def test_cli_imports_a_file_and_lists_the_catalogue(
    cli_env: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    soon = (datetime.now(UTC) + timedelta(days=30)).strftime("%Y-%m-%dT%H:%M")
    later = (datetime.now(UTC) + timedelta(days=30, hours=2)).strftime("%Y-%m-%dT%H:%M")
    path = tmp_path / "upcoming.csv"
    rows = [
        csv_row("soon", "Kensalfield Museum", "Coming up soon", f"{soon}Z", f"{later}Z"),
        csv_row(
            "long-ago",
            "Kensalfield Museum",
            "Long ago",
            "2021-02-06T10:00",
            "2021-02-06T12:00",
            cost="3",
            capacity="8",
        ),
    ]
    path.write_text("\n".join([HEADER, *rows]) + "\n", encoding="utf-8")

    assert cli.main(["opportunities", "import", str(path), "--new-partner"]) == 0
    out = capsys.readouterr().out
    assert "2 created, 0 updated, 0 unchanged, 1 partner created" in out

    assert cli.main(["opportunities", "import", str(path)]) == 0
    assert "0 created, 0 updated, 2 unchanged, 0 partners created" in capsys.readouterr().out

    assert cli.main(["opportunities", "list"]) == 0
    listed = capsys.readouterr().out
    assert "Coming up soon" in listed and "Long ago" not in listed

    assert cli.main(["opportunities", "list", "--all"]) == 0
    listed = capsys.readouterr().out
    assert listed.index("Coming up soon") < listed.index("Long ago")
    assert "£3.00" in listed


def test_cli_refuses_a_bad_file_listing_every_problem(
    cli_env: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert cli.main(["opportunities", "import", str(GOOD_CSV), "--new-partner"]) == 0
    capsys.readouterr()

    assert cli.main(["opportunities", "import", str(BAD_CSV)]) == 1
    captured = capsys.readouterr()
    errors = captured.err.splitlines()
    assert 'line 3, column starts_at: "31/02/2026" is not an ISO 8601 time' in errors
    assert sum(line.startswith("line ") for line in errors) == 15
    assert "nothing was changed" in errors[0]
    assert "created" not in captured.out

    assert cli.main(["opportunities", "import", str(GOOD_CSV), "--new-partner"]) == 0
    assert "0 created, 0 updated, 4 unchanged" in capsys.readouterr().out


def test_cli_reports_a_missing_file(
    cli_env: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert cli.main(["opportunities", "import", str(tmp_path / "nope.csv")]) == 1
    assert "cannot read" in capsys.readouterr().err
