"""Imports that show only sessions that happen, for the people they are for, and refuse mistakes."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from colbot import cli
from colbot.app import Colbot
from colbot.catalogue.changes import SessionChanges
from colbot.catalogue.cli import known_badge_ids
from colbot.catalogue.importers import ImportRefused, parse_csv, parse_openactive
from colbot.catalogue.imports import import_file, list_catalogue
from colbot.content.city import City
from colbot.content.passions import Passion
from colbot.explore.recommend import build_index
from colbot.storage.models import (
    ChannelIdentity,
    Opportunity,
    OutboxMessage,
    Partner,
    Reminder,
    SavedItem,
    YoungPerson,
)
from tests.catalogue.conftest import HEADER

PARTNER = "Kensalfield Museum"
START = "2027-01-09T10:00:00Z"


def event(item_id: str = "ev-1", **data: Any) -> dict[str, Any]:
    """An OpenActive Event item for young people, with `data` overriding its values."""
    body: dict[str, Any] = {
        "@type": "Event",
        "@id": f"https://opendata.example.org/events/{item_id}",
        "name": "Museum Football Skills",
        "organizer": {"@type": "Organization", "name": PARTNER},
        "activity": [{"@type": "Concept", "prefLabel": "Football"}],
        "location": {
            "@type": "Place",
            "name": "Museum Lawn",
            "address": {"@type": "PostalAddress", "postalCode": "KF1 1AD"},
        },
        "ageRange": {"@type": "QuantitativeValue", "minValue": 11, "maxValue": 17},
        "offers": [{"@type": "Offer", "price": 2, "priceCurrency": "GBP"}],
        "startDate": START,
        "endDate": "2027-01-09T11:00:00Z",
    }
    body.update(data)
    return {"state": "updated", "kind": "Event", "id": item_id, "modified": 1, "data": body}


def page(*items: dict[str, Any]) -> bytes:
    return json.dumps({"items": list(items), "next": "https://opendata.example.org/x"}).encode()


async def run(colbot: Colbot, path: Path, passions: tuple[Passion, ...]) -> Any:
    changes = SessionChanges(colbot.content, colbot.city.timezone, None)
    return await import_file(
        colbot.database,
        path,
        colbot.city,
        passions,
        colbot.clock.now(),
        badge_ids=known_badge_ids(),
        changes=changes,
    )


async def one(colbot: Colbot, source_id: str) -> Opportunity:
    async with colbot.database.transaction() as session:
        found = await session.scalar(select(Opportunity).where(Opportunity.source_id == source_id))
    assert found is not None
    return found


async def someone_waiting_for(colbot: Colbot, source_id: str) -> int:
    """A young person who saved the session and asked to be reminded the day before."""
    now = colbot.clock.now()
    opportunity = await one(colbot, source_id)
    async with colbot.database.transaction() as session:
        person = YoungPerson(public_id="p-waiting", age=15, created_at=now, last_seen_at=now)
        session.add(person)
        await session.flush()
        session.add(
            ChannelIdentity(
                young_person_id=person.id, channel="console", external_id="w1", created_at=now
            )
        )
        session.add(
            SavedItem(young_person_id=person.id, opportunity_id=opportunity.id, saved_at=now)
        )
        session.add(
            Reminder(
                young_person_id=person.id,
                opportunity_id=opportunity.id,
                due_at=opportunity.starts_at - timedelta(days=1),
            )
        )
    return person.id


async def outbox_texts(colbot: Colbot, key_prefix: str) -> list[str]:
    """The texts of the outbox messages whose key starts so, oldest first."""
    async with colbot.database.transaction() as session:
        rows = await session.scalars(
            select(OutboxMessage)
            .where(OutboxMessage.idempotency_key.like(key_prefix + "%"))
            .order_by(OutboxMessage.id)
        )
        return [message.payload["text"] for message in rows]


async def told(colbot: Colbot) -> list[str]:
    """What people waiting for a session were told about it changing."""
    return await outbox_texts(colbot, "session-")


SOURCE = "https://opendata.example.org/events/ev-1"


async def test_a_cancelled_session_is_withdrawn_and_its_people_are_told_once(
    colbot: Colbot, passions: tuple[Passion, ...], tmp_path: Path
) -> None:
    path = tmp_path / "feed.json"
    path.write_bytes(page(event()))
    await run(colbot, path, passions)
    await someone_waiting_for(colbot, SOURCE)

    path.write_bytes(page(event(eventStatus="https://schema.org/EventCancelled")))
    summary = await run(colbot, path, passions)
    again = await run(colbot, path, passions)

    assert summary.withdrawn == 1 and "1 withdrawn" in str(summary)
    assert again.unchanged == 1
    cancelled = await one(colbot, SOURCE)
    assert cancelled.status == "cancelled", "kept (someone saved it), never deleted"
    messages = await told(colbot)
    assert len(messages) == 1 and "not happening" in messages[0]
    async with colbot.database.transaction() as session:
        reminder = await session.scalar(select(Reminder))
        index = await build_index(session, colbot.clock.now())
    assert reminder is not None and reminder.cancelled_at is not None
    assert cancelled.id not in {c.id for c in index.by_start}
    listed = await list_catalogue(colbot.database, colbot.clock.now())
    assert "Museum Football Skills" not in {line.title for line in listed}


async def test_a_session_cancelled_before_colbot_knew_it_is_not_created(
    colbot: Colbot, passions: tuple[Passion, ...], tmp_path: Path
) -> None:
    path = tmp_path / "feed.json"
    path.write_bytes(page(event(eventStatus="https://schema.org/EventCancelled")))
    await run(colbot, path, passions)
    async with colbot.database.transaction() as session:
        assert (
            await session.scalar(select(Opportunity).where(Opportunity.source_id == SOURCE)) is None
        )


async def test_a_postponed_session_is_hidden_and_a_rescheduled_one_moves(
    colbot: Colbot, passions: tuple[Passion, ...], tmp_path: Path
) -> None:
    path = tmp_path / "feed.json"
    path.write_bytes(page(event()))
    await run(colbot, path, passions)
    await someone_waiting_for(colbot, SOURCE)

    moved = {"startDate": "2027-01-16T10:00:00Z", "endDate": "2027-01-16T11:00:00Z"}
    path.write_bytes(page(event(eventStatus="https://schema.org/EventRescheduled", **moved)))
    await run(colbot, path, passions)
    await run(colbot, path, passions)
    session_now = await one(colbot, SOURCE)
    assert session_now.starts_at == datetime(2027, 1, 16, 10, tzinfo=UTC)
    messages = await told(colbot)
    assert len(messages) == 1 and "has moved" in messages[0]
    async with colbot.database.transaction() as session:
        reminder = await session.scalar(select(Reminder))
    assert reminder is not None and reminder.due_at == datetime(2027, 1, 15, 10, tzinfo=UTC)

    path.write_bytes(page(event(eventStatus="https://schema.org/EventPostponed", **moved)))
    await run(colbot, path, passions)
    assert (await one(colbot, SOURCE)).status == "postponed"
    assert len(await told(colbot)) == 2 and "put off" in (await told(colbot))[1]


def test_no_age_range_means_adults(city: City, passions: tuple[Passion, ...]) -> None:
    item = event()
    del item["data"]["ageRange"]
    (imported,) = parse_openactive(page(item), city, passions, city.timezone)
    assert (imported.fields.min_age, imported.fields.max_age) == (18, 99)


def test_the_price_is_the_offer_for_young_people(city: City, passions: tuple[Passion, ...]) -> None:
    offers = [
        {"@type": "Offer", "name": "Adult", "price": 6.5, "priceCurrency": "GBP",
         "ageRange": {"@type": "QuantitativeValue", "minValue": 18}},
        {"@type": "Offer", "name": "Junior", "price": 2.25, "priceCurrency": "GBP",
         "ageRange": {"@type": "QuantitativeValue", "minValue": 11, "maxValue": 17}},
    ]  # fmt: skip
    (imported,) = parse_openactive(page(event(offers=offers)), city, passions, city.timezone)
    assert imported.fields.cost_pence == 225


async def test_a_full_session_is_not_recommended(
    colbot: Colbot, passions: tuple[Passion, ...], tmp_path: Path
) -> None:
    path = tmp_path / "feed.json"
    path.write_bytes(page(event(remainingAttendeeCapacity=0, maximumAttendeeCapacity=12)))
    await run(colbot, path, passions)
    full = await one(colbot, SOURCE)
    async with colbot.database.transaction() as session:
        index = await build_index(session, colbot.clock.now())
    assert full.is_full and full.id not in {c.id for c in index.by_start}


async def test_a_partner_with_a_typo_is_refused_with_the_nearest_name(
    colbot: Colbot, passions: tuple[Passion, ...], tmp_path: Path
) -> None:
    path = tmp_path / "feed.json"
    item = event(organizer={"@type": "Organization", "name": "Kensalfeld Musuem"})
    path.write_bytes(page(item))
    async with colbot.database.transaction() as session:
        partners_before = len((await session.scalars(select(Partner))).all())
    with pytest.raises(ImportRefused) as refused:
        await run(colbot, path, passions)
    assert "did you mean Kensalfield Museum?" in str(refused.value)
    assert "--new-partner" in str(refused.value)
    async with colbot.database.transaction() as session:
        assert len((await session.scalars(select(Partner))).all()) == partners_before


def test_cli_creates_a_new_partner_only_when_asked(
    cli_env: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "new.json"
    path.write_bytes(
        page(event(organizer={"@type": "Organization", "name": "Harbourside Library"}))
    )
    assert cli.main(["opportunities", "import", str(path)]) == 1
    assert "--new-partner" in capsys.readouterr().err
    assert cli.main(["opportunities", "import", str(path), "--new-partner"]) == 0
    assert "1 created, 0 updated, 0 unchanged, 1 partner created" in capsys.readouterr().out


def test_cli_refuses_an_unknown_badge_listing_the_known_ones(
    cli_env: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "badge.json"
    path.write_bytes(page(event(**{"colbot:badge": "young-curatr"})))
    assert cli.main(["opportunities", "import", str(path), "--new-partner"]) == 1
    err = capsys.readouterr().err
    assert 'no badge class "young-curatr"' in err
    assert "the badge classes are " in err and "first-badge" in err


def test_a_semicolon_csv_gets_the_hint(city: City, passions: tuple[Passion, ...]) -> None:
    text = HEADER.replace(",", ";") + "\n" + ";".join(["x"] * 19) + "\n"
    with pytest.raises(ImportRefused) as refused:
        parse_csv(text, city, passions, city.timezone)
    assert "separated by ';'" in str(refused.value)


def _row(lat: str, lon: str) -> str:
    values = ["dig", PARTNER, "Dig", "D", "heritage", "2027-01-09T10:00", "2027-01-09T12:00"]
    return ",".join([*values, "V", "A", "KF1 1AD", lat, lon, "11", "16", "0", "2", "", "", ""])


@pytest.mark.parametrize(
    ("lat", "lon", "column"),
    [
        ("north", "", "longitude"),  # a latitude given (if wrong) and no longitude
        ("52.45", "1.5021", "longitude"),  # the minus sign missing from the longitude
        ("25.45", "-1.5021", "latitude"),  # digits swapped in the latitude
    ],
)
def test_the_coordinates_check_names_the_right_field(
    city: City, passions: tuple[Passion, ...], lat: str, lon: str, column: str
) -> None:
    with pytest.raises(ImportRefused) as refused:
        parse_csv(HEADER + "\n" + _row(lat, lon) + "\n", city, passions, city.timezone)
    (problem,) = [
        p for p in refused.value.problems if "is empty" in p.message or "km from" in p.message
    ]
    assert problem.column == column


async def reminder_messages(colbot: Colbot) -> list[str]:
    return await outbox_texts(colbot, "reminder:")


async def test_a_put_off_session_holds_its_reminder_and_tells_the_new_date_once(
    colbot: Colbot, passions: tuple[Passion, ...], tmp_path: Path
) -> None:
    path = tmp_path / "feed.json"
    path.write_bytes(page(event()))
    await run(colbot, path, passions)
    await someone_waiting_for(colbot, SOURCE)

    path.write_bytes(page(event(eventStatus="https://schema.org/EventPostponed")))
    await run(colbot, path, passions)
    async with colbot.database.transaction() as session:
        held = await session.scalar(select(Reminder))
        index = await build_index(session, colbot.clock.now())
    assert held is not None and held.cancelled_at is None, "held, not stopped"
    assert (await one(colbot, SOURCE)).id not in {c.id for c in index.by_start}
    messages = await told(colbot)
    assert len(messages) == 1 and "put off" in messages[0] and "hold your reminder" in messages[0]

    # The old reminder time passes while the session has no date: nothing is sent.
    colbot.clock.set(datetime(2027, 1, 8, 12, tzinfo=UTC))
    await colbot.queue_reminders()
    assert await reminder_messages(colbot) == []

    new_date = {"startDate": "2027-01-23T10:00:00Z", "endDate": "2027-01-23T11:00:00Z"}
    path.write_bytes(page(event(eventStatus="https://schema.org/EventRescheduled", **new_date)))
    await run(colbot, path, passions)
    await run(colbot, path, passions)
    messages = await told(colbot)
    assert len(messages) == 2, messages
    assert "new date" in messages[1] and "Saturday 23 January" in messages[1], messages[1]
    async with colbot.database.transaction() as session:
        moved = await session.scalar(select(Reminder))
    assert moved is not None and moved.due_at == datetime(2027, 1, 22, 10, tzinfo=UTC)

    colbot.clock.set(datetime(2027, 1, 22, 10, 30, tzinfo=UTC))
    await colbot.queue_reminders()
    (reminder,) = await reminder_messages(colbot)
    assert "Museum Football Skills" in reminder


@pytest.mark.parametrize(
    "status",
    ["https://schema.org/EventCancelled", "https://schema.org/EventPostponed", "deleted"],
)
async def test_the_reminder_job_skips_sessions_that_are_not_happening(
    colbot: Colbot, passions: tuple[Passion, ...], tmp_path: Path, status: str
) -> None:
    path = tmp_path / "feed.json"
    path.write_bytes(page(event()))
    await run(colbot, path, passions)
    await someone_waiting_for(colbot, SOURCE)
    # Withdrawn behind the import's back (say, by an older colbot): the job must still not send.
    async with colbot.database.transaction() as session:
        opportunity = await session.scalar(
            select(Opportunity).where(Opportunity.source_id == SOURCE)
        )
        assert opportunity is not None
        opportunity.status = status.rsplit("/", 1)[-1].removeprefix("Event").lower()
    colbot.clock.set(datetime(2027, 1, 8, 12, tzinfo=UTC))
    await colbot.queue_reminders()
    assert await reminder_messages(colbot) == []
