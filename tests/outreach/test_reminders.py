"""Reminders before a session, the message after it, quiet hours and colbot being down."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select

from colbot.app import Colbot
from colbot.chat.messages import Inbound, InboundKind
from colbot.clock import FrozenClock
from colbot.delivery import outbox
from colbot.storage.models import ChannelIdentity, Opportunity, Reminder, SavedItem
from tests.doubles.telegram import Person, TelegramDouble
from tests.support.outreach import Seeder, delivered, outbox_rows


async def save_with_reminders(
    app: Colbot, who: Person, starts_at: datetime, due: list[datetime], index: int = 0
) -> Opportunity:
    """Moves a demo opportunity to `starts_at`, saves it for them, with reminders due then."""
    async with app.database.transaction() as session:
        opportunity = await session.scalar(
            select(Opportunity).order_by(Opportunity.id).offset(index).limit(1)
        )
        assert opportunity is not None
        opportunity.starts_at = starts_at
        opportunity.ends_at = starts_at + timedelta(hours=2)
        person_id = await session.scalar(
            select(ChannelIdentity.young_person_id).where(
                ChannelIdentity.external_id == str(who.id)
            )
        )
        assert person_id is not None
        session.add(
            SavedItem(
                young_person_id=person_id, opportunity_id=opportunity.id, saved_at=app.clock.now()
            )
        )
        for when in due:
            session.add(
                Reminder(young_person_id=person_id, opportunity_id=opportunity.id, due_at=when)
            )
        await session.flush()
        session.expunge(opportunity)
    return opportunity


async def test_a_reminder_has_when_where_a_map_and_a_calendar_file(
    sender: Colbot, people: Seeder, double: TelegramDouble, clock: FrozenClock
) -> None:
    (ada,) = await people(1)
    starts = clock.now() + timedelta(days=1, hours=3)
    opportunity = await save_with_reminders(
        sender, ada, starts, [clock.now(), starts - timedelta(hours=2)]
    )
    await sender.queue_reminders()
    await sender.outbox.drain()
    (call,) = double.calls_to("sendDocument")
    caption = call.params["caption"]
    assert opportunity.title in caption
    assert "Sunday 29 November, 12:30" in caption
    assert "https://www.openstreetmap.org/" in caption
    (upload,) = call.files.values()
    assert upload.filename == "session.ics"
    assert b"BEGIN:VEVENT" in (upload.content or b"")
    assert b"DTSTART:20261129T123000Z" in (upload.content or b"")
    assert "Can't make it" in str(call.params["reply_markup"])
    await sender.queue_reminders()
    await sender.outbox.drain()
    assert len(double.calls_to("sendDocument")) == 1  # never twice

    (button,) = [b for row in ada.last.buttons for b in row]
    await sender.engine.handle(
        Inbound("telegram", str(ada.id), InboundKind.BUTTON, button_data=str(button.data))
    )
    async with sender.database.reading() as session:
        assert await session.scalar(select(func.count()).select_from(SavedItem)) == 0
        left = await session.scalar(
            select(func.count())
            .select_from(Reminder)
            .where(Reminder.cancelled_at.is_(None), Reminder.sent_at.is_(None))
        )
        assert left == 0
    clock.set(starts - timedelta(hours=2))
    await sender.queue_reminders()
    await sender.outbox.drain()
    assert len(double.calls_to("sendDocument")) == 1


async def test_a_reminder_due_at_night_waits_for_morning_or_is_dropped(
    sender: Colbot, people: Seeder, double: TelegramDouble, clock: FrozenClock
) -> None:
    early_riser, too_early = await people(1), await people(1)
    night = datetime(2026, 11, 29, 5, 30, tzinfo=UTC)
    await save_with_reminders(
        sender, early_riser[0], datetime(2026, 11, 29, 9, 0, tzinfo=UTC), [night]
    )
    clock.set(night)
    await sender.queue_reminders()
    await sender.outbox.drain()
    assert delivered(double, "sendDocument") == {}
    clock.set(datetime(2026, 11, 29, 8, 0, tzinfo=UTC))
    await sender.outbox.drain()
    assert delivered(double, "sendDocument") == {early_riser[0].id: 1}

    await save_with_reminders(
        sender,
        too_early[0],
        datetime(2026, 11, 30, 7, 30, tzinfo=UTC),
        [datetime(2026, 11, 30, 5, 30, tzinfo=UTC)],
        index=1,
    )
    clock.set(datetime(2026, 11, 30, 5, 30, tzinfo=UTC))
    await sender.queue_reminders()
    await sender.outbox.drain()
    (row,) = [r for r in await outbox_rows(sender) if r.chat_id == str(too_early[0].id)]
    assert row.status == outbox.DROPPED  # 08:00 would be after the 07:30 start
    clock.set(datetime(2026, 11, 30, 8, 0, tzinfo=UTC))
    await sender.outbox.drain()
    assert too_early[0].id not in delivered(double, "sendDocument")


async def test_reminders_that_fell_due_while_down_are_sent_if_still_useful(
    sender: Colbot, people: Seeder, double: TelegramDouble, clock: FrozenClock
) -> None:
    missed, useful = await people(1), await people(1)
    start = clock.now()
    await save_with_reminders(
        sender, missed[0], start + timedelta(hours=2), [start + timedelta(hours=1)]
    )
    await save_with_reminders(
        sender, useful[0], start + timedelta(hours=5), [start + timedelta(hours=3)], index=1
    )
    clock.advance(timedelta(hours=4))  # colbot was down all this time
    await sender.queue_reminders()
    await sender.outbox.drain()
    assert delivered(double, "sendDocument") == {useful[0].id: 1}
    async with sender.database.reading() as session:
        dropped = await session.scalar(
            select(func.count()).select_from(Reminder).where(Reminder.cancelled_at.is_not(None))
        )
    assert dropped == 1


async def test_one_message_after_a_saved_session_ends(
    sender: Colbot, people: Seeder, double: TelegramDouble, clock: FrozenClock
) -> None:
    (ada,) = await people(1)
    opportunity = await save_with_reminders(sender, ada, clock.now() + timedelta(hours=1), [])
    clock.set(opportunity.ends_at + timedelta(minutes=1))
    for _ in range(3):
        await sender.queue_reminders()
        await sender.outbox.drain()
        clock.advance(timedelta(minutes=5))
    assert delivered(double) == {ada.id: 1}
    assert f"How did {opportunity.title} go?" in (ada.last.text or "")
    assert "code" in (ada.last.text or "")
