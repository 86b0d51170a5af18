"""A young person's data is theirs: a full copy on request, and erasure."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import delete, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from colbot.badges import store as badges
from colbot.delivery import web_push
from colbot.people import store as people
from colbot.storage.models import (
    AuditEntry,
    CardShown,
    ChannelIdentity,
    ConversationState,
    Dismissal,
    IssuedBadge,
    Journey,
    Opportunity,
    OutboxMessage,
    PathwayFollow,
    Redemption,
    Reminder,
    SavedItem,
    WebChatDevice,
    WebChatFile,
    WebChatInbound,
    WebChatMessage,
    WebChatMove,
    WebChatMoveFailure,
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
        "pathways": [
            {
                "pathway": f.pathway_id,
                "followed_at": _iso(f.followed_at),
                "stopped_at": _iso(f.unfollowed_at),
                "one_step_to_go_sent_at": _iso(f.one_to_go_at),
            }
            for f in await rows(PathwayFollow, PathwayFollow.followed_at)
        ],
        "journey": (
            {"sharing": journey.sharing, "created_at": _iso(journey.created_at)}
            if journey
            else None
        ),
        "browsers_with_notifications": await web_push.count_for_chats(session, web_chats),
        "messages_waiting_for_you": [
            {"text": m.payload.get("text"), "not_before": _iso(m.not_before), "status": m.status}
            for m in await _outbox_to(session, identities)
        ],
        "calls_for_help": [
            {
                "at": _iso(alert.created_at),
                "to": "the city team" if alert.channel != "email" else "the safeguarding lead",
                "kept_after_delete": "yes: the safeguarding record keeps the time, your "
                "reference and your words, never your chat account",
            }
            for alert in await _alerts_from(session, [i.external_id for i in identities])
        ],
        "records": [
            {"action": entry.action, "at": _iso(entry.at)}
            for entry in await session.scalars(
                select(AuditEntry)
                .where(
                    (AuditEntry.actor.in_([person.public_id, *(i.external_id for i in identities)]))
                    | (AuditEntry.subject == person.public_id)
                )
                .order_by(AuditEntry.at)
            )
        ],
    }


async def _outbox_to(session: AsyncSession, identities: list[Any]) -> list[OutboxMessage]:
    found: list[OutboxMessage] = []
    for identity in identities:
        found += await session.scalars(
            select(OutboxMessage).where(
                OutboxMessage.channel == identity.channel,
                OutboxMessage.chat_id == identity.external_id,
            )
        )
    return found


async def _alerts_from(session: AsyncSession, chat_ids: list[str]) -> list[OutboxMessage]:
    found: list[OutboxMessage] = []
    for chat_id in chat_ids:
        found += await session.scalars(
            select(OutboxMessage).where(
                OutboxMessage.idempotency_key.startswith("report:"),
                OutboxMessage.idempotency_key.contains(f":{chat_id}:"),
            )
        )
    return found


ERASED = "erased"


async def delete_profile(
    session: AsyncSession, person: YoungPerson, now: datetime, keep_badges: bool
) -> None:
    """What /delete does: badges withdrawn unless they chose to keep them working, then erase."""
    if not keep_badges:
        await badges.withdraw_all(session, person, now)
    await erase(session, person)


async def erase(session: AsyncSession, person: YoungPerson) -> None:
    """Erases everything that identifies a young person; completions stay as anonymous counts.

    What is queued for them is cancelled with the rest. The one thing kept is a call for help:
    the alert the city team was sent (its time, the reference and the words) stays as the
    safeguarding lead's record, with nothing in it that names their chat account.
    """
    identities = list(
        await session.execute(
            select(ChannelIdentity.channel, ChannelIdentity.external_id).where(
                ChannelIdentity.young_person_id == person.id
            )
        )
    )
    chats = [(channel, external_id) for channel, external_id in identities]
    chat_ids = [external_id for _, external_id in chats]
    web_chats = [external_id for channel, external_id in chats if channel == WEB_CHAT_CHANNEL]
    owned_rows = (
        CardShown,
        Dismissal,
        Reminder,
        SavedItem,
        Journey,
        ConversationState,
        PathwayFollow,
    )
    for owned in owned_rows:
        await session.execute(delete(owned).where(owned.young_person_id == person.id))
    for channel, external_id in chats:
        await session.execute(
            delete(ConversationState).where(
                ConversationState.channel == channel, ConversationState.chat_id == external_id
            )
        )
        await session.execute(
            delete(OutboxMessage).where(
                OutboxMessage.channel == channel, OutboxMessage.chat_id == external_id
            )
        )
    await _unlink_records(session, person, chat_ids)
    await web_push.forget_chats(session, web_chats)
    if web_chats:
        for column in (
            WebChatMessage.chat_id,
            WebChatFile.chat_id,
            WebChatInbound.chat_id,
            WebChatMove.chat_id,
            WebChatDevice.chat_id,
            WebChatDevice.device,
            WebChatMoveFailure.device,
        ):
            await session.execute(delete(column.class_).where(column.in_(web_chats)))
    await session.delete(person)
    await session.flush()


async def _unlink_records(session: AsyncSession, person: YoungPerson, chat_ids: list[str]) -> None:
    """Takes their chat ids and reference out of the audit log and the team's alerts."""
    names = [person.public_id, *chat_ids]
    await session.execute(
        update(AuditEntry).where(AuditEntry.actor.in_(names)).values(actor=ERASED, detail={})
    )
    await session.execute(
        update(AuditEntry).where(AuditEntry.subject.in_(names)).values(subject=ERASED, detail={})
    )
    for chat_id in chat_ids:
        # An alert's key named the chat it came from; the alert itself stays, keyed by its row.
        alerts = await session.scalars(
            select(OutboxMessage).where(OutboxMessage.idempotency_key.contains(f":{chat_id}:"))
        )
        for alert in alerts:
            alert.idempotency_key = f"{ERASED}:{alert.id}"
