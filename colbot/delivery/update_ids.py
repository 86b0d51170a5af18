"""Each Telegram update handled once, whichever process it reaches and however often it comes."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import bindparam, delete
from sqlalchemy.ext.asyncio import AsyncSession

from colbot.storage.database import Database
from colbot.storage.models import TelegramUpdate
from colbot.storage.upsert import CompiledOnce

# Telegram gives up redelivering an update after 24 hours; older ids need not be kept.
KEEP_UPDATE_IDS = timedelta(days=2)
# Run on every update, so compiled once (see CompiledOnce).
TAKE_IN = CompiledOnce(
    lambda insert: (
        insert(TelegramUpdate)
        .values(update_id=bindparam("update_id"), received_at=bindparam("received_at"))
        .on_conflict_do_nothing(index_elements=[TelegramUpdate.update_id])
        .returning(TelegramUpdate.update_id)
    )
)


async def take(database: Database, update_id: int, now: datetime) -> bool:
    """Records an update as taken; False if some process (maybe this one) already took it."""
    async with database.transaction() as session:
        return await take_in(session, update_id, now)


async def take_in(session: AsyncSession, update_id: int, now: datetime) -> bool:
    """Records an update as taken in the caller's transaction, so it commits with the turn."""
    taken = await session.scalar(TAKE_IN(session), {"update_id": update_id, "received_at": now})
    return taken is not None


async def give_back(database: Database, update_id: int) -> None:
    """Forgets a taken update whose handling failed, so that Telegram's retry is handled."""
    async with database.transaction() as session:
        await session.execute(delete(TelegramUpdate).where(TelegramUpdate.update_id == update_id))


async def forget_old(database: Database, now: datetime) -> None:
    """Deletes the ids of updates too old for Telegram to send again."""
    async with database.transaction() as session:
        await session.execute(
            delete(TelegramUpdate).where(TelegramUpdate.received_at < now - KEEP_UPDATE_IDS)
        )
