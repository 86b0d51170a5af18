"""/mydata, /delete and /privacy: a young person's data is theirs."""

from __future__ import annotations

import json

from colbot.badges import store as badges
from colbot.chat.buttons import ButtonData
from colbot.chat.messages import Attachment, Button, Outbound
from colbot.chat.turn import Turn
from colbot.people import privacy

DELETE = "del"
CONFIRM = "yes"
KEEP = "no"
KEEP_BADGES = "kb"


async def my_data(turn: Turn) -> None:
    """Sends a JSON file of everything colbot holds about them."""
    if turn.person is None:
        data: dict[str, object] = {
            "about": "colbot keeps no profile for you. This is where our chat is up to.",
            "conversation": {
                "flow": turn.state.flow,
                "question": turn.state.step,
                "answers": turn.state.answers,
            },
        }
    else:
        data = await privacy.export(turn.session, turn.person)
    content = json.dumps(data, indent=2, ensure_ascii=False).encode()
    turn.send(
        Outbound(
            text=turn.text("mydata.caption"),
            file=Attachment("my-colbot-data.json", content, "application/json"),
        )
    )


async def privacy_link(turn: Turn) -> None:
    """A short answer with the privacy page's link; mid-question, the question again."""
    turn.say("privacy_answer")
    if turn.in_flow:
        turn.flows.ask(turn)


async def delete_request(turn: Turn) -> None:
    """Asks once before erasing everything."""
    if turn.person is None and not turn.state.answers:
        turn.say("delete.nothing")
        return
    rows: tuple[tuple[Button, ...], ...] = (
        (
            Button(turn.text("delete.yes"), ButtonData(DELETE, "", CONFIRM).encode()),
            Button(turn.text("delete.no"), ButtonData(DELETE, "", KEEP).encode()),
        ),
    )
    text = turn.text("delete.confirm")
    if turn.person is not None and await badges.valid_badges(turn.session, turn.person.id):
        text += "\n" + turn.text("delete.badges_note")
        keep = Button(turn.text("delete.keep_badges"), ButtonData(DELETE, "", KEEP_BADGES).encode())
        rows = (*rows, (keep,))
    turn.send(Outbound(text=text, buttons=rows))


async def delete_answer(turn: Turn) -> None:
    """Erases on yes, keeps everything on no."""
    data = ButtonData.decode(turn.inbound.button_data)
    if data is None or data.value not in {CONFIRM, KEEP, KEEP_BADGES}:
        turn.say("common.unknown_button")
        return
    if data.value == KEEP:
        turn.send(Outbound(text=turn.text("delete.kept"), edit=True))
        return
    if turn.person is not None:
        keep_badges = data.value == KEEP_BADGES
        await privacy.delete_profile(turn.session, turn.person, turn.now, keep_badges)
        turn.person = None
    turn.forget = True
    turn.send(Outbound(text=turn.text("delete.done"), edit=True))
