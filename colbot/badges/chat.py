"""The chat side of badges: issued the moment a code is redeemed, handed over with a cheer."""

from __future__ import annotations

import re

from colbot.badges import store as badges
from colbot.badges.store import Award, BadgeIssuer
from colbot.chat.engine import Engine
from colbot.chat.messages import Attachment, Button, Outbound
from colbot.chat.turn import Turn
from colbot.codes.chat import Redeemer
from colbot.storage.models import Redemption

PNG = "image/png"
DESCRIPTION_IN_CHAT = 200
EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s.]+")
MAX_EMAIL = 254
EMAIL_OFF = frozenset({"off", "remove", "delete", "none"})


def _short(text: str, limit: int = DESCRIPTION_IN_CHAT) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _hours(value: float) -> str:
    return f"{value:g}"


class BadgeAwards:
    """Issues badges on redemption, inside its transaction, and sends them to the young person."""

    def __init__(self, issuer: BadgeIssuer) -> None:
        self.issuer = issuer

    def register(self, engine: Engine, redeemer: Redeemer) -> None:
        """Hooks into redemptions and adds /email (the address badges are issued to)."""
        redeemer.on_redeemed.append(self.on_redeemed)
        engine.command("email", self.email, in_menu=False)

    async def on_redeemed(self, turn: Turn, redemption: Redemption) -> None:
        """Issues this redemption's badge and any milestones, then hands them over."""
        person = turn.person
        assert person is not None
        awarded = await self.issuer.award_redemption(turn.session, person, redemption, turn.now)
        journey = await badges.journey_url(turn.session, self.issuer.urls, person, turn.now)
        total = awarded.progress.hours
        for award in awarded.awards:
            if award.milestone:
                self._milestone(turn, award)
            else:
                self._take_back_plain_cheer(turn, awarded.title, award)
                self._earned(turn, awarded.title, award, journey, total, bool(person.email))

    @staticmethod
    def _take_back_plain_cheer(turn: Turn, title: str, award: Award) -> None:
        """Lets the badge picture carry the cheer instead of Redeemer's plain message before it.

        One message fewer per person, and the badge first, keeps a whole group within Telegram's
        30 messages a second; if the message before is anything else, it is left alone.
        """
        plain = turn.text(
            "redeem.done",
            title=title,
            partner=award.issuer_name,
            hours=_hours(award.badge.learning_hours),
        )
        last = turn.replies[-1] if turn.replies else None
        if (
            last is not None
            and last.text == plain
            and not (last.image or last.file or last.buttons)
        ):
            turn.replies.pop()

    @staticmethod
    def _linkedin(turn: Turn, award: Award) -> tuple[tuple[Button, ...], ...]:
        return ((Button(turn.text("badges.linkedin"), url=award.linkedin_url),),)

    @staticmethod
    def _filename(award: Award) -> str:
        return f"{award.badge_class.id}-badge.png"

    def _earned(
        self, turn: Turn, title: str, award: Award, journey: str, total: float, has_email: bool
    ) -> None:
        """The badge picture with a cheer, then the baked badge file to keep."""
        caption = turn.text(
            "badges.earned",
            title=title,
            badge=award.badge_class.name,
            issuer=award.issuer_name,
            hours=_hours(award.badge.learning_hours),
            total_hours=_hours(total),
            journey_url=journey,
        )
        image = Attachment(f"{award.badge_class.id}.png", award.artwork_png, PNG)
        turn.send(Outbound(text=caption, image=image, buttons=self._linkedin(turn, award)))
        baked = Attachment(self._filename(award), award.baked_png, PNG)
        turn.send(Outbound(text=turn.text("badges.file", has_email=has_email), file=baked))

    def _milestone(self, turn: Turn, award: Award) -> None:
        """A milestone comes as one message: its baked badge file, with a cheer."""
        caption = turn.text(
            "badges.milestone",
            badge=award.badge_class.name,
            issuer=award.issuer_name,
            did=_short(award.badge_class.description),
        )
        baked = Attachment(self._filename(award), award.baked_png, PNG)
        turn.send(Outbound(text=caption, file=baked, buttons=self._linkedin(turn, award)))

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
