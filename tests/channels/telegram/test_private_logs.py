"""A young person's chat through the real PTB Application at DEBUG: nothing personal is logged."""

from __future__ import annotations

import logging
from collections.abc import Iterator

import aiohttp
import pytest

from colbot import log_redaction
from colbot.app import Colbot
from colbot.cli import QUIETENED_LOGGERS as QUIETENED
from colbot.codes import format as code_format
from tests.doubles.telegram import TelegramDouble
from tests.support.badge_flow import make_code

MARKER_WORD = "quillfeatherzanzibar"
EMAIL = "marisol.quill@example.net"
FIRST_NAME = "Marisolwyn"
SIGN_IN_SECRET = "sEcReT-sign-in-0123456789abcdef"


@pytest.fixture
def debug_logs(caplog: pytest.LogCaptureFixture) -> Iterator[pytest.LogCaptureFixture]:
    """Every logger at DEBUG into caplog, through colbot's filter, installed as `serve` does."""
    caplog.set_level(logging.DEBUG)
    # Another test in this process may have run colbot's CLI, which quietens these loggers.
    for name in QUIETENED:
        caplog.set_level(logging.DEBUG, logger=name)
    log_redaction.install()
    yield caplog
    log_redaction.uninstall()


async def test_debug_logs_of_a_chat_show_no_text_email_code_id_or_token(
    debug_logs: pytest.LogCaptureFixture, colbot_on_telegram: Colbot, double: TelegramDouble
) -> None:
    code, _ = await make_code(colbot_on_telegram)
    young = double.person(FIRST_NAME)
    redeemed = await young.replies_to(young.send(code_format.display(code)), timeout=10)
    assert any(m.document for m in redeemed), "the code was redeemed"
    saved = await young.ask(f"/email {EMAIL}")
    assert EMAIL in saved[-1].text
    await young.ask(f"I love {MARKER_WORD} so much")
    url = f"{colbot_on_telegram.settings.public_url}/dashboard/sign-in?t={SIGN_IN_SECRET}"
    async with aiohttp.ClientSession() as client, client.get(url) as response:
        assert response.status == 200

    messages = [record.getMessage() for record in debug_logs.records]
    everything = "\n".join(messages) + debug_logs.text
    # The capture did see the dumps: PTB's Bot API calls and the updates it processed.
    assert any("Calling Bot API endpoint `sendMessage`" in m for m in messages)
    assert any(m.startswith("HTTP Request: POST") for m in messages)
    assert any(record.name == "aiohttp.access" for record in debug_logs.records)
    for private in (
        EMAIL,
        code,
        code_format.display(code),
        MARKER_WORD,
        FIRST_NAME,
        str(young.id),
        double.token,
        double.token.split(":")[1],
        SIGN_IN_SECRET,
    ):
        assert private not in everything, private
    for marker in (
        log_redaction.TEXT,
        log_redaction.TELEGRAM_ID,
        log_redaction.BOT_TOKEN,
        log_redaction.SIGN_IN,
    ):
        assert marker in everything, marker
