"""/journey: the shareable learning journey link, sharing it, and choosing what it shows."""

from __future__ import annotations

from colbot.chat.buttons import ButtonData, button
from colbot.chat.messages import Attachment, Button, Outbound
from colbot.chat.router import Router
from colbot.chat.turn import Turn
from colbot.domain.qr import qr_png
from colbot.journeys import store as journeys
from colbot.storage.models import Journey

SHARE_ON = "jon"
SHARE_OFF = "joff"
NEW_LINK = "jnew"
CHOOSE = "jshow"
TOGGLE_PART = "jpart"
TOGGLE_BADGE = "jbadge"
STATUS = "jstat"
BADGES_PER_PAGE = 6
QR_FILENAME = "learning-journey.png"
PUBLIC_URL = "public_url"
SHOWN = "✅"
HIDDEN = "⬜"


def journey_link(turn: Turn, journey: Journey) -> str:
    """The public address of a journey: COLBOT_PUBLIC_URL/j/<slug>."""
    return f"{turn.base_context[PUBLIC_URL]}/j/{journey.slug}"


async def _journey(turn: Turn) -> Journey | None:
    if turn.person is None:
        turn.say("journey.no_profile")
        return None
    return await journeys.journey_for(turn.session, turn.person, turn.now)


def _link_card(turn: Turn, journey: Journey) -> Outbound:
    """The link as text and as a QR code, to show on a phone or print."""
    link = journey_link(turn, journey)
    return Outbound(
        text=turn.text("journey.link", link=link),
        image=Attachment(QR_FILENAME, qr_png(link), "image/png"),
    )


def _status(turn: Turn, journey: Journey, edit: bool = False) -> Outbound:
    """Whether the link is shared, and the buttons to change that and what shows."""
    sharing = (
        button(turn.text("journey.turn_off"), SHARE_OFF)
        if journey.sharing
        else button(turn.text("journey.turn_on"), SHARE_ON)
    )
    rows = (
        (sharing,),
        (button(turn.text("journey.choose"), CHOOSE),),
        (button(turn.text("journey.new_link"), NEW_LINK),),
    )
    key = "journey.sharing_on" if journey.sharing else "journey.sharing_off"
    text = turn.text(key, link=journey_link(turn, journey))
    return Outbound(text=text, buttons=rows, edit=edit)


async def journey_offer(turn: Turn) -> Outbound:
    """The journey link offered again after a new badge, with sharing one tap away."""
    if turn.person is None:
        return Outbound(text=turn.text("journey.no_profile"))
    journey = await journeys.journey_for(turn.session, turn.person, turn.now)
    rows = (
        (button(turn.text("journey.choose"), CHOOSE),)
        if journey.sharing
        else (button(turn.text("journey.turn_on"), SHARE_ON),)
    )
    text = turn.text("journey.offer", link=journey_link(turn, journey), sharing=journey.sharing)
    return Outbound(text=text, buttons=(rows,))


async def show(turn: Turn) -> None:
    """/journey: the link, its QR code, and whether it is shared."""
    journey = await _journey(turn)
    if journey is None:
        return
    turn.send(_link_card(turn, journey))
    turn.send(_status(turn, journey))


async def share_on(turn: Turn) -> None:
    """Turns sharing on, with the one-line reminder of who can see it."""
    journey = await _journey(turn)
    if journey is not None:
        journeys.set_sharing(journey, True)
        turn.send(_status(turn, journey, edit=True))


async def share_off(turn: Turn) -> None:
    """Turns sharing off: the link answers like one that never existed."""
    journey = await _journey(turn)
    if journey is not None:
        journeys.set_sharing(journey, False)
        turn.send(_status(turn, journey, edit=True))


async def new_link(turn: Turn) -> None:
    """Replaces the link; the old one stops working as soon as this is saved."""
    journey = await _journey(turn)
    if journey is None:
        return
    journeys.replace_link(journey)
    turn.say("journey.new_link_done")
    turn.send(_link_card(turn, journey))
    turn.send(_status(turn, journey))


