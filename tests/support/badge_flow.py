"""A badge from code to wallet in a test: the code, the redemption, the badge and its documents."""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import aiohttp
import jwt
from sqlalchemy import select

from colbot.app import Colbot
from colbot.chat.messages import Attachment, Outbound
from colbot.codes import store as codes
from colbot.codes.window import CodeWindow
from colbot.openbadges.baking import unbake
from colbot.storage.models import IssuedBadge, Opportunity, StaffMember
from tests.support.demo import TEST_NOW
from tests.support.talk import Talker

# Runs `colbot` in-process with arguments; gives its exit code and what it printed.
CliRun = Callable[..., Awaitable[tuple[int, str]]]
LINKEDIN = "https://www.linkedin.com/profile/add?"
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


async def make_code(
    colbot: Colbot, uses: int = 1, opportunity_id: int | None = None, **changes: Any
) -> tuple[str, Opportunity]:
    """A completion code for an opportunity (the first demo one unless told), made directly.

    It works from now, whenever the session is: these tests are about the badge, and the window
    the staff chat gives a session's code is tested in tests/codes.
    """
    async with colbot.database.transaction() as session:
        query = select(Opportunity).order_by(Opportunity.id)
        if opportunity_id is not None:
            query = query.where(Opportunity.id == opportunity_id)
        opportunity = await session.scalar(query.limit(1))
        assert opportunity is not None
        for name, value in changes.items():
            setattr(opportunity, name, value)
        staff = await session.scalar(
            select(StaffMember).where(StaffMember.partner_id == opportunity.partner_id)
        )
        if staff is None:
            staff = StaffMember(
                partner_id=opportunity.partner_id,
                channel="telegram",
                external_id=f"staff-{opportunity.partner_id}",
                is_admin=True,
                joined_at=TEST_NOW,
            )
            session.add(staff)
            await session.flush()
        window = CodeWindow(None, TEST_NOW + timedelta(days=1))
        code = await codes.make_code(session, staff, opportunity, uses, window, TEST_NOW)
        return code.code, opportunity


async def badges_of(colbot: Colbot) -> list[IssuedBadge]:
    async with colbot.database.transaction() as session:
        return list(await session.scalars(select(IssuedBadge).order_by(IssuedBadge.id)))


@dataclass(frozen=True)
class Handed:
    """What the chat handed over for one earned badge: one message, its picture the baked badge."""

    message: Outbound

    @property
    def picture(self) -> Attachment:
        """The badge as the young person received it: a picture, or on Telegram a file."""
        picture = self.message.image or self.message.file
        assert picture is not None
        return picture

    @property
    def baked(self) -> bytes:
        return self.picture.content

    @property
    def ob2_jws(self) -> str:
        text = unbake(self.baked).assertion
        assert text is not None
        return text

    @property
    def credential(self) -> dict[str, Any]:
        text = unbake(self.baked).credential
        assert text is not None
        document: dict[str, Any] = json.loads(text)
        return document

    @property
    def assertion(self) -> dict[str, Any]:
        """The OB 2.0 assertion inside the JWS, read without checking (tests check it apart)."""
        document: dict[str, Any] = json.loads(
            jwt.api_jws.decode(self.ob2_jws, options={"verify_signature": False})
        )
        return document

    def linkedin(self) -> str:
        urls = [b.url or b.data for row in self.message.buttons for b in row]
        return next(url for url in urls if url.startswith(LINKEDIN))


def handed_badge(replies: list[Outbound]) -> Handed:
    """The earned badge's message: the first whose picture (or Telegram file) is a PNG."""
    for message in replies:
        picture = message.image or message.file
        if picture is not None and picture.content.startswith(PNG_SIGNATURE):
            return Handed(message)
    raise AssertionError(f"no badge picture in {[m.text[:40] for m in replies]}")


async def redeem(colbot: Colbot, code: str, who: str = "yp") -> tuple[Talker, list[Outbound]]:
    talker = Talker(colbot.engine, who, first_name="Sam")
    return talker, await talker.say(code)


async def fetched(http: aiohttp.ClientSession, url: str) -> tuple[int, str, bytes]:
    """Status, content type and body of a URL, over real HTTP."""
    async with http.get(url) as response:
        return response.status, response.content_type, await response.read()


async def fetch_json(http: aiohttp.ClientSession, url: str) -> Any:
    status, _, body = await fetched(http, url)
    assert status == 200, (url, status, body[:200])
    return json.loads(body)
