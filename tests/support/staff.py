"""Partner staff in a test: an invite, a staff member talking, a completion code made and read."""

from __future__ import annotations

import io

import zxingcpp
from PIL import Image
from sqlalchemy import select

from colbot.app import Colbot
from colbot.catalogue.store import find_partner
from colbot.clock import FrozenClock
from colbot.codes import format as code_format
from colbot.partners import store as partners
from colbot.storage.models import CompletionCode, Opportunity
from tests.support.talk import AnyTalker, Talk, Talker


def scanned(png: bytes) -> list[str]:
    """What a phone's camera reads from the QR codes in an image (QR codes only: a stray run of
    modules can otherwise read as a one-dimensional barcode, as "5949" once did)."""
    image = Image.open(io.BytesIO(png))
    return [
        found.text for found in zxingcpp.read_barcodes(image, formats=zxingcpp.BarcodeFormat.QRCode)
    ]


async def invite_payload(colbot: Colbot, partner_slug: str) -> str:
    async with colbot.database.transaction() as session:
        partner = await find_partner(session, partner_slug)
        assert partner is not None
        return await partners.create_invite(session, partner, colbot.clock.now(), "test", "cli")


async def staff_talker(
    colbot: Colbot, talk: Talk, chat_id: str, partner_slug: str = "pixel-forge"
) -> AnyTalker:
    staff = talk(chat_id, first_name="Priya")
    await staff.say(f"/start {await invite_payload(colbot, partner_slug)}")
    assert "Welcome to" in staff.recent(3)
    return staff


async def make_code(
    staff: AnyTalker,
    uses: str = "Just 1",
    expiry: str = "Until the end of the day after",
    opportunity: str = "·",
) -> str:
    """Makes a code in the chat, for the first of the partner's opportunities unless told."""
    await staff.say("/newcode")
    await staff.press(opportunity)
    await staff.press(uses)
    replies = await staff.press(expiry)
    made = replies[0].text
    code = next(
        line.strip() for line in made.splitlines() if code_format.looks_like_code(line.strip())
    )
    assert replies[1].image is not None and replies[1].image.content.startswith(b"\x89PNG")
    assert replies[2].file is not None and replies[2].file.filename.endswith(".png")
    return code


async def after_the_session(colbot: Colbot, code: str) -> None:
    """Moves the test clock on to the end of the code's session, when young people send it."""
    async with colbot.database.transaction() as session:
        ends_at = await session.scalar(
            select(Opportunity.ends_at)
            .join(CompletionCode, CompletionCode.opportunity_id == Opportunity.id)
            .where(CompletionCode.code == code_format.normalise(code))
        )
    assert ends_at is not None and isinstance(colbot.clock, FrozenClock)
    if ends_at > colbot.clock.now():
        colbot.clock.set(ends_at)


async def completion_code(colbot: Colbot) -> str:
    """What the session leader hands out: made by a partner's staff member on another channel,
    and sent once the session is over."""
    staff = Talker(colbot.engine, "staff", first_name="Priya")
    await staff.say(f"/start {await invite_payload(colbot, 'pixel-forge')}")
    code = await make_code(staff)
    await after_the_session(colbot, code)
    return code
