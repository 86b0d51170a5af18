"""A Telegram Bot API test double: a local aiohttp server that speaks the real wire format.

Tests run the real python-telegram-bot ``Application`` against it with
``Application.builder().token(double.token).base_url(double.base_url)``, play the people who
chat with the bot (``double.person(...)``), and read back what the bot sent them.

wire.py is the Bot API's shapes and limits, server.py the server, people.py the people and chats
a test plays, faults.py the failures a test injects.
"""

from tests.doubles.telegram.people import Chat, Person
from tests.doubles.telegram.server import TelegramDouble, telegram_double
from tests.doubles.telegram.wire import (
    DEFAULT_TOKEN,
    SECRET_HEADER,
    TINY_PNG,
    ApiCall,
    BotCommand,
    SentMessage,
)

__all__ = [
    "DEFAULT_TOKEN",
    "SECRET_HEADER",
    "TINY_PNG",
    "ApiCall",
    "BotCommand",
    "Chat",
    "Person",
    "SentMessage",
    "TelegramDouble",
    "telegram_double",
]
