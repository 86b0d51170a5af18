"""Which chat a web chat browser is, and moving a chat to another browser with a one-time code."""

from __future__ import annotations

import enum
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from colbot.channels.webchat.move_codes import (
    FAILURE_WINDOW,
    MOVE_CODE_TTL,
    may_try,
    move_code_hash,
    new_move_code,
)
from colbot.delivery import web_push
from colbot.storage.models import WebChatDevice, WebChatInbound, WebChatMove, WebChatMoveFailure

FRESH_CHAT_ID_BYTES = 16
# Live codes are few (each lives ten minutes); this many clashes in a row means a broken source.
MAX_DRAWS = 20


class MoveOutcome(enum.Enum):
    """How redeeming a move code went."""

    MOVED = "moved"
    WRONG = "wrong"
    SAME = "same"
    THROTTLED = "throttled"


@dataclass(frozen=True)
class Moved:
    """The outcome, and the chat the browser now is (and the one it left) when it moved."""

    outcome: MoveOutcome
    chat_id: str = ""
    left_chat_id: str = ""


def fresh_chat_id() -> str:
    """A chat identity for a browser whose conversation moved away: random, like a new device."""
    return secrets.token_hex(FRESH_CHAT_ID_BYTES)


async def resolve(session: AsyncSession, device: str) -> tuple[str, bool]:
    """The chat this browser is, and whether it should be told its conversation moved away."""
    row = await session.get(WebChatDevice, device)
    if row is None:
        return device, False
    return row.chat_id, row.moved_away


async def told_moved_away(session: AsyncSession, device: str) -> None:
    """Remembers the old page has been told, so it is told once."""
    await session.execute(
        update(WebChatDevice).where(WebChatDevice.device == device).values(moved_away=False)
    )


async def issue(
    session: AsyncSession,
    chat_id: str,
    now: datetime,
    randbelow: Callable[[int], int] = secrets.randbelow,
) -> str:
    """A new code for this chat, replacing any earlier one; expired codes are swept on the way."""
    await session.execute(
        delete(WebChatMove).where(
            (WebChatMove.chat_id == chat_id) | (WebChatMove.expires_at <= now)
        )
    )
    for _ in range(MAX_DRAWS):
        code = new_move_code(randbelow)
        if await session.get(WebChatMove, move_code_hash(code)) is None:
            session.add(
                WebChatMove(
                    code_hash=move_code_hash(code), chat_id=chat_id, expires_at=now + MOVE_CODE_TTL
                )
            )
            return code
    raise RuntimeError("could not draw an unused move code")


async def redeem(
    session: AsyncSession, device: str, current_chat_id: str, code: str, seq: int, now: datetime
) -> Moved:
    """Makes this browser the code's chat, once; every browser that was that chat starts afresh."""
    since = now - FAILURE_WINDOW
    await session.execute(delete(WebChatMoveFailure).where(WebChatMoveFailure.at <= since))
    device_failures = await session.scalar(
        select(func.count()).where(WebChatMoveFailure.device == device)
    )
    citywide_failures = await session.scalar(select(func.count()).select_from(WebChatMoveFailure))
    if not may_try(int(device_failures or 0), int(citywide_failures or 0)):
        return Moved(MoveOutcome.THROTTLED)
    code_hash = move_code_hash(code)
    move = await session.get(WebChatMove, code_hash)
    if move is None or move.expires_at <= now:
        session.add(WebChatMoveFailure(device=device, at=now))
        return Moved(MoveOutcome.WRONG)
    chat_id = move.chat_id
    if chat_id == current_chat_id:
        return Moved(MoveOutcome.SAME)
    # Only the one that deletes the row moves, however many browsers race with the same code.
    spent = await session.execute(
        delete(WebChatMove).where(WebChatMove.code_hash == code_hash, WebChatMove.expires_at > now)
    )
    if getattr(spent, "rowcount", 0) != 1:
        return Moved(MoveOutcome.WRONG)
    await _forget_old_devices(session, chat_id)
    await web_push.follow_move(session, device, chat_id)
    row = await session.get(WebChatDevice, device)
    if row is None:
        session.add(WebChatDevice(device=device, chat_id=chat_id, moved_away=False))
    else:
        row.chat_id, row.moved_away = chat_id, False
    inbound = await session.get(WebChatInbound, chat_id)
    # The new page numbers its messages on from its own count; the chat takes them from here.
    if inbound is None:
        session.add(WebChatInbound(chat_id=chat_id, last_seq=seq))
    else:
        inbound.last_seq = seq
    return Moved(MoveOutcome.MOVED, chat_id=chat_id, left_chat_id=current_chat_id)


async def _forget_old_devices(session: AsyncSession, chat_id: str) -> None:
    """Every browser that was this chat becomes a new, empty one, and is told once."""
    result = await session.execute(select(WebChatDevice).where(WebChatDevice.chat_id == chat_id))
    for old in result.scalars():
        old.chat_id, old.moved_away = fresh_chat_id(), True
    # The browser whose own token names the chat is that chat until a row says otherwise.
    if await session.get(WebChatDevice, chat_id) is None:
        session.add(WebChatDevice(device=chat_id, chat_id=fresh_chat_id(), moved_away=True))
