"""The bot's own public name, needed for t.me deep links in invites and QR codes."""

from __future__ import annotations

FALLBACK_USERNAME = "colbot_bot"


class BotIdentity:
    """The Telegram bot's @username, learnt from getMe when the channel starts."""

    def __init__(self, username: str = "") -> None:
        self.known = username

    def username(self) -> str:
        """The username for t.me links; a placeholder until Telegram has been reached."""
        return self.known or FALLBACK_USERNAME
