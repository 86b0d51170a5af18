"""A followed pathway's one-step-to-go message: once, never at night, never with nudges off."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import select, update

from colbot.app import Colbot
from colbot.clock import FrozenClock
from colbot.pathways import store
from colbot.storage.models import ChannelIdentity, Opportunity, OutboxMessage, YoungPerson
from tests.doubles.telegram import Person, TelegramDouble
from tests.support.badge_flow import make_code
from tests.support.outreach import Seeder, outbox_rows
from tests.support.talk import Talker

NIGHT = datetime(2026, 11, 28, 22, 0, tzinfo=UTC)
MORNING = datetime(2026, 11, 29, 8, 0, tzinfo=UTC)


async def follower(sender: Colbot, young: Person, pathway_id: str = "game-maker") -> Talker:
    """The seeded young person following a pathway, talking on their Telegram chat."""
    async with sender.database.transaction() as session:
        person_id = await session.scalar(
            select(ChannelIdentity.young_person_id).where(
                ChannelIdentity.external_id == str(young.id)
            )
        )
        assert person_id is not None
        await store.follow(session, person_id, pathway_id, sender.clock.now())
    return Talker(sender.engine, str(young.id), channel="telegram")


async def redeem(sender: Colbot, talker: Talker, source_id: str) -> None:
    async with sender.database.transaction() as session:
        found = await session.scalar(
            select(Opportunity.id).where(Opportunity.source_id == source_id)
        )
    code, _ = await make_code(sender, opportunity_id=found)
    await talker.say(code)


async def two_of_three_steps(sender: Colbot, talker: Talker) -> None:
    """Game Maker's coding and gaming steps, leaving the one with an employer; then a send."""
    await redeem(sender, talker, "library-code-club-1")
    await redeem(sender, talker, "pixel-forge-studio-tour")
    await sender.outbox.drain()


async def queued(sender: Colbot) -> list[OutboxMessage]:
    return [r for r in await outbox_rows(sender) if "One step to go" in r.payload["text"]]


def one_to_go_sent(double: TelegramDouble, young: Person) -> int:
    return sum(
        1
        for call in double.calls_to("sendMessage")
        if call.ok and call.chat_id == young.id and "One step to go" in str(call.params.get("text"))
    )


async def test_one_step_to_go_waits_for_the_morning_and_goes_once(
    sender: Colbot, people: Seeder, double: TelegramDouble, clock: FrozenClock
) -> None:
    clock.set(NIGHT)
    (young,) = await people(1, messages_first=True)
    talker = await follower(sender, young)
    await two_of_three_steps(sender, talker)
    assert one_to_go_sent(double, young) == 0
    (held,) = await queued(sender)
    assert held.deferred and held.not_before == MORNING

    clock.set(MORNING)
    await sender.outbox.drain()
    assert one_to_go_sent(double, young) == 1
    await redeem(sender, talker, "library-write-club")
    await sender.outbox.drain()
    assert one_to_go_sent(double, young) == 1


async def test_no_one_step_to_go_with_nudges_off(
    sender: Colbot, people: Seeder, double: TelegramDouble, clock: FrozenClock
) -> None:
    clock.set(MORNING)
    (young,) = await people(1, messages_first=True)
    talker = await follower(sender, young)
    async with sender.database.transaction() as session:
        await session.execute(
            update(YoungPerson)
            .where(
                YoungPerson.id.in_(
                    select(ChannelIdentity.young_person_id).where(
                        ChannelIdentity.external_id == str(young.id)
                    )
                )
            )
            .values(nudges="off")
        )
    await two_of_three_steps(sender, talker)
    assert await queued(sender) == []
    assert one_to_go_sent(double, young) == 0
