"""A recommendation card: one opportunity as the young person sees it, with why it was picked."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from zoneinfo import ZoneInfo

from colbot.chat.buttons import button
from colbot.chat.messages import Outbound
from colbot.chat.turn import Turn
from colbot.domain.prices import price_for
from colbot.domain.when import local_when, short_day, short_when
from colbot.explore.actions import DISMISS, MORE_LIKE, REMIND, SAVE
from colbot.explore.ranking import (
    FITS_PASSION,
    LIKE_THAT_ONE,
    NEAR,
    NEXT_STEP,
    PICKED,
    SOMETHING_NEW,
    Ranked,
)
from colbot.storage.models import Opportunity


def pounds(pence: int) -> str:
    """Money as people write it: 3, 3.50."""
    return f"{pence // 100}" if pence % 100 == 0 else f"{pence / 100:.2f}"


class Cards:
    """Draws recommendation cards in the person's language and the city's time zone."""

    def __init__(self, tz: ZoneInfo, passion_names: Mapping[str, str]) -> None:
        self.tz = tz
        self.passion_names = dict(passion_names)

    def card(
        self,
        turn: Turn,
        item: Ranked,
        opportunity: Opportunity,
        partner: str,
        also: Sequence[datetime] = (),
    ) -> Outbound:
        """One opportunity as a card, with the reason it was picked and its other dates; its
        buttons act on the date shown."""
        places_left = None
        if item.candidate.capacity is not None:
            places_left = max(0, item.candidate.capacity - item.candidate.places_taken)
        km = round(item.distance_km, 1) if item.distance_km is not None else None
        price = price_for(opportunity, turn.person.age if turn.person else None)
        if price is None:
            cost = turn.text("explore.see_provider")
        elif price == 0:
            cost = turn.text("explore.free")
        else:
            cost = turn.text("explore.cost", cost=pounds(price))
        text = turn.text(
            "explore.card",
            title=opportunity.title,
            partner=partner,
            when=local_when(opportunity.starts_at, self.tz),
            also=turn.text("explore.also_on", dates=", ".join(short_day(d, self.tz) for d in also))
            if also
            else "",
            where=", ".join(p for p in (opportunity.venue, opportunity.postcode) if p),
            km=km,
            cost=cost,
            hours=f"{opportunity.learning_hours:g}",
            min_age=opportunity.min_age,
            max_age=opportunity.max_age,
            places_left=places_left,
            full=opportunity.is_full,
            why=self.why(turn, item, opportunity, price),
        )
        target = str(opportunity.id)
        buttons = (
            (
                button(turn.text("explore.save"), SAVE, target),
                button(turn.text("explore.remind"), REMIND, target),
            ),
            (
                button(turn.text("explore.dismiss"), DISMISS, target),
                button(turn.text("explore.more_like"), MORE_LIKE, target),
            ),
        )
        return Outbound(text=text, buttons=buttons)

    def why(self, turn: Turn, item: Ranked, opportunity: Opportunity, price: int | None) -> str:
        """One line saying why this was picked (a pathway step, its passion, near or new), then
        the facts.

        The price is the one for this person's age (None: no offer covers them).
        """
        parts = []
        lead = self._lead(turn, item)
        if lead:
            parts.append(lead)
        if item.distance_km is not None:
            parts.append(turn.text("explore.why_km", km=round(item.distance_km, 1)))
        if price is None:
            parts.append(turn.text("explore.why_see_provider"))
        elif price == 0:
            parts.append(turn.text("explore.why_free"))
        else:
            parts.append(turn.text("explore.why_cost", cost=pounds(price)))
        parts.append(turn.text("explore.why_time", when=short_when(opportunity.starts_at, self.tz)))
        return " · ".join(parts)

    def _lead(self, turn: Turn, item: Ranked) -> str:
        """The reason the ranking gave, in words; never a passion that was not the reason."""
        reason = item.reasons[0] if item.reasons else ""
        names = " and ".join(
            self.passion_names.get(p, p).split(" ", 1)[-1].lower() for p in item.matched_passions
        )
        if reason == NEXT_STEP and item.next_step is not None:
            return turn.text(
                "explore.why_step", number=item.next_step.number, pathway=item.next_step.pathway
            )
        if reason == PICKED and names:
            return turn.text("explore.why_picked", passion=names)
        if reason == FITS_PASSION and names:
            return turn.text("explore.why_passion", passions=names)
        if reason == NEAR:
            return turn.text("explore.why_near")
        if reason == LIKE_THAT_ONE:
            return turn.text("explore.why_like")
        if reason == SOMETHING_NEW:
            return turn.text("explore.why_new")
        return ""
