"""The chat side of badges: issued the moment a code is redeemed, handed over with a cheer."""

from __future__ import annotations

import re
from collections.abc import Callable

from colbot.badges.forms import download_name
from colbot.badges.store import Award, BadgeIssuer
from colbot.chat.messages import Attachment, Button, Outbound
from colbot.chat.router import Audience, Router
from colbot.chat.turn import Turn
from colbot.codes.redeemed import RedeemedReply
from colbot.journeys.store import journey_for
from colbot.storage.models import Redemption

PNG = "image/png"
DESCRIPTION_IN_CHAT = 200
EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s.]+")
MAX_EMAIL = 254
EMAIL_OFF = frozenset({"off", "remove", "delete", "none"})

# Another feature's button for a badge (such as "Add to wallet"), given the badge's public id.
BadgeButton = Callable[[Turn, str], Button]


def _short(text: str, limit: int = DESCRIPTION_IN_CHAT) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _hours(value: float) -> str:
    return f"{value:g}"


class BadgeAwards:
    """Issues badges on redemption, inside its transaction, and sends them to the young person."""

    def __init__(self, issuer: BadgeIssuer, more_buttons: tuple[BadgeButton, ...] = ()) -> None:
        self.issuer = issuer
        self.more_buttons = more_buttons

    def router(self) -> Router:
        """/email (the address badges are issued to), offered in the badge message itself."""
        routes = Router("badges")
        routes.command("email", self.email, Audience.NOBODY)
        return routes

    async def on_redeemed(self, turn: Turn, redemption: Redemption) -> RedeemedReply:
        """Issues this redemption's badge and any city badges, to hand over in their place.

        The badge picture carries the cheer, so the redeemer's plain one is left out: one message
        fewer per person keeps a whole group within Telegram's 30 messages a second.
        """
        person = turn.person
        assert person is not None
        awarded = await self.issuer.award_redemption(turn.session, person, redemption, turn.now)
        journey = self.issuer.urls.journey((await journey_for(turn.session, person, turn.now)).slug)
        total = awarded.hours
        messages: list[Outbound] = []
        for award in awarded.awards:
            if award.city:
                messages.append(self._city_badge(turn, award))
            else:
                messages.append(
                    self._earned(turn, awarded.title, award, journey, total, person.email)
                )
        return RedeemedReply(messages, cheers=any(not award.city for award in awarded.awards))

    def _buttons(self, turn: Turn, award: Award) -> tuple[tuple[Button, ...], ...]:
        """LinkedIn, then each other feature's button, a row each."""
        linkedin = (Button(turn.text("badges.linkedin"), url=award.linkedin_url),)
        more = tuple((make(turn, award.badge.public_id),) for make in self.more_buttons)
        return (linkedin, *more)

    @staticmethod
    def _picture(award: Award, title: str) -> Attachment:
        """The baked badge itself, so saving the picture saves a badge anyone can check."""
        return Attachment(download_name(title, "png"), award.baked_png, PNG, verbatim=True)

    def _earned(
        self, turn: Turn, title: str, award: Award, journey: str, total: float, email: str | None
    ) -> Outbound:
        """The badge picture, named after the activity, with a cheer and how to keep it."""
        caption = turn.text(
            "badges.earned",
            title=title,
            badge=award.badge_class.name,
            issuer=award.issuer_name,
            hours=_hours(award.badge.learning_hours),
            total_hours=_hours(total),
            journey_url=journey,
            has_email=bool(email),
            channel=turn.inbound.channel,
        )
        picture = self._picture(award, title or award.badge_class.name)
        return Outbound(text=caption, image=picture, buttons=self._buttons(turn, award))

    def _city_badge(self, turn: Turn, award: Award) -> Outbound:
        """A city badge comes as one message too: its picture, named after it, with a cheer."""
        caption = turn.text(
            "badges.pathway_finished" if award.finishes else "badges.milestone",
            pathway=award.finishes,
            badge=award.badge_class.name,
            issuer=award.issuer_name,
            did=_short(award.badge_class.description),
            channel=turn.inbound.channel,
        )
        picture = self._picture(award, award.badge_class.name)
        return Outbound(text=caption, image=picture, buttons=self._buttons(turn, award))

    async def email(self, turn: Turn) -> None:
        """/email ADDRESS puts future badges in their email's name; /email off goes back."""
        person = turn.person
        if person is None:
            turn.say("badges.email_no_profile")
            return
        given = " ".join(turn.inbound.args).strip()
        if not given:
            turn.say(
                "badges.email_current" if person.email else "badges.email_how", email=person.email
            )
        elif given.lower() in EMAIL_OFF:
            person.email = None
            turn.say("badges.email_removed")
        elif len(given) > MAX_EMAIL or not EMAIL.fullmatch(given):
            turn.say("badges.email_bad")
        else:
            person.email = given
            turn.say("badges.email_saved", email=given)
