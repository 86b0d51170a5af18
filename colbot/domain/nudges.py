"""Who may get a kind nudge, and when: the 14-day, once-a-week and three-strikes rules."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

QUIET_BEFORE_NUDGE = timedelta(days=14)
NUDGE_GAP = timedelta(days=7)
MAX_UNANSWERED_NUDGES = 3


class NudgeMode(StrEnum):
    """How often a young person said they want nudges."""

    OFF = "off"
    WEEKLY = "weekly"
    NORMAL = "normal"


@dataclass(frozen=True)
class NudgeHistory:
    """What the nudge rules need to know about one young person."""

    mode: NudgeMode
    last_seen_at: datetime
    last_nudged_at: datetime | None
    unanswered: int
    paused: bool = False
    unreachable: bool = False


def may_nudge(history: NudgeHistory, now: datetime) -> bool:
    """True if one kind nudge may go out now, and never more than the rules allow."""
    if history.mode is NudgeMode.OFF or history.paused or history.unreachable:
        return False
    if history.unanswered >= MAX_UNANSWERED_NUDGES:
        return False
    if now - history.last_seen_at < QUIET_BEFORE_NUDGE:
        return False
    if history.last_nudged_at is None or history.last_nudged_at < history.last_seen_at:
        return True
    return now - history.last_nudged_at >= NUDGE_GAP
