"""Nudges through the double: 14 quiet days, at most one a week, none after three unanswered."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select

from colbot.app import Colbot
from colbot.clock import FrozenClock
from colbot.people import store as people_service
from colbot.storage.models import ChannelIdentity, YoungPerson
from tests.doubles.telegram import TelegramDouble
from tests.support.outreach import Seeder, delivered


async def nudge_round(app: Colbot) -> None:
    await app.queue_nudges()
    await app.outbox.drain()


async def test_nudges_follow_the_fourteen_day_weekly_and_three_strikes_rules(
    sender: Colbot, people: Seeder, double: TelegramDouble, clock: FrozenClock
) -> None:
    (ada,) = await people(1, messages_first=True)
    clock.advance(timedelta(days=13, hours=23))
    await nudge_round(sender)
    assert delivered(double) == {}
    clock.advance(timedelta(hours=1))
    await nudge_round(sender)
    await nudge_round(sender)
    assert delivered(double) == {ada.id: 1}
    assert "Here's something new in Kensalfield" in (ada.last.text or "")
    clock.advance(timedelta(days=6, hours=23))
    await nudge_round(sender)
    assert delivered(double) == {ada.id: 1}
    for expected in (2, 3, 3):
        clock.advance(timedelta(days=7, hours=1))
        await nudge_round(sender)
        assert delivered(double) == {ada.id: expected}

    async with sender.database.transaction() as session:
        person = await session.scalar(
            select(YoungPerson)
            .join(ChannelIdentity)
            .where(ChannelIdentity.external_id == str(ada.id))
        )
        assert person is not None
        assert person.unanswered_nudges == 3
        await people_service.touch(session, person, clock.now())
    async with sender.database.reading() as session:
        again = await session.get(YoungPerson, person.id)
        assert again is not None and again.unanswered_nudges == 0  # writing again resets it


async def test_nudges_off_means_none(
    sender: Colbot, people: Seeder, double: TelegramDouble, clock: FrozenClock
) -> None:
    await people(1, messages_first=True)
    async with sender.database.transaction() as session:
        person = await session.scalar(select(YoungPerson).order_by(YoungPerson.id.desc()))
        assert person is not None
        person.nudges = "off"
    clock.advance(timedelta(days=30))
    await nudge_round(sender)
    assert delivered(double) == {}


async def test_last_seen_is_kept_to_five_minutes_but_a_pause_ends_at_once(
    sender: Colbot, people: Seeder, clock: FrozenClock
) -> None:
    (bo,) = await people(1, messages_first=True)
    async with sender.database.reading() as session:
        person_id = await session.scalar(
            select(ChannelIdentity.young_person_id).where(ChannelIdentity.external_id == str(bo.id))
        )

    async def seen() -> tuple[datetime, datetime | None]:
        async with sender.database.reading() as session:
            row = (
                await session.execute(
                    select(YoungPerson.last_seen_at, YoungPerson.paused_at).where(
                        YoungPerson.id == person_id
                    )
                )
            ).one()
            return row.last_seen_at, row.paused_at

    async def writes(**profile: object) -> None:
        async with sender.database.transaction() as session:
            person = await session.get(YoungPerson, person_id)
            assert person is not None
            for name, value in profile.items():
                setattr(person, name, value)
            await session.flush()
            await people_service.touch(session, person, clock.now())

    await writes()
    first, _ = await seen()
    clock.advance(people_service.SEEN_GRANULARITY - timedelta(seconds=1))
    await writes()
    assert await seen() == (first, None)  # the same few minutes: not written again
    await writes(paused_at=clock.now())
    assert await seen() == (clock.now(), None)  # a pause ends at once, and the time moves
    clock.advance(people_service.SEEN_GRANULARITY)
    await writes()
    assert await seen() == (clock.now(), None)
