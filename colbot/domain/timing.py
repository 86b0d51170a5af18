"""How an opportunity is timed: at a set time, or open-ended (drop-in, online, ongoing)."""

from __future__ import annotations

import enum


class Timing(enum.StrEnum):
    """Whether an opportunity happens at its listed times; only a session's codes follow them."""

    SESSION = "session"
    DROP_IN = "drop_in"
    ONLINE = "online"
    ONGOING = "ongoing"

    @property
    def is_fixed(self) -> bool:
        """A session happens at a set time; the others can be done whenever they are open."""
        return self is Timing.SESSION
