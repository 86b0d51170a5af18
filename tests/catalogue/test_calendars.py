"""Calendars as Google Calendar and Outlook export them: repeats, exceptions, whole days, zones."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import select

from colbot.app import Colbot
from colbot.catalogue.importers import parse_ics
from colbot.catalogue.imports import ImportSummary, import_file
from colbot.content.city import City
from colbot.content.passions import Passion
from colbot.storage.models import Opportunity

CALENDARS = Path(__file__).parent.parent / "fixtures" / "calendars"
GOOGLE = CALENDARS / "google.ics"
OUTLOOK = CALENDARS / "outlook.ics"
CLUB = "6k2j9a8qv1r3m0c4s5t7u8w9x0@google.com"
NOW = datetime(2026, 11, 28, 9, 30, tzinfo=UTC)


def starts(city: City, passions: tuple[Passion, ...], path: Path) -> dict[str, datetime | str]:
    """Each id in the calendar, with its start, or its status if it is called off."""
    return {
        item.fields.source_id: (
            item.fields.starts_at.astimezone(UTC)
            if item.fields.status == "scheduled"
            else item.fields.status
        )
        for item in parse_ics(path.read_bytes(), city, passions, city.timezone, now=NOW)
    }


def test_a_google_calendar_export_is_read_with_its_repeats_and_exceptions(
    city: City, passions: tuple[Passion, ...]
) -> None:
    found = starts(city, passions, GOOGLE)

    club = {key.split("#")[1]: value for key, value in found.items() if key.startswith(CLUB)}
    assert club == {
        "2026-12-01T16:30:00+00:00": datetime(2026, 12, 1, 16, 30, tzinfo=UTC),
        # RECURRENCE-ID override: the 8th moved to Thursday the 10th, at 17:00.
        "2026-12-08T16:30:00+00:00": datetime(2026, 12, 10, 17, 0, tzinfo=UTC),
        "2026-12-15T16:30:00+00:00": "cancelled",  # a cancelled instance
        "2026-12-22T16:30:00+00:00": "cancelled",  # EXDATE
        "2026-12-29T16:30:00+00:00": datetime(2026, 12, 29, 16, 30, tzinfo=UTC),
        "2027-01-05T16:30:00+00:00": datetime(2027, 1, 5, 16, 30, tzinfo=UTC),
        "2027-01-12T16:30:00+00:00": datetime(2027, 1, 12, 16, 30, tzinfo=UTC),
        "2027-01-19T16:30:00+00:00": datetime(2027, 1, 19, 16, 30, tzinfo=UTC),
    }, "every date within 8 weeks of now, not only the first"
    assert found["0a1b2c3d4e5f6g7h8i9j@google.com"] == datetime(2026, 12, 12, tzinfo=UTC)
    assert "20261225_bank_holiday@google.com" not in found, "a bank holiday is no session"
    assert found["1q2w3e4r5t6y7u8i9o0p@google.com"] == datetime(2027, 1, 14, 18, tzinfo=UTC)


def test_folded_utf8_is_read_right(city: City, passions: tuple[Passion, ...]) -> None:
    raw = GOOGLE.read_bytes()
    (first, *_) = parse_ics(raw, city, passions, city.timezone, now=NOW)
    assert first.fields.description.startswith("Café-style history club")
    assert "no booking needed — just turn up. Ages 13–19." in first.fields.description
    # A fold in the middle of a letter, as a service folding at 75 octets writes it.
    summary = "SUMMARY:Café history night at the museum"
    encoded = summary.encode()
    cut = encoded.index("é".encode()) + 1
    text = raw.replace(
        b"SUMMARY:Ghost stories night at the museum", encoded[:cut] + b"\r\n " + encoded[cut:]
    )
    titles = {i.fields.title for i in parse_ics(text, city, passions, city.timezone, now=NOW)}
    assert "Café history night at the museum" in titles


def test_an_outlook_export_with_its_own_time_zone_and_long_uids(
    city: City, passions: tuple[Passion, ...]
) -> None:
    found = starts(city, passions, OUTLOOK)

    code_club = sorted(value for value in found.values() if isinstance(value, datetime))
    assert code_club[0] == datetime(2026, 12, 2, 16, tzinfo=UTC)  # TZID=GMT Standard Time
    assert len(code_club) == 6
    assert list(found.values()).count("cancelled") == 2  # EXDATE with two dates on one line
    assert all(len(key) <= 128 for key in found)


async def run(colbot: Colbot, path: Path, passions: tuple[Passion, ...]) -> ImportSummary:
    return await import_file(colbot.database, path, colbot.city, passions, colbot.clock.now())


async def test_dates_a_calendar_later_calls_off_are_withdrawn_and_nothing_else_changes(
    colbot: Colbot, passions: tuple[Passion, ...], tmp_path: Path
) -> None:
    before = tmp_path / "before.ics"
    text = GOOGLE.read_bytes()
    text = text.replace(b"EXDATE;TZID=Europe/London:20261222T163000\r\n", b"")
    text = re.sub(
        rb"BEGIN:VEVENT\r\n(?:(?!END:VEVENT).)*?STATUS:CANCELLED\r\n.*?END:VEVENT\r\n",
        b"",
        text,
        flags=re.S,
    )
    before.write_bytes(text)

    first = await run(colbot, before, passions)
    real = await run(colbot, GOOGLE, passions)
    again = await run(colbot, GOOGLE, passions)

    assert first.created == 10  # 8 dates of the club, the open day and the ghost stories night
    assert real.withdrawn == 2 and real.updated == 0
    assert (again.unchanged, again.withdrawn, again.created) == (10, 0, 0)
    async with colbot.database.transaction() as session:
        withdrawn = (
            await session.scalars(
                select(Opportunity.source_id).where(Opportunity.status == "cancelled")
            )
        ).all()
    assert sorted(withdrawn) == [
        f"{CLUB}#2026-12-15T16:30:00+00:00",
        f"{CLUB}#2026-12-22T16:30:00+00:00",
    ]
