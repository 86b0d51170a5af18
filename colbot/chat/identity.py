"""The bot's own Telegram name, for t.me links, known only once Telegram has been reached."""

from __future__ import annotations


class BotIdentity:
    """The Telegram bot's @username, learnt from getMe when the channel starts."""

    def __init__(self, username: str = "") -> None:
        self.known = username

    def username(self) -> str:
        """The username for t.me links, or "" while Telegram is off or not yet reached.

        Nothing colbot hands out may point at a bot that does not exist, so callers offer the
        web chat alone when this is empty.
        """
        return self.known