async def status(turn: Turn) -> None:
    """Back from choosing what shows."""
    journey = await _journey(turn)
    if journey is not None:
        turn.send(_status(turn, journey, edit=True))


def _page(turn: Turn) -> int:
    data = ButtonData.decode(turn.inbound.button_data)
    return int(data.value) if data is not None and data.value.isdigit() else 0


async def _choices(turn: Turn, journey: Journey, page: int) -> Outbound:
    """A toggle for the nickname, the passions and each badge, a page of badges at a time."""
    assert turn.person is not None
    badges = await journeys.badge_choices(turn.session, turn.person)
    pages = max(1, -(-len(badges) // BADGES_PER_PAGE))
    page = min(max(page, 0), pages - 1)
    hidden = set(journey.hidden_badge_ids or ())

    def mark(shown: bool) -> str:
        return SHOWN if shown else HIDDEN

    rows: list[tuple[Button, ...]] = [
        (
            button(
                turn.text("journey.part_nickname", mark=mark(journey.show_nickname)),
                TOGGLE_PART,
                journeys.NICKNAME,
                str(page),
            ),
            button(
                turn.text("journey.part_passions", mark=mark(journey.show_passions)),
                TOGGLE_PART,
                journeys.PASSIONS,
                str(page),
            ),
        )
    ]
    start = page * BADGES_PER_PAGE
    for badge in badges[start : start + BADGES_PER_PAGE]:
        label = turn.text(
            "journey.part_badge", mark=mark(badge.public_id not in hidden), name=badge.name
        )
        rows.append((button(label, TOGGLE_BADGE, badge.public_id, str(page)),))
    paging = []
    if page > 0:
        paging.append(button(turn.text("journey.previous"), CHOOSE, "", str(page - 1)))
    if page + 1 < pages:
        paging.append(button(turn.text("journey.next"), CHOOSE, "", str(page + 1)))
    if paging:
        rows.append(tuple(paging))
    rows.append((button(turn.text("journey.done"), STATUS),))
    key = "journey.choose_ask" if badges else "journey.choose_ask_no_badges"
    return Outbound(text=turn.text(key), buttons=tuple(rows), edit=True)


async def choose(turn: Turn) -> None:
    """Shows the toggles for what the page shows."""
    journey = await _journey(turn)
    if journey is not None:
        turn.send(await _choices(turn, journey, _page(turn)))


async def toggle_part(turn: Turn) -> None:
    """Shows or hides the nickname or the passions."""
    journey = await _journey(turn)
    data = ButtonData.decode(turn.inbound.button_data)
    if journey is None or data is None or data.target not in (journeys.NICKNAME, journeys.PASSIONS):
        turn.say("common.unknown_button")
        return
    journeys.toggle_part(journey, data.target)
    turn.send(await _choices(turn, journey, _page(turn)))


async def toggle_badge(turn: Turn) -> None:
    """Shows or hides one of their own badges."""
    journey = await _journey(turn)
    data = ButtonData.decode(turn.inbound.button_data)
    if journey is None or data is None or turn.person is None:
        return
    owned = {badge.public_id for badge in await journeys.badge_choices(turn.session, turn.person)}
    if data.target not in owned:
        turn.say("common.unknown_button")
        return
    journeys.toggle_badge(journey, data.target)
    turn.send(await _choices(turn, journey, _page(turn)))


def router() -> Router:
    """/journey and its buttons."""
    routes = Router("journeys")
    routes.command("journey", show)
    for action, handler in (
        (SHARE_ON, share_on),
        (SHARE_OFF, share_off),
        (NEW_LINK, new_link),
        (CHOOSE, choose),
        (TOGGLE_PART, toggle_part),
        (TOGGLE_BADGE, toggle_badge),
        (STATUS, status),
    ):
        routes.action(action, handler)
    return routes
