"""/wallet and each badge's "Add to wallet" button: a one-time link into a wallet app."""

from __future__ import annotations

from sqlalchemy import select

from colbot.chat.buttons import ButtonData, button
from colbot.chat.messages import Attachment, Button, Outbound
from colbot.chat.router import Router
from colbot.chat.turn import Turn
from colbot.domain.qr import qr_png
from colbot.storage.models import IssuedBadge
from colbot.wallet import links, store

ADD = "wadd"
RECENT_BADGES = 6
QR_FILENAME = "add-to-wallet.png"
PNG = "image/png"
PUBLIC_URL = "public_url"


def router() -> Router:
    """/wallet lists the badges that can go into a wallet; their buttons open an exchange."""
    routes = Router("wallet")
    routes.command("wallet", choose)
    routes.action(ADD, add)
    return routes


def wallet_button(turn: Turn, public_id: str) -> Button:
    """The button every badge message carries; the link is made when it is pressed."""
    return button(turn.text("wallet.button"), ADD, public_id)


async def choose(turn: Turn) -> None:
    """/wallet: a button for each of their latest badges that can still go into a wallet."""
    badges: list[IssuedBadge] = []
    if turn.person is not None:
        badges = list(
            await turn.session.scalars(
                select(IssuedBadge)
                .where(
                    IssuedBadge.young_person_id == turn.person.id,
                    IssuedBadge.revoked_at.is_(None),
                    IssuedBadge.ob3_credential.is_not(None),
                )
                .order_by(IssuedBadge.issued_at.desc(), IssuedBadge.id.desc())
                .limit(RECENT_BADGES)
            )
        )
    if not badges:
        turn.say("wallet.no_badges")
        return
    rows = tuple(
        (button(turn.text("wallet.badge_button", name=badge.name), ADD, badge.public_id),)
        for badge in badges
    )
    turn.send(Outbound(text=turn.text("wallet.choose"), buttons=rows))


async def add(turn: Turn) -> None:
    """Opens a ten-minute exchange for one of their own badges and sends its link and QR code."""
    data = ButtonData.decode(turn.inbound.button_data)
    badge = None
    if data is not None and turn.person is not None:
        badge = await turn.session.scalar(
            select(IssuedBadge).where(
                IssuedBadge.public_id == data.target,
                IssuedBadge.young_person_id == turn.person.id,
            )
        )
    if badge is None:
        turn.say("common.unknown_button")
        return
    if badge.revoked_at is not None or badge.ob3_credential is None:
        turn.say("wallet.withdrawn")
        return
    opened = await store.open_exchange(turn.session, badge, turn.now)
    public_url = str(turn.base_context[PUBLIC_URL])
    request_link = links.lcw_request_link(public_url, opened.exchange_id, opened.challenge)
    text = turn.text(
        "wallet.link",
        badge=badge.name,
        minutes=int(store.EXCHANGE_TTL.total_seconds() // 60),
        link=links.interaction_url(public_url, opened.exchange_id),
    )
    turn.send(
        Outbound(
            text=text,
            image=Attachment(QR_FILENAME, qr_png(request_link), PNG),
            buttons=((Button(turn.text("wallet.open"), url=request_link),),),
        )
    )
