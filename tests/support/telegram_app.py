"""colbot's settings for the real python-telegram-bot Application against the Telegram double."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from pathlib import Path

from colbot.app import Colbot
from colbot.settings import Settings, load_settings
from tests.doubles.telegram import TelegramDouble
from tests.support.demo import free_port

WEBHOOK_SECRET = "test-webhook-secret_1"


Starter = Callable[..., Awaitable[Colbot]]


def telegram_settings(
    double: TelegramDouble, data_dir: Path, mode: str, **extra: object
) -> Settings:
    """Settings that point colbot's Telegram channel at the double."""
    port = free_port()
    return load_settings(
        {},
        data_dir=data_dir,
        port=port,
        public_url=f"http://127.0.0.1:{port}",
        telegram_token=double.token,
        telegram_api_url=double.base_url,
        webhook_secret=WEBHOOK_SECRET if mode == "webhook" else None,
        **extra,
    )
