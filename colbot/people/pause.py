"""/stop: a young person pauses every message colbot would start, until they write again."""

from __future__ import annotations

from sqlalchemy import update

from colbot.chat.turn import Turn
from colbot.storage.models import YoungPerson


async def stop(turn: Turn) -> None:
    """Pauses reminders, nudges and announcements; any message they send later resumes them."""
    if turn.person is None:
        turn.say("nudges.stopped")
        return
    await turn.session.execute(
        update(YoungPerson).where(YoungPerson.id == turn.person.id).values(paused_at=turn.now)
    )
    turn.say("nudges.stopped")
