"""Who is speaking, decided once per turn: the city team, a partner's staff, or a young person."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from typing import Any

from sqlalchemy import BindParameter, ColumnElement
from sqlalchemy.ext.asyncio import AsyncSession

from colbot.chat.messages import Inbound
from colbot.chat.turn import Actor
from colbot.partners import store as partners
from colbot.storage.models import StaffMember
from colbot.team import store as team

TELEGRAM = "telegram"
# Sign-in links printed by `colbot dashboard link`: whoever runs colbot is on the city team.
COMMAND_LINE = "cli"


class CityTeam:
    """The city team: Telegram ids in COLBOT_ADMINS, and admins invited on any channel."""

    def __init__(self, telegram_admins: Collection[int]) -> None:
        self.telegram_admins = frozenset(telegram_admins)

    def _configured(self, channel: str, chat_id: str) -> bool:
        return channel == TELEGRAM and chat_id.isdigit() and int(chat_id) in self.telegram_admins

    async def is_admin(self, session: AsyncSession, channel: str, chat_id: str) -> bool:
        """Whether this chat belongs to someone on the city team."""
        if self._configured(channel, chat_id):
            return True
        return await team.find_admin(session, channel, chat_id) is not None

    def columns(
        self, channel: BindParameter[str], chat_id: BindParameter[str]
    ) -> tuple[ColumnElement[Any], ...]:
        """The chat's newest staff membership and whether it was invited onto the city team: read
        with every turn's conversation row, so only a member of staff costs a second read."""
        return (
            partners.staff_member_query(channel, chat_id)
            .with_only_columns(StaffMember.id)
            .scalar_subquery(),
            team.admin_query(channel, chat_id).exists(),
        )

    async def actor(self, session: AsyncSession, inbound: Inbound, values: Sequence[Any]) -> Actor:
        """The speaker of this event, with their staff membership if they have one."""
        staff_id, invited = values
        staff = await session.get(StaffMember, staff_id) if staff_id is not None else None
        configured = self._configured(inbound.channel, inbound.chat_id)
        return Actor(city_admin=configured or bool(invited), staff=staff)

    async def still_admin(self, session: AsyncSession, who: str) -> bool:
        """Whether a dashboard signed in as `who` ("telegram:1234", "cli:alex") may stay open."""
        channel, _, chat_id = who.partition(":")
        return channel == COMMAND_LINE or await self.is_admin(session, channel, chat_id)

    async def chats(self, session: AsyncSession) -> list[tuple[str, str]]:
        """Every chat the city team can be reached on, each once."""
        chats = [(TELEGRAM, str(admin)) for admin in sorted(self.telegram_admins)]
        chats += [(a.channel, a.external_id) for a in await team.active_admins(session)]
        return list(dict.fromkeys(chats))
