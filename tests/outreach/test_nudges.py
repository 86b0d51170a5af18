"""Nudges through the double: 14 quiet days, at most one a week, none after three unanswered."""

from __future__ import annotations

from datetime import timedelta

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
