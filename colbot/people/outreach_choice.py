"""The one question about messages a young person did not ask for: off until they say yes."""

from __future__ import annotations

from colbot.chat.buttons import ButtonData, button
from colbot.chat.messages import Outbound
from colbot.chat.turn import Turn
from colbot.outreach.nudge_rules import NudgeMode

OUTREACH = "out"
YES = "yes"
NO = "no"


def ask(turn: Turn) -> None:
    """Asks once, at the end of the first questions, with two equal buttons side by side."""
    row = (
        button(turn.text("outreach_choice.yes"), OUTREACH, "", YES),
        button(turn.text("outreach_choice.no"), OUTREACH, "", NO),
    )
    turn.send(Outbound(text=turn.text("outreach_choice.ask"), buttons=(row,)))


async def answer(turn: Turn) -> None:
    """Yes turns on nudges and the weekly digest; no keeps both off. Reminders are not touched."""
    data = ButtonData.decode(turn.inbound.button_data)
    if data is None or data.value not in {YES, NO} or turn.person is None:
        turn.say("common.unknown_button")
        return
    said_yes = data.value == YES
    turn.person.nudges = (NudgeMode.NORMAL if said_yes else NudgeMode.OFF).value
    turn.person.digest = said_yes
    reply = "outreach_choice.on" if said_yes else "outreach_choice.off"
    turn.send(Outbound(text=turn.text(reply), edit=True))
