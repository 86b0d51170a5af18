"""The privacy page at /privacy: what colbot keeps, in plain words a young person can read."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from aiohttp import web
from markupsafe import Markup, escape

from colbot.content.city import City
from colbot.content.conversations import Conversations
from colbot.privacy.periods import Schedule, span
from colbot.web.site import SITE_KEY

PRIVACY = "/privacy"
CHAT = "/chat"
# In the order the page shows them; each is privacy_page.<id>.heading and .body.
SECTIONS = ("keep", "why", "how_long", "who", "change", "ask")
BULLET = "- "


@dataclass(frozen=True)
class Block:
    """A paragraph, or a list of bullet points."""

    kind: str
    lines: tuple[Markup, ...]


@dataclass(frozen=True)
class Section:
    """One heading of the page and what it says."""

    id: str
    heading: str
    blocks: tuple[Block, ...]


@dataclass(frozen=True)
class PrivacyWords:
    """The page's wording (conversations/<lang>/messages.yaml) and what fills it in."""

    content: Conversations
    context: dict[str, Any]

    def text(self, key: str) -> str:
        """One message of the page, filled in."""
        return self.content.render(f"privacy_page.{key}", **self.context)


PRIVACY_WORDS = web.AppKey("privacy_words", PrivacyWords)


def page_context(city: City, schedule: Schedule) -> dict[str, Any]:
    """What the page's wording may use: the city, who to ask, and how long profiles are kept."""
    contact = city.privacy_contact
    return {
        "city": city.name,
        "contact_name": contact.name,
        "contact_email": contact.email,
        "inactive": span(schedule.inactive),
        "warning": span(schedule.warning),
    }


def install(app: web.Application, content: Conversations, city: City, schedule: Schedule) -> None:
    """Puts the page's wording on the app."""
    app[PRIVACY_WORDS] = PrivacyWords(content, page_context(city, schedule))


def _line(text: str, email: str) -> Markup:
    """One escaped line, with the contact's address as a link."""
    link = Markup('<a href="mailto:{0}">{0}</a>').format(email)
    return escape(text).replace(escape(email), link)


def blocks(text: str, email: str) -> tuple[Block, ...]:
    """A message's lines as paragraphs, with each run of "- " lines as one list."""
    found: list[Block] = []
    for raw in text.splitlines():
        line = raw.strip()
        if not line:
            continue
        if line.startswith(BULLET):
            item = _line(line.removeprefix(BULLET), email)
            if found and found[-1].kind == "ul":
                found[-1] = Block("ul", (*found[-1].lines, item))
            else:
                found.append(Block("ul", (item,)))
        else:
            found.append(Block("p", (_line(line, email),)))
    return tuple(found)


def sections(words: PrivacyWords) -> tuple[Section, ...]:
    """The page's sections, in order."""
    email = str(words.context["contact_email"])
    return tuple(
        Section(
            section,
            words.text(f"{section}.heading"),
            blocks(words.text(f"{section}.body"), email),
        )
        for section in SECTIONS
    )


async def privacy_page(request: web.Request) -> web.Response:
    """The privacy page, with the city's name and contact filled in."""
    site = request.app[SITE_KEY]
    words = request.app[PRIVACY_WORDS]
    return site.pages.response(
        "privacy/page.html",
        site=site,
        title=words.text("title"),
        heading=words.text("heading"),
        lead=words.text("lead"),
        sections=sections(words),
        chat_label=words.text("chat"),
        chat=CHAT,
    )
