"""Who is speaking: decided once per turn from the city team's list and the partners' staff."""

from __future__ import annotations

from collections.abc import Collection

from sqlalchemy.ext.asyncio import AsyncSession

from colbot.chat.messages import Inbound
from colbot.chat.turn import Actor
from colbot.partners import store as partners

TELEGRAM = "telegram"


class Actors:
    """Tells young people from partner staff and the city team (COLBOT_ADMINS, Telegram ids)."""

    def __init__(self, admins: Collection[int]) -> None:
        self.admins = frozenset(admins)

    def is_city_admin(self, inbound: Inbound) -> bool:
        """City admins are the Telegram users listed in COLBOT_ADMINS."""
        chat_id = inbound.chat_id
        return inbound.channel == TELEGRAM and chat_id.isdigit() and int(chat_id) in self.admins

    async def identify(self, session: AsyncSession, inbound: Inbound) -> Actor:
        """The speaker of this event, with their staff membership if they have one."""
        staff = await partners.staff_member(session, inbound.channel, inbound.chat_id)
        return Actor(city_admin=self.is_city_admin(inbound), staff=staff)
