"""Send pacing: a global per-second cap and one message a second per chat, on injected time."""

from __future__ import annotations

import asyncio
from collections import deque
from collections.abc import Awaitable, Callable

WINDOW_S = 1.0
PER_CHAT_GAP_S = 1.0
DEFAULT_SEND_RATE = 25
# Sends are spread evenly, 1.5% apart more than the rate needs, so that network jitter cannot
# bunch them into more than `rate` arriving at Telegram within one second.
SPACING_MARGIN = 1.015
OVERSHOOT_S = 0.003


class SendPacer:
    """Waits so that no one-second window holds more than `rate` sends, nor two to one chat."""

    def __init__(
        self,
        rate: int,
        per_chat_gap_s: float = PER_CHAT_GAP_S,
        monotonic: Callable[[], float] | None = None,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        self.rate = rate
        self.per_chat_gap_s = per_chat_gap_s
        self._monotonic = monotonic or asyncio.get_running_loop().time
        self._sleep = sleep
        self._recent: deque[float] = deque()
        self._chat_last: dict[str, float] = {}
        self._paused_until = 0.0
        self._last = float("-inf")
        self._spacing = SPACING_MARGIN / rate if rate > 0 else 0.0
        self._lock = asyncio.Lock()

    def pause(self, seconds: float) -> None:
        """Holds every send for a while, as Telegram asks with a 429 retry_after."""
        self._paused_until = max(self._paused_until, self._monotonic() + seconds)

    def chat_wait(self, chat_id: str) -> float:
        """Seconds until this chat may get its next message (0 if now)."""
        last = self._chat_last.get(chat_id)
        return 0.0 if last is None else max(0.0, last + self.per_chat_gap_s - self._monotonic())

    async def acquire(self, chat_id: str) -> None:
        """Returns once a send to this chat keeps within every limit, and records it."""
        async with self._lock:
            while True:
                now = self._monotonic()
                wait = max(
                    self._paused_until - now,
                    self.chat_wait(chat_id),
                    self._last + self._spacing - now,
                )
                if self.rate > 0:
                    while self._recent and self._recent[0] <= now - WINDOW_S:
                        self._recent.popleft()
                    if len(self._recent) >= self.rate:
                        wait = max(wait, self._recent[0] + WINDOW_S - now)
                if wait <= 0:
                    break
                await self._sleep(wait)
            if self.rate > 0:
                self._recent.append(now)
                # Keep to the even schedule despite sleep overshoot; after a longer stall start
                # afresh rather than catch up in a burst.
                planned = self._last + self._spacing
                self._last = planned if now - planned < OVERSHOOT_S else now
            self._chat_last[chat_id] = now
            if len(self._chat_last) > 4 * max(self.rate, 1000):
                self._forget_old(now)

    def _forget_old(self, now: float) -> None:
        self._chat_last = {
            chat: at for chat, at in self._chat_last.items() if at > now - self.per_chat_gap_s
        }
