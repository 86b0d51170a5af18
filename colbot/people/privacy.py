"""A young person's data is theirs: a full copy on request, and erasure."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from colbot.delivery import web_push
from colbot.people import store as people
from colbot.storage.models import (
    CardShown,
    ChannelIdentity,
    ConversationState,
    Dismissal,
    IssuedBadge,
    Journey,
    Opportunity,
    Redemption,
    Reminder,
    SavedItem,
    WebChatFile,
    WebChatMessage,
    YoungPerson,
)
from colbot.storage.models.webchat import WEB_CHAT_CHANNEL


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment else None


async def export(session: AsyncSession, person: YoungPerson) -> dict[str, Any]:
    """Everything colbot holds about one young person, as plain JSON-ready data."""
    titles = dict((await session.execute(select(Opportunity.id, Opportunity.title))).tuples().all())

    async def rows(model: Any, *order: Any) -> list[Any]:
        query = select(model).where(model.young_person_id == person.id)
        return list(await session.scalars(query.order_by(*order) if order else query))

    identities = await rows(ChannelIdentity)
    web_chats = [i.external_id for i in identities if i.channel == WEB_CHAT_CHANNEL]
    states = await rows(ConversationState)
    journey = await session.scalar(select(Journey).where(Journey.young_person_id == person.id))
    return {
        "about": "Everything colbot keeps about you. Send /delete in the chat to erase it.",
        "profile": {
            "reference": person.public_id,
            "nickname": person.nickname,
            "age": person.age,
            "age_given_at": _iso(person.age_given_at),
            "area": person.area_id,
            "rough_location": (
                {"latitude": person.latitude, "longitude": person.longitude}
                if person.latitude is not None
                else None
            ),
            "travel_km": person.travel_km,
            "free_times": list(person.availability or []),
            "passions": await people.passion_ids(session, person),
            "email": person.email,
            "language": person.language,
            "agreed_at": _iso(person.consented_at),
            "joined_at": _iso(person.created_at),
            "finished_questions_at": _iso(person.onboarded_at),
            "last_message_at": _iso(person.last_seen_at),
        },
        "chat_accounts": [
            {"channel": i.channel, "id": i.external_id, "since": _iso(i.created_at)}
            for i in identities
        ],
        "conversation": [
            {"channel": s.channel, "flow": s.flow, "question": s.step, "answers": s.answers}
            for s in states
        ],
        "saved": [
            {"opportunity": titles.get(s.opportunity_id), "saved_at": _iso(s.saved_at)}
            for s in await rows(SavedItem, SavedItem.saved_at)
        ],
        "reminders": [
            {
                "opportunity": titles.get(r.opportunity_id),
                "due_at": _iso(r.due_at),
                "sent_at": _iso(r.sent_at),
                "cancelled_at": _iso(r.cancelled_at),
            }
            for r in await rows(Reminder, Reminder.due_at)
        ],
        "not_for_me": [
            {
                "opportunity": titles.get(d.opportunity_id),
                "reason": d.reason,
                "at": _iso(d.dismissed_at),
            }
            for d in await rows(Dismissal, Dismissal.dismissed_at)
        ],
        "suggestions_shown": [
            {"opportunity": titles.get(c.opportunity_id), "at": _iso(c.shown_at)}
            for c in await rows(CardShown, CardShown.shown_at)
        ],
        "completed": [
            {
                "opportunity": titles.get(r.opportunity_id),
                "learning_hours": r.learning_hours,
                "at": _iso(r.redeemed_at),
            }
            for r in await rows(Redemption, Redemption.redeemed_at)
        ],
        "badges": [
            {
                "id": b.public_id,
                "badge": b.badge_class_id,
                "issued_at": _iso(b.issued_at),
                "revoked_at": _iso(b.revoked_at),
            }
            for b in await rows(IssuedBadge, IssuedBadge.issued_at)
        ],
        "journey": (
            {"sharing": journey.sharing, "created_at": _iso(journey.created_at)}
            if journey
            else None
        ),
        "browsers_with_notifications": await web_push.count_for_chats(session, web_chats),
    }


async def erase(session: AsyncSession, person: YoungPerson) -> None:
    """Erases everything that identifies a young person; completions stay as anonymous counts."""
    for model in (CardShown, Dismissal, Reminder, SavedItem, Journey, ConversationState):
        await session.execute(delete(model).where(model.young_person_id == person.id))
    web_chats = list(
        await session.scalars(
            select(ChannelIdentity.external_id).where(
                ChannelIdentity.young_person_id == person.id,
                ChannelIdentity.channel == WEB_CHAT_CHANNEL,
            )
        )
    )
    await web_push.forget_chats(session, web_chats)
    if web_chats:
        await session.execute(delete(WebChatMessage).where(WebChatMessage.chat_id.in_(web_chats)))
        await session.execute(delete(WebChatFile).where(WebChatFile.chat_id.in_(web_chats)))
    await session.delete(person)
    await session.flush()
