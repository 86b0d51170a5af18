"""The paged layout: one message showing one idea at a time, turned with ◀ ▶ in place.

COLBOT_EXPLORE_LAYOUT=paged draws the same ranked ideas as the five cards do, but as one
message: the card of the idea shown, its own buttons, ◀ Back and Next ▶, and the footer's
choices. Each ◀ ▶ press edits that message (one Bot API edit, not seven new messages).

A press names the idea it was pressed on as well as its place, so it still lands well when the
ranking has moved since (an idea said no to, or one that started): it turns from where that idea
is now, or, when it is gone, to whatever took its place.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from colbot.chat.buttons import ButtonData, button
from colbot.chat.messages import Button, Outbound
from colbot.chat.turn import Turn
from colbot.explore.actions import FILTER, SURPRISE, TURN

FORWARD = "+"
BACK = "-"
_TURNING = re.compile(r"(\d{1,4})([+-])(\d{1,12})")


@dataclass(frozen=True)
class Turning:
    """A ◀ or ▶ press: the idea it was pressed on (its place and id), and which way."""

    index: int
    forward: bool
    from_id: int
    only_passion: str = ""

    def button(self, label: str) -> Button:
        """The button that asks for this turn."""
        way = FORWARD if self.forward else BACK
        return button(label, TURN, self.only_passion, f"{self.index}{way}{self.from_id}")

    @classmethod
    def read(cls, data: ButtonData | None) -> Turning | None:
        """The turn a press asks for, or None for data colbot never made."""
        if data is None or data.action != TURN:
            return None
        found = _TURNING.fullmatch(data.value)
        if found is None:
            return None
        return cls(int(found[1]), found[2] == FORWARD, int(found[3]), data.target)

    def lands_on(self, ranked_ids: Sequence[int]) -> int:
        """Where the press lands in today's ranking; len(ranked_ids) means past the last idea."""
        step = 1 if self.forward else -1
        if self.from_id in ranked_ids:
            place = ranked_ids.index(self.from_id) + step
        else:
            # The idea pressed on is gone: the next one has moved into its place.
            place = self.index if self.forward else self.index - 1
        # Only ▶ may go past the last idea (to say that was all); ◀ always lands on an idea.
        end = len(ranked_ids) if self.forward else len(ranked_ids) - 1
        return max(0, min(place, end))


def _footer_row(turn: Turn) -> tuple[Button, ...]:
    return (
        button(turn.text("explore.filter"), FILTER),
        button(turn.text("explore.surprise"), SURPRISE),
    )


def paged_card(
    turn: Turn,
    card: Outbound,
    index: int,
    shown_id: int,
    has_next: bool,
    only_passion: str | None,
    heading: str,
    edit: bool,
) -> Outbound:
    """One idea's card as the paged message: its heading, its buttons, ◀ ▶, then the footer's."""
    passion = only_passion or ""
    turns: list[Button] = []
    if index > 0:
        back = Turning(index, False, shown_id, passion)
        turns.append(back.button(turn.text("explore.paged_back")))
    if has_next:
        forward = Turning(index, True, shown_id, passion)
        turns.append(forward.button(turn.text("explore.paged_next")))
    rows = (*card.buttons, *((tuple(turns),) if turns else ()), _footer_row(turn))
    text = turn.text("explore.paged", heading=heading, card=card.text)
    return Outbound(text=text, buttons=rows, edit=edit)


def paged_end(turn: Turn, count: int, only_passion: str | None) -> Outbound:
    """Past the last of `count` ideas (a stale ▶): says so kindly, with ◀ back to the last."""
    # Pressed on no idea (id 0): ◀ lands one before the end, on whatever is last by then.
    back = Turning(count, False, 0, only_passion or "")
    return Outbound(
        text=turn.text("explore.paged_end"),
        buttons=((back.button(turn.text("explore.paged_back")),), _footer_row(turn)),
        edit=True,
    )
