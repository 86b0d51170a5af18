"""On every channel, the badge picture a young person receives is the baked badge itself."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest
from aiohttp import web

from colbot.app import Colbot
from colbot.badges.cli import fetch as http_fetch
from colbot.badges.forms import download_name
from colbot.openbadges.baking import unbake
from colbot.openbadges.verify import verify
from tests.doubles.telegram import TelegramDouble
from tests.support.badge_flow import PNG_SIGNATURE, make_code
from tests.support.demo import TEST_NOW
from tests.support.talk import Talk


@pytest.fixture
async def verifiable(channel: str, channel_colbot: Colbot) -> AsyncIterator[None]:
    """Serves what a verifier fetches; the web chat's and Telegram's colbots do so already."""
    if channel != "console":
        yield
        return
    runner = web.AppRunner(channel_colbot.web_app, handle_signals=False)
    await runner.setup()
    settings = channel_colbot.settings
    await web.TCPSite(runner, settings.host, settings.port).start()
    yield
    await runner.cleanup()


async def test_the_picture_received_after_redeeming_verifies_and_is_named_after_the_activity(
    channel_colbot: Colbot, talk: Talk, telegram: TelegramDouble | None, verifiable: None
) -> None:
    code, opportunity = await make_code(channel_colbot, title="Beat Making: for Beginners!")
    replies = await talk("sam").say(code)

    pictures = [m for m in replies if m.image is not None or m.file is not None]
    assert [m.text.split("!")[0] for m in pictures] == [
        "🎉 Brilliant work",
        "🌟 Milestone unlocked: First Badge",
    ]
    names = ["beat-making-for-beginners.png", "first-badge.png"]
    for message, name in zip(pictures, names, strict=True):
        # On Telegram a photo is re-encoded as a JPEG, losing the proof, so the badge is a file
        # there (shown with its picture); elsewhere it is the picture, with no file beside it.
        received = message.file if telegram is not None else message.image
        other = message.image if telegram is not None else message.file
        assert received is not None and other is None, name
        assert received.filename == name and received.content.startswith(PNG_SIGNATURE)
        verdict = await asyncio.to_thread(verify, received.content, http_fetch, TEST_NOW)
        assert verdict.valid, (name, verdict.reason)
    earned = pictures[0].image or pictures[0].file
    assert earned is not None
    assert opportunity.title in (unbake(earned.content).credential or "")
    keep = "Save this file" if telegram is not None else "Save this picture"
    assert keep in pictures[0].text


@pytest.mark.parametrize(
    ("title", "name"),
    [
        ("Beat Making for Beginners", "beat-making-for-beginners.png"),
        ("  Café & Crème: Baking 101!  ", "cafe-creme-baking-101.png"),
        ("../../etc/passwd", "etc-passwd.png"),
        ("🎧🎶", "badge.png"),
        ("Long " * 30, ("long-" * 12).rstrip("-") + ".png"),
    ],
)
def test_a_badges_file_name_is_its_title_in_safe_characters(title: str, name: str) -> None:
    assert download_name(title, "png") == name
