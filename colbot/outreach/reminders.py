"""Reminders before a session: due Reminder rows become outbox messages with a map and a .ics."""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select

from colbot.chat.buttons import ButtonData
from colbot.chat.messages import Attachment, Button, Outbound
from colbot.content.conversations import Conversations
from colbot.delivery import outbox
from colbot.domain.quiet_hours import QuietHours
from colbot.domain.when import local_when
from colbot.explore.actions import CANT_MAKE_IT
from colbot.storage.database import Database
from colbot.storage.models import ChannelIdentity, Opportunity, Reminder, SavedItem, YoungPerson

log = logging.getLogger(__name__)

OSM_ZOOM = 17
ICS_STAMP = "%Y%m%dT%H%M%SZ"
BATCH = 500
AFTER_SESSION_WINDOW = timedelta(days=1)


def map_url(opportunity: Opportunity) -> str:
    """An OpenStreetMap link to the venue: a pin if we know where it is, else a search."""
    if opportunity.latitude is not None and opportunity.longitude is not None:
        lat, lon = opportunity.latitude, opportunity.longitude
        return f"https://www.openstreetmap.org/?mlat={lat}&mlon={lon}#map={OSM_ZOOM}/{lat}/{lon}"
    query = " ".join(p for p in (opportunity.venue, opportunity.postcode) if p).replace(" ", "+")
    return f"https://www.openstreetmap.org/search?query={query}"


def _ics_text(value: str) -> str:
    return value.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,").replace("\n", "\\n")


def ics(opportunity: Opportunity, now: datetime) -> bytes:
    """A one-event calendar file for the session."""
    parts = (opportunity.venue, opportunity.address, opportunity.postcode)
    where = ", ".join(p for p in parts if p)
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:-//colbot//reminders//EN",
        "BEGIN:VEVENT",
        f"UID:opportunity-{opportunity.id}@colbot",
        f"DTSTAMP:{now.astimezone(UTC):{ICS_STAMP}}",
        f"DTSTART:{opportunity.starts_at.astimezone(UTC):{ICS_STAMP}}",
        f"DTEND:{opportunity.ends_at.astimezone(UTC):{ICS_STAMP}}",
        f"SUMMARY:{_ics_text(opportunity.title)}",
        f"LOCATION:{_ics_text(where)}",
        "END:VEVENT",
        "END:VCALENDAR",
    ]
    return ("\r\n".join(lines) + "\r\n").encode()


def quiet_hours_for(person: YoungPerson, default: QuietHours | None) -> str:
    """The quiet hours to store with a message: theirs if they chose, else the city's."""
    if person.quiet_hours is not None:
        return person.quiet_hours
    return str(default) if default is not None else ""


class ReminderSender:
    """Turns reminders that fell due (also while colbot was down) into outbox messages."""

    def __init__(
        self,
        database: Database,
        content: Conversations,
        tz: ZoneInfo,
        quiet: QuietHours | None,
    ) -> None:
        self.database = database
        self.content = content
        self.tz = tz
        self.quiet = quiet

    def _cant_make_it(self, opportunity: Opportunity) -> Button:
        data = ButtonData(CANT_MAKE_IT, str(opportunity.id)).encode()
        return Button(self.content.render("reminders.cant_make_it"), data)

    async def enqueue_due(self, now: datetime) -> int:
        """Queues every due reminder still useful, and drops those for sessions already begun."""
        queued = 0
        async with self.database.transaction() as session:
            rows = (
                await session.execute(
                    select(Reminder, Opportunity, YoungPerson, ChannelIdentity)
                    .join(Opportunity, Opportunity.id == Reminder.opportunity_id)
                    .join(YoungPerson, YoungPerson.id == Reminder.young_person_id)
                    .join(ChannelIdentity, ChannelIdentity.young_person_id == YoungPerson.id)
                    .where(
                        Reminder.due_at <= now,
                        Reminder.sent_at.is_(None),
                        Reminder.cancelled_at.is_(None),
                        # Held while the session is put off: they move to its new date.
                        Opportunity.status != "postponed",
                    )
                    .order_by(Reminder.due_at)
                    .limit(BATCH)
                )
            ).all()
            for reminder, opportunity, person, identity in rows:
                if (
                    opportunity.starts_at <= now
                    or opportunity.status != "scheduled"
                    or person.unreachable_since is not None
                    or person.paused_at is not None
                ):
                    reminder.cancelled_at = now
                    continue
                where = ", ".join(p for p in (opportunity.venue, opportunity.postcode) if p)
                text = self.content.render(
                    "reminders.before",
                    title=opportunity.title,
                    when=local_when(opportunity.starts_at, self.tz),
                    where=where,
                    map_url=map_url(opportunity),
                )
                calendar = Attachment("session.ics", ics(opportunity, now), "text/calendar")
                await outbox.enqueue(
                    session,
                    identity.channel,
                    identity.external_id,
                    text,
                    key=f"reminder:{reminder.id}",
                    now=now,
                    outbound=Outbound(
                        text=text, file=calendar, buttons=((self._cant_make_it(opportunity),),)
                    ),
                    expires_at=opportunity.starts_at,
                    quiet_hours=quiet_hours_for(person, self.quiet),
                )
                reminder.sent_at = now
                queued += 1
        return queued

    async def enqueue_after_sessions(self, now: datetime) -> int:
        """Once per saved session that has ended: how did it go, and send your code."""
        queued = 0
        async with self.database.transaction() as session:
            rows = (
                await session.execute(
                    select(SavedItem, Opportunity, YoungPerson, ChannelIdentity)
                    .join(Opportunity, Opportunity.id == SavedItem.opportunity_id)
                    .join(YoungPerson, YoungPerson.id == SavedItem.young_person_id)
                    .join(ChannelIdentity, ChannelIdentity.young_person_id == YoungPerson.id)
                    .where(
                        Opportunity.ends_at <= now,
                        Opportunity.ends_at > now - AFTER_SESSION_WINDOW,
                        YoungPerson.unreachable_since.is_(None),
                        YoungPerson.paused_at.is_(None),
                    )
                )
            ).all()
            for saved, opportunity, person, identity in rows:
                text = self.content.render("reminders.after", title=opportunity.title)
                await outbox.enqueue(
                    session,
                    identity.channel,
                    identity.external_id,
                    text,
                    key=f"after-session:{saved.id}",
                    now=now,
                    expires_at=opportunity.ends_at + AFTER_SESSION_WINDOW,
                    quiet_hours=quiet_hours_for(person, self.quiet),
                )
                queued += 1
        return queued
