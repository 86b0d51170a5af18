"""When colbot's Telegram channel has finished with an update: its replies are all sent by then."""

from __future__ import annotations

import weakref
from collections import Counter
from typing import TYPE_CHECKING, Any, ClassVar

from telegram import Update
from telegram.ext import Application, TypeHandler

if TYPE_CHECKING:
    from colbot.app import Colbot
    from tests.doubles.telegram import TelegramDouble

# PTB runs an update's handler groups in turn, so a handler here runs once colbot's has finished.
AFTER_COLBOT = 1_000


class HandledUpdates:
    """Counts, per chat, the updates colbot's Telegram channel has finished with, replies sent."""

    _of: ClassVar[weakref.WeakKeyDictionary[object, HandledUpdates]] = weakref.WeakKeyDictionary()

    def __init__(self, application: Application[Any, Any, Any, Any, Any, Any]) -> None:
        self.by_chat: Counter[int] = Counter()
        application.add_handler(TypeHandler(Update, self._count), group=AFTER_COLBOT)

    @classmethod
    def of(cls, colbot: Colbot) -> HandledUpdates:
        """The one counter on this colbot's Telegram channel."""
        assert colbot.telegram is not None, "this colbot runs no Telegram channel"
        application = colbot.telegram.application
        if application not in cls._of:
            cls._of[application] = cls(application)
        return cls._of[application]

    async def _count(self, update: object, context: object) -> None:
        if isinstance(update, Update) and update.effective_chat is not None:
            self.by_chat[update.effective_chat.id] += 1


def let_double_see_handling(double: TelegramDouble, colbot: Colbot) -> None:
    """Lets the double's replies_to wait for colbot to finish an update, not only for quiet."""
    double.handled_in = HandledUpdates.of(colbot).by_chat.__getitem__
