"""The privacy page in plain words, and every way to it: consent, /help, /privacy, the pages."""

from __future__ import annotations

import dataclasses
import re
from datetime import timedelta
from html.parser import HTMLParser

from aiohttp.test_utils import TestClient

from colbot.app import Colbot
from colbot.content.bundle import load_bundle
from colbot.privacy.periods import Schedule
from colbot.privacy.web import SECTIONS, page_context
from tests.support.talk import Talk

# Plain words for a reading age of about 9 to 11: short sentences, mostly short words.
MAX_WORDS_IN_A_SENTENCE = 22
MAX_AVERAGE_SENTENCE = 12.0
MAX_FLESCH_KINCAID_GRADE = 6.0


class Text(HTMLParser):
    """The words a reader sees inside <main>, and the links on the page."""

    def __init__(self) -> None:
        super().__init__()
        self.inside = 0
        self.chunks: list[str] = []
        self.links: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.inside += tag in {"main", "header"}
        if tag == "a":
            self.links.append(dict(attrs).get("href") or "")
        if tag in {"p", "li", "h1", "h2"}:
            self.chunks.append("\n")

    def handle_endtag(self, tag: str) -> None:
        self.inside -= tag in {"main", "header"}

    def handle_data(self, data: str) -> None:
        if self.inside:
            self.chunks.append(data)


def _sentences(text: str) -> list[list[str]]:
    """Sentences (ended by . ? ! : or a line end) as lists of words, leaving out addresses."""
    found = []
    for piece in re.split(r"(?<=[.?!:])\s+|\n", text):
        words = [w for w in piece.split() if "@" not in w and not w.startswith("/")]
        if words:
            found.append(words)
    return found


def _syllables(word: str) -> int:
    """A rough count of a word's syllables, as readability formulas use."""
    letters = re.sub(r"[^a-z]", "", word.lower())
    groups = re.findall(r"[aeiouy]+", letters)
    count = len(groups) - (letters.endswith("e") and len(groups) > 1)
    return max(1, count)


async def test_the_privacy_page_says_it_plainly(
    colbot: Colbot, aiohttp_client: type[TestClient]
) -> None:
    client = await aiohttp_client(colbot.web_app)  # type: ignore[operator]
    response = await client.get("/privacy")
    assert response.status == 200 and response.content_type == "text/html"
    html = await response.text()
    for heading in (
        "What we keep",
        "Why we keep it",
        "How long we keep it",
        "Who can see it",
        "See it, change it, delete it",
        "Who to ask",
    ):
        assert f">{heading}</h2>" in html, heading
    assert "<title>Your data · Kensalfield City of Learning</title>" in html
    assert "If you don’t chat for 12 months, we delete it all." in html.replace("&#39;", "’")
    assert "We message you 30 days before." in html
    contact = '<a href="mailto:dataprotection@kensalfield.example.org">'
    assert "Ask Kensalfield Council&#39;s Data Protection Officer: " + contact in html
    assert "/mydata" in html and "/delete" in html and "0800 1111" in html
    assert response.headers["X-Robots-Tag"].startswith("noindex")
    assert response.headers["Content-Security-Policy"].startswith("default-src 'none'")
    page = Text()
    page.feed(html)
    assert "/chat" in page.links
    sentences = _sentences("".join(page.chunks))
    longest = max(sentences, key=len)
    assert len(longest) <= MAX_WORDS_IN_A_SENTENCE, " ".join(longest)
    words = [word for sentence in sentences for word in sentence]
    average = len(words) / len(sentences)
    assert average <= MAX_AVERAGE_SENTENCE
    syllables = sum(_syllables(word) for word in words) / len(words)
    grade = 0.39 * average + 11.8 * syllables - 15.59
    assert grade <= MAX_FLESCH_KINCAID_GRADE, grade


async def test_the_privacy_page_is_linked_from_every_public_page(
    colbot: Colbot, aiohttp_client: type[TestClient]
) -> None:
    client = await aiohttp_client(colbot.web_app)  # type: ignore[operator]
    for path in ("/", "/partners", "/verify", "/chat"):
        page = Text()
        page.feed(await (await client.get(path)).text())
        assert "/privacy" in page.links, path


def test_a_city_without_a_privacy_contact_names_its_safeguarding_lead() -> None:
    city = load_bundle("en", "kensalfield").city
    context = page_context(dataclasses.replace(city, privacy=None), Schedule())
    assert context["contact_name"] == "Sam Okafor"
    assert context["contact_email"] == "safeguarding@kensalfield.example.org"
    ours = page_context(city, Schedule(inactive=timedelta(days=730), warning=timedelta(days=14)))
    assert ours["contact_email"] == "dataprotection@kensalfield.example.org"
    assert (ours["inactive"], ours["warning"]) == ("24 months", "14 days")
    assert len(SECTIONS) == 6


async def test_privacy_in_the_chat_answers_with_the_link(
    channel_colbot: Colbot, talk: Talk
) -> None:
    link = f"{channel_colbot.settings.public_url}/privacy"
    robin = talk("privacy")
    await robin.say("/start")
    assert link in robin.recent(), "the consent step links to the privacy page"
    await robin.say("/privacy")
    assert link in robin.recent(3) and "/delete" in robin.recent(3)
    assert "Is it OK for me to keep these details" in robin.last_text()
    await robin.say("/help")
    assert f"Your data, in plain words: {link}" in robin.recent(3)
    assert "/privacy – How I look after your data" in robin.recent(3)
