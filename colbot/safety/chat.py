"""Help when something is wrong: /report, or words like "help me", answered at once."""

from __future__ import annotations

import re
from zoneinfo import ZoneInfo

from colbot.chat.router import Router
from colbot.chat.turn import Turn
from colbot.delivery import outbox
from colbot.domain.text import clean, folded

ALERT_WORDS_MAX = 300
SAFETY_PHRASES = (
    "help me",
    "unsafe",
    "not safe",
    "i m scared",
    "im scared",
    "i am scared",
    "being bullied",
    "bullying me",
    "someone hurt me",
    "hurting me",
    "abuse",
    "abused",
    "kill myself",
    "hurt myself",
    "self harm",
    "suicide",
    "i m in danger",
    "in danger",
)
_PATTERN = re.compile(r"\b(" + "|".join(re.escape(p) for p in SAFETY_PHRASES) + r")\b")


def asks_for_help(text: str) -> bool:
    """Whether a message contains words that mean someone may need help now."""
    return bool(_PATTERN.search(folded(text)))


class Safety:
    """Answers a call for help with Childline and the safeguarding lead, and tells the admins."""

    def __init__(
        self, admin_chats: list[tuple[str, str]], safeguarding: dict[str, str], tz: ZoneInfo
    ) -> None:
        self.admin_chats = admin_chats
        self.safeguarding = safeguarding
        self.tz = tz

    def router(self) -> Router:
        """/report, and safety words in anything typed (include it first, so they win)."""
        routes = Router("safety")
        routes.command("report", self.report)
        routes.text(self.on_text)
        return routes

    async def on_text(self, turn: Turn) -> bool:
        """Answers safety words wherever the person is in the conversation."""
        if not asks_for_help(turn.inbound.text):
            return False
        await self.report(turn)
        return True

    async def report(self, turn: Turn) -> None:
        """Gives help straight away and alerts the city team."""
        turn.say("report.reply", **self.safeguarding)
        words = clean(turn.inbound.text)[:ALERT_WORDS_MAX] or "/report"
        reference = turn.person.public_id if turn.person else f"{turn.inbound.channel}-new"
        alert = turn.text(
            "report.alert",
            channel=turn.inbound.channel,
            when=turn.now.astimezone(self.tz).strftime("%H:%M on %d %b"),
            reference=reference,
            words=words,
        )
        for channel, chat_id in self.admin_chats:
            await outbox.enqueue(
                turn.session,
                channel,
                chat_id,
                alert,
                key=f"report:{turn.inbound.channel}:{turn.inbound.chat_id}:{turn.now.isoformat()}:{chat_id}",
                now=turn.now,
            )
        if turn.in_flow:
            turn.flows.ask(turn)
