"""Opening a city admin invite in the chat: the opener joins the city team on that channel."""

from __future__ import annotations

from colbot.chat.messages import Outbound
from colbot.chat.router import Router
from colbot.chat.turn import Actor, Turn
from colbot.team import store as team


def router() -> Router:
    """The admin invite link (/start a_...), on any channel."""
    routes = Router("team")
    routes.start_payload(join)
    return routes


async def join(turn: Turn, payload: str) -> bool:
    """Makes the opener a city admin, then shows them the city team's commands."""
    if not team.is_invite_payload(payload):
        return False
    joined = await team.accept_invite(
        turn.session, payload, turn.inbound.channel, turn.inbound.chat_id, turn.now
    )
    if joined.problem is not None or joined.admin is None:
        turn.say(f"team.invite_{joined.problem or 'unknown'}")
        return True
    turn.say("team.welcome", name=joined.admin.name)
    turn.send(Outbound(text="", menu=tuple(turn.menu_for(Actor(city_admin=True)))))
    return True
