"""Every dialogue file loads, every message renders in every language, mistakes name file:line."""

from pathlib import Path

import pytest

from colbot.content.conversations import available_languages, load_conversations
from colbot.content.locations import conversations_dir
from colbot.content.source import ContentError

SAMPLE_CONTEXT = {
    "city": "Kensalfield",
    "date": "Sunday 5 December 2027",
    "first_name": "Sam",
    "nickname": "Sammy",
    "web_chat_url": "http://127.0.0.1:8080/chat",
    "privacy_url": "http://127.0.0.1:8080/privacy",
    "contact_name": "Kensalfield Council's Data Protection Officer",
    "contact_email": "dataprotection@kensalfield.example.org",
    "inactive": "12 months",
    "warning": "30 days",
    "min_age": 16,
    "command": "dance",
    "what": "stickers",
    "chosen": "🎵 Music, 🎨 Art",
    "passion": "🎵 Music",
    "passions": "music and art",
    "title": "Youth orchestra taster",
    "partner": "Kensalfield Music Centre",
    "when": "Saturday 6 December, 10:00",
    "map_url": "https://www.openstreetmap.org/?mlat=51.5&mlon=-0.2#map=17/51.5/-0.2",
    "message": "The festival is on Saturday!",
    "recipients": 120,
    "sent": 118,
    "deferred": 1,
    "unreachable": 1,
    "where": "Corn Exchange, KF1 2AB",
    "km": 1.2,
    "cost": "3.50",
    "hours": 2,
    "max_age": 19,
    "low": 13,
    "high": 19,
    "places_left": 4,
    "also": "🔁 Also on Tue 15 Dec, Tue 22 Dec",
    "dates": "Tue 15 Dec, Tue 22 Dec",
    "full": False,
    "was": "Saturday 6 December, 10:00",
    "why": "Because you like music · free",
    "heading": "💡 Idea 2",
    "card": "Youth orchestra taster\nKensalfield Music Centre",
    "safeguarding_name": "Alex",
    "safeguarding_phone": "01632 960000",
    "safeguarding_email": "safe@example.org",
    "channel": "telegram",
    "reference": "abc123",
    "words": "help me",
    "admin": True,
    "code": "KX7P-Q2MD",
    "uses": 3,
    "max_uses": 10,
    "until": "23:59 on Sunday 29 November",
    "opens": "Saturday 28 November, 16:00",
    "ends": "Saturday 28 November, 18:00",
    "recent": {"people": 3, "redemptions": 4, "hours": 8, "badges": 4},
    "total": {"people": 30, "redemptions": 40, "hours": 80, "badges": 40},
    "people": 3,
    "badges": 2,
    "link": "http://127.0.0.1:8080/chat?start=i_abc",
    "telegram_link": "https://t.me/colbot_bot?start=i_abc",
    "web_chat_address": "127.0.0.1:8080/chat",
    "bot": "colbot_bot",
    "name": "Priya",
    "problem": "the date is in the past",
    "badge": "Music Maker",
    "issuer": "Kensalfield Music Centre",
    "did": "Made music with a City of Learning partner.",
    "total_hours": "12",
    "journey_url": "http://127.0.0.1:8080/j/abc",
    "items": [{"title": "Youth orchestra taster", "when": "Saturday 6 December, 10:00"}],
    "audience": "Music or Art, or Northgate",
    "city_quiet_hours": "21:00-08:00",
    "example_code": "KX7PQ-2MDAS",
    "has_email": False,
    "email": "sam@example.com",
    "mark": "✅",
    "sharing": True,
    "minutes": 10,
    "web_min_age": 13,
    "commands": [("explore", "Find things to do"), ("email", "Put your email on badges")],
    "alerted": True,
    "reminded": True,
    "age": 200,
    "url": "https://opendata.example.org/feeds/sessions",
    "outcome": "4 pages read: 6 created, 0 updated, 0 unchanged, 0 partners created",
    "opportunities": 6,
    "error": "https://opendata.example.org/feeds/sessions answered 404 Not Found",
    "guess": "Harbourside Library",
    "pathways": [
        {"name": "Into Film", "done": 1, "steps": 4, "following": True, "finished": False}
    ],
    "milestones_done": 1,
    "pathway": "Game Maker",
    "number": 2,
    "towards": [
        {"pathway": "Game Maker", "steps": (3,)},
        {"pathway": "Into Film", "steps": (1, 4)},
    ],
    "milestones": 4,
    "description": "Make films and tell stories, then try a film weekend at college.",
    "steps": [
        {
            "number": 1,
            "name": "Go to a film session",
            "mark": "✅",
            "choice": False,
            "chosen": 1,
            "need": 1,
            "options": ["Go to a film session"],
        },
        {
            "number": 2,
            "name": "Try 2 of these",
            "mark": "➡️",
            "choice": True,
            "chosen": 1,
            "need": 2,
            "options": ["A drama session", "A writing session", "A music session"],
        },
    ],
    "finished": False,
    "next_step": "Try 2 of these",
    "into": "education",
    "coming": [{"title": "Youth theatre taster", "when": "Saturday 6 December, 10:00"}],
    "following": True,
    "feeds": [
        {
            "url": "https://opendata.example.org/feeds/sessions",
            "partner": "Harbourside Library",
            "kind": "rpde",
            "position": "https://opendata.example.org/feeds/sessions?afterTimestamp=9&afterId=a",
            "success": "4 Dec 2026 09:00",
            "error": None,
            "items": 9,
            "opportunities": 6,
        }
    ],
}

