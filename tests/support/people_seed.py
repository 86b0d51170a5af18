"""Onboarded young people with Telegram identities, written in bulk for delivery tests."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import func, insert, select

from colbot.storage.database import Database
from colbot.storage.models import ChannelIdentity, YoungPerson, YoungPersonPassion

CHUNK = 2000


async def seed_people(
    database: Database,
    chat_ids: Sequence[int | str],
    now: datetime,
    *,
    passions: Sequence[str] = ("music",),
    area: str | None = None,
    quiet_hours: str | None = None,
    channel: str = "telegram",
    messages_first: bool = False,
) -> list[int]:
    """Adds one onboarded young person per chat id; returns their ids.

    Like a real profile, they get no nudges or news unless `messages_first` (they said yes to
    colbot messaging them first); the weekly digest stays off either way, as its tests expect.
    """
    async with database.transaction() as session:
        first = (await session.scalar(select(func.max(YoungPerson.id))) or 0) + 1
        ids = list(range(first, first + len(chat_ids)))
        for start in range(0, len(ids), CHUNK):
            chunk = list(
                zip(ids[start : start + CHUNK], chat_ids[start : start + CHUNK], strict=True)
            )
            await session.execute(
                insert(YoungPerson),
                [
                    {
                        "id": pid,
                        "public_id": f"seed{pid}",
                        "nickname": f"Seed {pid}",
                        "age": 16,
                        "area_id": area,
                        "availability": [],
                        "language": "en",
                        "consented_at": now,
                        "onboarded_at": now,
                        "created_at": now,
                        "last_seen_at": now,
                        "quiet_hours": quiet_hours,
                        "nudges": "normal" if messages_first else "off",
                        "messages_asked_at": now,
                    }
                    for pid, _ in chunk
                ],
            )
            await session.execute(
                insert(ChannelIdentity),
                [
                    {
                        "young_person_id": pid,
                        "channel": channel,
                        "external_id": str(chat),
                        "created_at": now,
                    }
                    for pid, chat in chunk
                ],
            )
            if passions:
                await session.execute(
                    insert(YoungPersonPassion),
                    [
                        {"young_person_id": pid, "passion_id": passion, "chosen_at": now}
                        for pid, _ in chunk
                        for passion in passions
                    ],
                )
    return ids
