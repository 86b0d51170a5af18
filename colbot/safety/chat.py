"""Help when something is wrong: /report, or words like "help me", answered at once."""

from __future__ import annotations

import logging
import re
from collections.abc import Awaitable, Callable, Collection, Sequence
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession

from colbot.chat.router import Router
from colbot.chat.turn import Turn
from colbot.delivery import outbox
from colbot.delivery.email import CHANNEL as EMAIL
from colbot.domain.text import clean, folded
from colbot.storage import audit

log = logging.getLogger(__name__)

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


TeamChats = Callable[[AsyncSession], Awaitable[Sequence[tuple[str, str]]]]


class Safety:
    """Answers a call for help with Childline and the safeguarding lead, and alerts the team."""

    def __init__(
        self,
        team_chats: TeamChats,
        reachable: Collection[str],
        safeguarding: dict[str, str],
        tz: ZoneInfo,
        lead_email: str | None = None,
    ) -> None:
        self.team_chats = team_chats
        # The channels a queued message can really leave colbot on (Telegram only with a token).
        self.reachable = frozenset(reachable)
        self.safeguarding = safeguarding
        self.tz = tz
        self.lead_email = lead_email

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

    async def _recipients(self, turn: Turn) -> list[tuple[str, str]]:
        """Every city admin on every channel that can reach them, and the lead by e-mail."""
        chats = [chat for chat in await self.team_chats(turn.session) if chat[0] in self.reachable]
        if self.lead_email and EMAIL in self.reachable:
            chats.append((EMAIL, self.lead_email))
        return chats

    async def report(self, turn: Turn) -> None:
        """Gives help straight away, alerts whoever can be reached, and says so truthfully."""
        words = clean(turn.inbound.text)[:ALERT_WORDS_MAX] or "/report"
        reference = turn.person.public_id if turn.person else f"{turn.inbound.channel}-new"
        alert = turn.text(
            "report.alert",
            channel=turn.inbound.channel,
            when=turn.now.astimezone(self.tz).strftime("%H:%M on %d %b"),
            reference=reference,
            words=words,
        )
        recipients = await self._recipients(turn)
        for channel, chat_id in recipients:
            await outbox.enqueue(
                turn.session,
                channel,
                chat_id,
                alert,
                key=f"report:{turn.inbound.channel}:{turn.inbound.chat_id}:{turn.now.isoformat()}:{channel}:{chat_id}",
                now=turn.now,
            )
        await audit.record(
            turn.session,
            turn.now,
            reference,
            turn.inbound.channel,
            "safeguarding.alert",
            reference,
            alerted=len(recipients),
        )
        # The reference only: the young person's words stay out of the logs.
        log.warning(
            "safeguarding alert %s from %s: %d recipients",
            reference,
            turn.inbound.channel,
            len(recipients),
        )
        turn.say("report.reply", alerted=bool(recipients), **self.safeguarding)
        if turn.in_flow:
            turn.flows.ask(turn)
