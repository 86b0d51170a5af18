"""The dashboard's forms sent the way its own pages send them: from its origin, with their token."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any, Protocol

from colbot.web import csrf
from tests.support.talk import Talker

if TYPE_CHECKING:
    from aiohttp import ClientResponse

    from colbot.app import Colbot

SIGN_IN_LINK = re.compile(r"https?://\S+/dashboard/sign-in\?t=([A-Za-z0-9_-]{40,})")
TOKEN_FIELD = re.compile(rf'name="{csrf.FIELD}" value="([A-Za-z0-9_-]+)"')


class Client(Protocol):
    """aiohttp's test client, or a ClientSession with a base_url: both take paths."""

    async def get(self, path: str, **options: Any) -> ClientResponse: ...

    async def post(self, path: str, **options: Any) -> ClientResponse: ...


async def sign_in_secret(colbot: Colbot, chat_id: str) -> str:
    """The secret of a fresh sign-in link, asked for in the chat as an admin or staff would."""
    person = Talker(colbot.engine, chat_id, channel="telegram", first_name="Ada")
    await person.say("/dashboard")
    found = SIGN_IN_LINK.search(person.last_text())
    assert found, person.last_text()
    return found.group(1)


def token_in(html: str) -> str:
    """The hidden token a dashboard page's forms carry."""
    found = TOKEN_FIELD.search(html)
    assert found, html
    return found.group(1)


async def open_sign_in(client: Client, secret: str) -> str:
    """Opens the page a sign-in link leads to, as the browser does; its form's token."""
    page = await client.get("/dashboard/sign-in", params={"t": secret})
    assert page.status == 200, await page.text()
    return token_in(await page.text())


async def post_sign_in(
    client: Client, origin: str, secret: str, token: str | None
) -> ClientResponse:
    """Presses Sign in, as the page at `origin` would send it."""
    data = {"t": secret} | ({csrf.FIELD: token} if token is not None else {})
    return await client.post(
        "/dashboard/sign-in", data=data, headers={"Origin": origin}, allow_redirects=False
    )
