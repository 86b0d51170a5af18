"""What other features may add when a code is redeemed (the badge feature hands over the badge)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

from colbot.chat.messages import Outbound
from colbot.chat.turn import Turn
from colbot.storage.models import Redemption


@dataclass(frozen=True)
class RedeemedReply:
    """A feature's own messages for a redemption; `cheers` when they say well done themselves."""

    messages: list[Outbound] = field(default_factory=list)
    cheers: bool = False


RedeemedHook = Callable[[Turn, Redemption], Awaitable[RedeemedReply]]
