"""/dashboard: a one-time sign-in link to the city's dashboard, or to a partner's own."""

from __future__ import annotations

from colbot.chat.router import Audience, Router
from colbot.chat.turn import Turn
from colbot.dashboard import access as dashboard_access
from colbot.storage.models import Partner

SIGN_IN_PATH = "/dashboard/sign-in"


def dashboard_user(channel: str, chat_id: str) -> str:
    """How the dashboard names whoever asked: telegram:1234."""
    return f"{channel}:{chat_id}"


class DashboardLinks:
    """Hands city admins and partner staff a link that works once, for ten minutes."""

    def __init__(self, public_url: str) -> None:
        self.public_url = public_url.rstrip("/")

    def router(self) -> Router:
        """/dashboard, in staff's and the city team's menus."""
        routes = Router("dashboard")
        routes.command("dashboard", self.dashboard, Audience.STAFF, Audience.CITY_ADMIN)
        return routes

    async def dashboard(self, turn: Turn) -> None:
        """Sends the link, or a polite no to anyone who is neither city team nor partner staff."""
        inbound = turn.inbound
        who = dashboard_user(inbound.channel, inbound.chat_id)
        if turn.actor.city_admin:
            secret = await dashboard_access.create_link(
                turn.session, who, inbound.channel, turn.now
            )
            turn.say("dashboard.link_city", link=self._link(secret))
            return
        member = turn.actor.staff
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
