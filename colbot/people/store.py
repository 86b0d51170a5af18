"""Young people's profiles: created after consent, changed one answer at a time."""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete, select, tuple_, update
from sqlalchemy.ext.asyncio import AsyncSession

from colbot.chat.messages import Inbound
from colbot.delivery import outbox
from colbot.storage.models import (
    ChannelIdentity,
    Counter,
    OutboxMessage,
    YoungPerson,
    YoungPersonPassion,
)
from colbot.storage.upsert import dialect_insert

TRAVEL_ANYWHERE = "any"
# How finely "last seen" is kept: a chat's messages within it write the person's row once.
SEEN_GRANULARITY = timedelta(minutes=5)
CITY_QUIET_HOURS = "city"
NO_QUIET_HOURS = "none"
DIGEST_ON = "on"
# The last onboarding question: may colbot message them first (nudges, the digest, news)?
MESSAGES_STEP = "messages"
MESSAGES_YES = "yes"
NUDGES_ON = "normal"
NUDGES_OFF = "off"


async def find_by_identity(
    session: AsyncSession, channel: str, external_id: str
) -> YoungPerson | None:
    """The young person a channel knows by this id, if any."""
    return await session.scalar(
        select(YoungPerson)
        .join(ChannelIdentity)
        .where(ChannelIdentity.addresses(channel, external_id))
    )


async def create_for_chat(
    session: AsyncSession, inbound: Inbound, language: str, now: datetime, consented: bool = True
) -> YoungPerson:
    """A profile for whoever is behind this chat (see create)."""
    return await create(session, inbound.channel, inbound.chat_id, language, now, consented)


async def create(
    session: AsyncSession,
    channel: str,
    external_id: str,
    language: str,
    now: datetime,
    consented: bool = True,
) -> YoungPerson:
    """Creates a profile once someone has agreed and is old enough, or has redeemed a code."""
    person = YoungPerson(
        public_id=secrets.token_urlsafe(16),
        language=language,
        availability=[],
        consented_at=now if consented else None,
        created_at=now,
        last_seen_at=now,
    )
    person.identities.append(
        ChannelIdentity(channel=channel, external_id=external_id, created_at=now)
    )
    session.add(person)
    await session.flush()
    return person


async def apply_answer(
    session: AsyncSession, person: YoungPerson, step_id: str, value: Any, now: datetime
) -> None:
    """Writes one onboarding or settings answer into the profile; None means skipped."""
    if step_id == "age":
        person.age = value
        person.age_given_at = now if value is not None else None
    elif step_id == "nickname":
        person.nickname = value
    elif step_id == "area":
        person.area_id = value["area"] if value else None
        person.latitude = value.get("lat") if value else None
        person.longitude = value.get("lon") if value else None
    elif step_id == "travel":
        person.travel_km = None if value in (None, TRAVEL_ANYWHERE) else float(value)
    elif step_id == "availability":
        person.availability = list(value or [])
    elif step_id == "passions":
        await set_passions(session, person, list(value or []), now)
    elif step_id == "nudges" and value is not None:
        person.nudges = value
    elif step_id == "quiet_hours" and value is not None:
        person.quiet_hours = {CITY_QUIET_HOURS: None, NO_QUIET_HOURS: ""}.get(value, value)
        await _recheck_held_messages(session, person, now)
    elif step_id == "digest" and value is not None:
        person.digest = value == DIGEST_ON
    elif step_id == MESSAGES_STEP:
        say_yes_to_messages(person, value == MESSAGES_YES, now)


def say_yes_to_messages(person: YoungPerson, yes: bool, now: datetime) -> None:
    """Records their answer to "may I message you first?": nudges and the digest, on or off."""
    person.nudges = NUDGES_ON if yes else NUDGES_OFF
    person.digest = yes
    person.messages_asked_at = now


async def _recheck_held_messages(session: AsyncSession, person: YoungPerson, now: datetime) -> None:
    """Lets the outbox look again, under the new quiet hours, at messages it held for the old."""
    chats = select(ChannelIdentity.channel, ChannelIdentity.external_id).where(
        ChannelIdentity.young_person_id == person.id
    )
    await session.execute(
        update(OutboxMessage)
        .where(
            tuple_(OutboxMessage.channel, OutboxMessage.chat_id).in_(chats),
            OutboxMessage.status == outbox.PENDING,
            OutboxMessage.deferred.is_(True),
            OutboxMessage.not_before > now,
        )
        .values(not_before=now)
    )


async def passion_ids(session: AsyncSession, person: YoungPerson) -> list[str]:
    """The passions a young person chose, in a stable order."""
    rows = await session.scalars(
        select(YoungPersonPassion.passion_id)
        .where(YoungPersonPassion.young_person_id == person.id)
        .order_by(YoungPersonPassion.passion_id)
    )
    return list(rows)


async def set_passions(
    session: AsyncSession, person: YoungPerson, passions: list[str], now: datetime
) -> None:
    """Replaces a young person's passions."""
    await session.execute(
        delete(YoungPersonPassion).where(YoungPersonPassion.young_person_id == person.id)
    )
    for passion_id in dict.fromkeys(passions):
        session.add(
            YoungPersonPassion(young_person_id=person.id, passion_id=passion_id, chosen_at=now)
        )
    await session.flush()


async def count(session: AsyncSession, name: str) -> None:
    """Adds one to a named counter: the only trace kept of someone colbot turned away."""
    statement = dialect_insert(session)(Counter).values(name=name, value=1)
    await session.execute(
        statement.on_conflict_do_update(
            index_elements=[Counter.name], set_={"value": Counter.value + 1}
        )
    )


async def counter(session: AsyncSession, name: str) -> int:
    """The current value of a named counter."""
    return await session.scalar(select(Counter.value).where(Counter.name == name)) or 0


async def touch(session: AsyncSession, person: YoungPerson, now: datetime) -> None:
    """Notes that a young person wrote, which also makes them reachable again."""
    if _touched_lately(person, now):
        return  # a chat's next messages needn't each write the same row again
    await session.execute(
        update(YoungPerson)
        .where(YoungPerson.id == person.id)
        .values(
            last_seen_at=now,
            unreachable_since=None,
            paused_at=None,
            unanswered_nudges=0,
            retention_warned_at=None,
        )
    )


def _touched_lately(person: YoungPerson, now: datetime) -> bool:
    """Whether the person was seen within SEEN_GRANULARITY and nothing else would change.

    Nudges wait days of quiet and retention months, so a last-seen time a few minutes early
    changes no decision; being paused, unreachable, nudged or warned is always cleared at once.
    """
    return (
        timedelta(0) <= now - person.last_seen_at < SEEN_GRANULARITY
        and person.unreachable_since is None
        and person.paused_at is None
        and not person.unanswered_nudges
        and person.retention_warned_at is None
    )
