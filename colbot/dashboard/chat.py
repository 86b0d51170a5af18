"""/dashboard: a one-time sign-in link to the city's dashboard, or to a partner's own."""

from __future__ import annotations

from colbot.chat.engine import Engine
from colbot.chat.turn import Turn
from colbot.dashboard import access as dashboard_access
from colbot.partners import store as partners
from colbot.storage.models import Partner

SIGN_IN_PATH = "/dashboard/sign-in"
TELEGRAM = "telegram"


def actor(channel: str, chat_id: str) -> str:
    """How the dashboard names whoever asked: telegram:1234."""
    return f"{channel}:{chat_id}"


class DashboardLinks:
    """Hands city admins and partner staff a link that works once, for ten minutes."""

    def __init__(self, admins: frozenset[int], public_url: str) -> None:
        self.admins = admins
        self.public_url = public_url.rstrip("/")

    def register(self, engine: Engine) -> None:
        """Adds /dashboard, hidden from the public menu."""
        engine.command("dashboard", self.dashboard, in_menu=False)

    def _is_city_admin(self, turn: Turn) -> bool:
        chat_id = turn.inbound.chat_id
        return (
            turn.inbound.channel == TELEGRAM and chat_id.isdigit() and int(chat_id) in self.admins
        )

    async def dashboard(self, turn: Turn) -> None:
        """Sends the link, or a polite no to anyone who is neither city team nor partner staff."""
        inbound = turn.inbound
        who = actor(inbound.channel, inbound.chat_id)
        if self._is_city_admin(turn):
            secret = await dashboard_access.create_link(
                turn.session, who, inbound.channel, turn.now
            )
            turn.say("dashboard.link_city", link=self._link(secret))
            return
        member = await partners.staff_member(turn.session, inbound.channel, inbound.chat_id)
        if member is None:
            turn.say("dashboard.not_allowed")
            return
        secret = await dashboard_access.create_link(
            turn.session, who, inbound.channel, turn.now, member
        )
        partner = await turn.session.get(Partner, member.partner_id)
        name = partner.name if partner else ""
        turn.say("dashboard.link_partner", link=self._link(secret), partner=name)

    def _link(self, secret: str) -> str:
        return f"{self.public_url}{SIGN_IN_PATH}?t={secret}"
