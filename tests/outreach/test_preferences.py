"""Each young person's choices as they are when a message goes: quiet hours, /stop, nudges."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import select

from colbot.app import Colbot
from colbot.chat.messages import Inbound, InboundKind
from colbot.clock import FrozenClock
from colbot.delivery import outbox
from colbot.outreach import broadcasts
from colbot.people import store as people_service
from colbot.storage.models import (
    ChannelIdentity,
    Opportunity,
    OpportunityPassion,
    Partner,
    YoungPerson,
)
from tests.doubles.telegram import Person, TelegramDouble
from tests.support.outreach import Seeder, delivered, outbox_rows

NIGHT = datetime(2026, 11, 28, 21, 30, tzinfo=UTC)  # London is on UTC in November
MORNING = datetime(2026, 11, 29, 8, 0, tzinfo=UTC)


async def choose(app: Colbot, who: Person, step: str, value: Any) -> None:
    """Saves one /settings answer for them, as the conversation does."""
    async with app.database.transaction() as session:
        person = await people_service.find_by_identity(session, "telegram", str(who.id))
        assert person is not None
        await people_service.apply_answer(session, person, step, value, app.clock.now())


async def announce(app: Colbot, text: str) -> None:
    async with app.database.transaction() as session:
        await broadcasts.queue(
            session, text, text, broadcasts.Audience(), app.clock.now(), app.settings.quiet_hours
        )


async def row_for(app: Colbot, who: Person) -> Any:
    (row,) = [r for r in await outbox_rows(app) if r.chat_id == str(who.id)]
    return row


async def test_their_own_quiet_hours_count_when_the_message_goes(
    sender: Colbot, people: Seeder, double: TelegramDouble, clock: FrozenClock
) -> None:
    clock.set(NIGHT)
    city, owl, sleeper = (
        await people(1, messages_first=True),
        await people(1, messages_first=True),
        await people(1, messages_first=True),
    )
    await announce(sender, "Festival tomorrow")  # queued under the city's 21:00-08:00 for all
    await choose(sender, owl[0], "quiet_hours", "22:00-07:00")
    await choose(sender, sleeper[0], "quiet_hours", "21:00-10:00")
    await sender.outbox.drain()
    assert delivered(double) == {owl[0].id: 1}
    assert (await row_for(sender, city[0])).not_before == MORNING

    clock.advance(timedelta(minutes=5))
    await choose(sender, city[0], "quiet_hours", "none")  # held messages are looked at again
    await sender.outbox.drain()
    assert delivered(double) == {owl[0].id: 1, city[0].id: 1}

    clock.set(MORNING)
    await sender.outbox.drain()
    assert sleeper[0].id not in delivered(double)
    assert (await row_for(sender, sleeper[0])).not_before == MORNING + timedelta(hours=2)
    clock.set(MORNING + timedelta(hours=2))
    await sender.outbox.drain()
    assert delivered(double) == {p.id: 1 for p in (*city, *owl, *sleeper)}


async def test_stop_after_queueing_drops_what_was_still_waiting(
    sender: Colbot, people: Seeder, double: TelegramDouble, clock: FrozenClock
) -> None:
    clock.set(NIGHT)
    ada, bo = await people(2, messages_first=True)
    await announce(sender, "News")
    await sender.engine.handle(
        Inbound("telegram", str(ada.id), InboundKind.COMMAND, text="/stop", command="stop")
    )
    clock.set(MORNING)
    await sender.outbox.drain()
    assert delivered(double) == {bo.id: 1}
    row = await row_for(sender, ada)
    assert row.status == outbox.DROPPED and row.last_error == "paused with /stop"


async def quiet_for_two_weeks(clock: FrozenClock) -> None:
    clock.advance(timedelta(days=14, hours=12, minutes=30))  # 22:00, in quiet hours


async def test_nudges_switched_off_after_queueing_are_not_sent(
    sender: Colbot, people: Seeder, double: TelegramDouble, clock: FrozenClock
) -> None:
    ada, bo = await people(2, messages_first=True)
    await quiet_for_two_weeks(clock)
    await sender.queue_nudges()
    await sender.outbox.drain()
    assert delivered(double) == {}  # held for the night
    await choose(sender, ada, "nudges", "off")
    clock.advance(timedelta(hours=10))
    await sender.outbox.drain()
    assert delivered(double) == {bo.id: 1}
    assert (await row_for(sender, ada)).last_error == "nudges switched off"


async def add_opportunity(
    app: Colbot, title: str, passion: str = "music", starts_in: timedelta = timedelta(days=10)
) -> None:
    """A partner adds an opportunity now."""
    now = app.clock.now()
    async with app.database.transaction() as session:
        partner = await session.scalar(select(Partner).order_by(Partner.id).limit(1))
        assert partner is not None
        opportunity = Opportunity(
            partner_id=partner.id,
            source_id=f"test-{title}",
            title=title,
            starts_at=now + starts_in,
            ends_at=now + starts_in + timedelta(hours=2),
            min_age=13,
            max_age=19,
            learning_hours=2,
            created_at=now,
            updated_at=now,
        )
        session.add(opportunity)
        await session.flush()
        session.add(OpportunityPassion(opportunity_id=opportunity.id, passion_id=passion))


async def set_profile(app: Colbot, who: Person, **values: Any) -> None:
    async with app.database.transaction() as session:
        person = await session.scalar(
            select(YoungPerson)
            .join(ChannelIdentity)
            .where(ChannelIdentity.external_id == str(who.id))
        )
        assert person is not None
        for name, value in values.items():
            setattr(person, name, value)


def digests(who: Person) -> list[str]:
    return [m.text or "" for m in who.messages if "New this week" in (m.text or "")]


async def test_the_weekly_digest_is_off_by_default_and_never_empty(
    sender: Colbot, people: Seeder, double: TelegramDouble, clock: FrozenClock
) -> None:
    ada, bo = await people(2, messages_first=True)
    await set_profile(sender, bo, digest=True)
    clock.advance(timedelta(days=8))
    await add_opportunity(sender, "Beat making for beginners")
    await add_opportunity(sender, "Five-a-side league", passion="sport")
    clock.advance(timedelta(hours=1))
    await sender.queue_nudges()
    await sender.outbox.drain()
    assert digests(ada) == []
    (digest,) = digests(bo)
    assert "Beat making for beginners" in digest and "Five-a-side" not in digest

    clock.advance(timedelta(days=6, hours=23))
    await add_opportunity(sender, "Choir taster")
    await sender.queue_nudges()
    await sender.outbox.drain()
    assert len(digests(bo)) == 1  # at most once a week
    clock.advance(timedelta(hours=1))
    await sender.queue_nudges()
    await sender.outbox.drain()
    assert "Choir taster" in digests(bo)[-1] and "Beat making" not in digests(bo)[-1]

    clock.advance(timedelta(days=8))  # nothing new since: nothing sent, nothing queued
    await set_profile(sender, bo, last_seen_at=clock.now())  # no nudge in the way
    await sender.queue_nudges()
    await sender.outbox.drain()
    assert len(digests(bo)) == 2
    assert len([r for r in await outbox_rows(sender) if r.idempotency_key[:7] == "digest:"]) == 2


async def test_the_digest_keeps_quiet_hours_and_nudges_off(
    sender: Colbot, people: Seeder, double: TelegramDouble, clock: FrozenClock
) -> None:
    night_owl, quiet = await people(1, messages_first=True), await people(1, messages_first=True)
    await set_profile(sender, night_owl[0], digest=True, nudges="off")
    await set_profile(sender, quiet[0], digest=True)
    clock.set(NIGHT)
    await add_opportunity(sender, "Late gig")
    await sender.queue_nudges()
    await sender.outbox.drain()
    assert delivered(double) == {}
    clock.set(MORNING)
    await sender.outbox.drain()
    assert digests(night_owl[0]) == []
    assert len(digests(quiet[0])) == 1


async def test_weekly_means_nudge_and_digest_share_one_message_a_week(
    sender: Colbot, people: Seeder, double: TelegramDouble, clock: FrozenClock
) -> None:
    weekly, normal = await people(1, messages_first=True), await people(1, messages_first=True)
    await set_profile(sender, weekly[0], digest=True, nudges="weekly")
    await set_profile(sender, normal[0], digest=True)
    clock.advance(timedelta(days=14, hours=1))
    await add_opportunity(sender, "Podcast club")
    await sender.queue_nudges()
    await sender.outbox.drain()
    assert delivered(double) == {weekly[0].id: 1, normal[0].id: 2}
    clock.advance(timedelta(days=6))
    await add_opportunity(sender, "Songwriting circle")
    await sender.queue_nudges()
    await sender.outbox.drain()
    assert delivered(double) == {weekly[0].id: 1, normal[0].id: 2}
    clock.advance(timedelta(days=1, hours=1))
    await sender.queue_nudges()
    await sender.outbox.drain()
    assert delivered(double)[weekly[0].id] == 2  # one a week, never both at once


async def test_replies_to_what_they_just_sent_are_never_held(
    sender: Colbot, people: Seeder, clock: FrozenClock
) -> None:
    (ada,) = await people(1, messages_first=True)
    clock.set(NIGHT + timedelta(hours=3))  # 00:30, deep in quiet hours
    replies = await sender.engine.handle(
        Inbound("telegram", str(ada.id), InboundKind.COMMAND, text="/help", command="help")
    )
    assert "Here's what I can do" in replies[0].text
    assert await outbox_rows(sender) == []


async def test_news_waits_for_a_yes_and_a_safety_message_reaches_everyone(
    sender: Colbot, people: Seeder, double: TelegramDouble, clock: FrozenClock
) -> None:
    clock.set(NIGHT)
    ada, bo = await people(2, messages_first=True)
    (cy,) = await people(1)  # never said yes
    await announce(sender, "Half-term is here")
    assert {r.chat_id for r in await outbox_rows(sender)} == {str(ada.id), str(bo.id)}
    await choose(sender, ada, "messages", "no")  # says no while the news waits for the morning
    async with sender.database.transaction() as session:
        safety = broadcasts.Audience(safety=True)
        await broadcasts.queue(
            session,
            "flood",
            "The park is flooded",
            safety,
            clock.now(),
            sender.settings.quiet_hours,
        )
    clock.advance(timedelta(hours=12))
    await sender.outbox.drain()
    assert delivered(double) == {bo.id: 2, ada.id: 1, cy.id: 1}
    assert "The park is flooded" in (cy.last.text or "")
    news = [r for r in await outbox_rows(sender) if r.idempotency_key.startswith("broadcast:")]
    assert {r.chat_id: r.last_error for r in news}[str(ada.id)] == "nudges switched off"
