"""Each Telegram update handled once, whichever process it reaches and however often it comes."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import BigInteger, DateTime, bindparam, delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from colbot.storage.database import HOLD_NAME, Database, advisory_lock, lock_name
from colbot.storage.models import TelegramUpdate
from colbot.storage.upsert import CompiledOnce, InsertOf

# Telegram gives up redelivering an update after 24 hours; older ids need not be kept.
KEEP_UPDATE_IDS = timedelta(days=2)
_UPDATE_ID = bindparam("update_id", type_=BigInteger)
_RECEIVED_AT = bindparam("received_at", type_=DateTime(timezone=True))


def _take_in(insert: InsertOf) -> Any:
    return (
        insert(TelegramUpdate)
        .values(update_id=_UPDATE_ID, received_at=_RECEIVED_AT)
        .on_conflict_do_nothing(index_elements=[TelegramUpdate.update_id])
        .returning(TelegramUpdate.update_id)
    )


def _hold_and_take_in(insert: InsertOf) -> Any:
    """The chat's lock and the update id in one round trip: the lock is the insert's FROM."""
    taken = select(_UPDATE_ID, _RECEIVED_AT).select_from(advisory_lock())
    return (
        insert(TelegramUpdate)
        .from_select([TelegramUpdate.update_id, TelegramUpdate.received_at], taken)
        .on_conflict_do_nothing(index_elements=[TelegramUpdate.update_id])
        .returning(TelegramUpdate.update_id)
    )


# Run on every update, so compiled once (see CompiledOnce). On SQLite the turn's BEGIN IMMEDIATE
# is its lock; on PostgreSQL the chat's advisory lock is taken by the same statement.
TAKE_IN = CompiledOnce(_take_in, on_postgresql=_hold_and_take_in)


async def take(database: Database, update_id: int, now: datetime) -> bool:
    """Records an update as taken; False if some process (maybe this one) already took it."""
    async with database.transaction() as session:
        return await take_in(session, update_id, now, hold=("update", str(update_id)))


async def take_in(
    session: AsyncSession, update_id: int, now: datetime, hold: tuple[str, ...]
) -> bool:
    """Holds the lock `hold` names (Database.hold) and records an update as taken, in the
    caller's transaction, so it commits with the turn."""
    values = {"update_id": update_id, "received_at": now, HOLD_NAME: lock_name(*hold)}
    return await session.scalar(TAKE_IN(session), values) is not None


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
