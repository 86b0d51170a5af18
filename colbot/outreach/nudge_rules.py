"""Who may get a kind nudge or a weekly digest, and when: pure rules on an injected clock.

Nudge modes, as a young person chooses them in /settings:
- normal: a nudge after 14 quiet days, at most one a week, none after three unanswered; the
  digest (if switched on) once a week besides.
- weekly: the same, but nudge and digest share one budget: at most one of them in any 7 days.
- off: neither nudges nor the digest.
"""

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
    last_digest_at: datetime | None = None


def may_nudge(history: NudgeHistory, now: datetime) -> bool:
    """True if one kind nudge may go out now, and never more than the rules allow."""
    if history.mode is NudgeMode.OFF or history.paused or history.unreachable:
        return False
    if history.unanswered >= MAX_UNANSWERED_NUDGES:
        return False
    if now - history.last_seen_at < QUIET_BEFORE_NUDGE:
        return False
    if history.mode is NudgeMode.WEEKLY and _within_gap(history.last_digest_at, now):
        return False
    if history.last_nudged_at is None or history.last_nudged_at < history.last_seen_at:
        return True
    return now - history.last_nudged_at >= NUDGE_GAP


def may_send_digest(history: NudgeHistory, now: datetime) -> bool:
    """True if the weekly digest (already switched on) may go out now: at most once a week."""
    if history.mode is NudgeMode.OFF or history.paused or history.unreachable:
        return False
    if _within_gap(history.last_digest_at, now):
        return False
    return not (history.mode is NudgeMode.WEEKLY and _within_gap(history.last_nudged_at, now))


def _within_gap(last: datetime | None, now: datetime) -> bool:
    return last is not None and now - last < NUDGE_GAP
