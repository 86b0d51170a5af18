"""/follow and /feeds in the chat: the city team follows a partner's feed as `colbot` does."""

from __future__ import annotations

import logging
from zoneinfo import ZoneInfo

from colbot.catalogue import feeds
from colbot.catalogue.feeds import Harvester
from colbot.catalogue.fetch import refused_because
from colbot.chat.messages import Outbound
from colbot.chat.router import Audience, Router
from colbot.chat.turn import Turn
from colbot.storage.models import Partner

log = logging.getLogger(__name__)

MAX_SHOWN_CHARS = 200


class FeedsChat:
    """Lets the city team follow a partner's OpenActive feed or calendar, and list the feeds."""

    def __init__(self, harvester: Harvester, timezone: ZoneInfo) -> None:
        self.harvester = harvester
        self.timezone = timezone

    def router(self) -> Router:
        """/follow URL PARTNER and /feeds, in the city team's menu."""
        routes = Router("feeds")
        routes.command("follow", self.follow, Audience.CITY_ADMIN)
        routes.command("feeds", self.list, Audience.CITY_ADMIN)
        return routes

    def _refused(self, turn: Turn) -> bool:
        if turn.actor.city_admin:
            return False
        turn.say("feeds.not_admin")
        return True

    async def follow(self, turn: Turn) -> None:
        """Follows the feed with the same rules as `colbot opportunities follow`, then reads it."""
        if self._refused(turn):
            return
        args = [a for a in turn.inbound.args if a.strip()]
        if not args:
            turn.say("feeds.how")
            return
        url, partner = args[0].strip("<>"), " ".join(args[1:]).strip()
        shown = url[:MAX_SHOWN_CHARS]
        reason = refused_because(url, self.harvester.allow_private, self.harvester.internal)
        if reason is not None:
            turn.say(f"feeds.refused_{reason}", url=shown)
            return
        if not partner:
            turn.say("feeds.no_partner", url=shown)
            return
        try:
            feed = await feeds.follow_in(
                turn.session,
                url,
                partner,
                turn.now,
                allow_private=self.harvester.allow_private,
                internal=self.harvester.internal,
            )
        except feeds.PartnerUnknown as unknown:
            turn.say("feeds.unknown_partner", partner=unknown.name[:80], guess=unknown.guess)
            return
        except feeds.FeedError:
            turn.say("feeds.refused_not_address", url=shown)
            return
        known = await turn.session.get(Partner, feed.partner_id)
        turn.say("feeds.following", url=feed.url, partner=known.name if known else partner)
        url = feed.url

        async def first_read() -> list[Outbound]:
            return [Outbound(text=await self._first_read(turn, url))]

        turn.then(first_read)

    async def _first_read(self, turn: Turn, url: str) -> str:
        """Polls the new feed once, after the turn is saved, and says what it found."""
        try:
            outcomes = await feeds.poll_due(self.harvester, turn.now, url)
            lines = await feeds.list_feeds(self.harvester.database)
        except Exception:
            log.exception("the first read of %s failed", url)
            return turn.text("feeds.read_later")
        outcome = outcomes.get(url, "")
        line = next((line for line in lines if line.url == url), None)
        if line is None or outcome.startswith("error:"):
            return turn.text("feeds.read_failed", error=outcome.removeprefix("error: "))
        return turn.text(
            "feeds.first_read",
            outcome=outcome,
            items=line.items,
            opportunities=line.opportunities,
            problem=line.last_error,
        )

    async def list(self, turn: Turn) -> None:
        """Each followed feed with its position, last success, last error and counts."""
        if self._refused(turn):
            return
        shown = [
            {
                "url": line.url,
                "partner": line.partner,
                "kind": line.kind,
                "position": line.position,
                "success": line.last_success_at.astimezone(self.timezone).strftime(
                    "%-d %b %Y %H:%M"
                )
                if line.last_success_at
                else None,
                "error": line.last_error,
                "items": line.items,
                "opportunities": line.opportunities,
            }
            for line in await feeds.feed_lines(turn.session)
        ]
        turn.say("feeds.list", feeds=shown)