LANGUAGES = available_languages(conversations_dir())


def test_english_exists() -> None:
    assert "en" in LANGUAGES


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_message_renders(language: str) -> None:
    content = load_conversations(conversations_dir() / language)
    for key in content.messages:
        text = content.render(key, **SAMPLE_CONTEXT)
        assert text.strip(), f"{key} renders empty"
        assert "{{" not in text and "{%" not in text


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_language_has_what_english_has(language: str) -> None:
    english = load_conversations(conversations_dir() / "en")
    other = load_conversations(conversations_dir() / language)
    assert set(english.messages) <= set(other.messages)
    assert set(english.flows) == set(other.flows)


def _write(folder: Path, messages: str, flows: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "messages.yaml").write_text(messages)
    (folder / "flows.yaml").write_text(flows)
    return folder


GOOD_MESSAGES = "hello: Hi {{ first_name }}\nask: How old are you?\n'yes': \"Yes\"\n"
GOOD_FLOWS = "onboarding:\n  steps:\n    - id: age\n      kind: age\n      ask: ask\n"


def test_a_small_good_folder_loads(tmp_path: Path) -> None:
    content = load_conversations(_write(tmp_path / "xx", GOOD_MESSAGES, GOOD_FLOWS))
    assert content.render("hello", first_name="Jo") == "Hi Jo"


@pytest.mark.parametrize(
    ("messages", "flows", "where", "says"),
    [
        (GOOD_MESSAGES, GOOD_FLOWS.replace("ask: ask", "ask: nope"), "flows.yaml:5", "'nope'"),
        (GOOD_MESSAGES, GOOD_FLOWS.replace("kind: age", "kind: dance"), "flows.yaml:4", "kind"),
        ("hello: Hi {{ first_name\n", GOOD_FLOWS, "messages.yaml:1", "mistake"),
        ("hello: a\nhello: b\n", GOOD_FLOWS, "messages.yaml:2", "twice"),
        (
            GOOD_MESSAGES,
            "onboarding:\n  steps:\n    - id: x\n      kind: choice\n      ask: ask\n",
            "flows.yaml:3",
            "options",
        ),
        (GOOD_MESSAGES, "other:\n  steps: []\n", "flows.yaml:2", "steps"),
        (
            GOOD_MESSAGES,
            "onboarding:\n  steps:\n    - id: a\n      kind: age\n      ask: ask\n"
            "    - id: a\n      kind: age\n      ask: ask\n",
            "flows.yaml:6",
            "two steps",
        ),
        ("hello: [1, 2\n", GOOD_FLOWS, "messages.yaml:", ""),
        ("yes: Yes\n", GOOD_FLOWS, "messages.yaml:1", "in quotes"),
    ],
)
def test_mistakes_name_file_and_line(
    tmp_path: Path, messages: str, flows: str, where: str, says: str
) -> None:
    folder = _write(tmp_path / "xx", messages, flows)
    with pytest.raises(ContentError) as caught:
        load_conversations(folder)
    message = str(caught.value)
    assert f"{folder}/{where}" in message
    assert says in message


def test_a_missing_variable_is_an_error_not_a_blank(tmp_path: Path) -> None:
    content = load_conversations(_write(tmp_path / "xx", GOOD_MESSAGES, GOOD_FLOWS))
    with pytest.raises(Exception, match="first_name"):
        content.render("hello")
