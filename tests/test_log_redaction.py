"""The log filter: what it masks, what it leaves alone, and that `colbot serve`'s logging has it."""

from __future__ import annotations

import json
import logging
import subprocess
import sys
from collections.abc import Iterator

import pytest

from colbot import log_redaction
from colbot.cli import QUIETENED_LOGGERS as QUIETENED
from colbot.codes import format as code_format
from colbot.log_redaction import (
    BOT_TOKEN,
    CODE,
    EMAIL,
    PLACE,
    SECRET,
    SIGN_IN,
    TELEGRAM_ID,
    TEXT,
    VALUE,
    RedactingFilter,
    redact,
)
from colbot.logs import JsonFormatter

CODE_BODY = "KX7PQ2MDA"
A_CODE = CODE_BODY + code_format.check_character(CODE_BODY)
TOKEN = "7000000001:AAH-colbot-test-double-token-0123456"


@pytest.mark.parametrize(
    ("line", "private", "marker"),
    [
        ("badges go to sam.learner+x@example.net now", "sam.learner", EMAIL),
        ("o meu é josé@exemplo.pt", "josé", EMAIL),
        (f"my code is {code_format.display(A_CODE)}!", A_CODE[:5], CODE),
        (f"/start c_{A_CODE}", A_CODE, CODE),
        (f"typed {code_format.display(A_CODE).lower()}", A_CODE[:5].lower(), CODE),
        # "hello 7X7PQ" is code-shaped too; the real code next to it must still go whole.
        ("hello 7X7PQ-2MDAS", "2MDAS", CODE),
        ("GET /dashboard/sign-in?t=s3cr3t-L1nk HTTP/1.1", "s3cr3t-L1nk", SIGN_IN),
        ('"GET /c/typo0 HTTP/1.1" 404', "typo0", CODE),
        ('"GET /chat/files/f1le-t0ken_x HTTP/1.1" 200', "f1le-t0ken_x", SECRET),
        ("GET /x?a=1&token=tok123&b=2", "tok123", SECRET),
        ("GET /x?key=k3y&secret=s3c", "k3y", SECRET),
        ("GET /x?key=k3y&secret=s3c", "s3c", SECRET),
        ("GET /chat?start=i_inv1te", "i_inv1te", SECRET),
        ("Cookie: a=b; colbot_device=dEv1ce-t0ken_abcdefghij", "dEv1ce", SECRET),
        ("{'url': 'https://x/hook', 'secret_token': 'wh-s3cret'}", "wh-s3cret", SECRET),
        (f"POST http://127.0.0.1:1/bot{TOKEN}/getMe", TOKEN.split(":")[1], BOT_TOKEN),
        ('{"chat":{"id":8123456789},"from":{"id": 8123456789}}', "8123456789", TELEGRAM_ID),
        ("{'chat_id': 8123456789, 'photo': <InputFile>}", "8123456789", TELEGRAM_ID),
        (
            "Chat(first_name='Ada', id=8123456789, type=<ChatType.PRIVATE>)",
            "8123456789",
            TELEGRAM_ID,
        ),
        ("Chat(first_name='Ada', id=8123456789, type=<ChatType.PRIVATE>)", "Ada", TEXT),
        ("GET /getChat?chat_id=-100812345", "812345", TELEGRAM_ID),
        ("{'chat_id': '8123456789'}", "8123456789", TELEGRAM_ID),
        ('{"text": "I feel \\"awful\\" today"}', "awful", TEXT),
        ("{'text': \"I'm scared\", 'chat_id': 1}", "scared", TEXT),
        ("Message(text='it\\'s \"bad\" here', message_id=3)", "bad", TEXT),
        ("'caption': 'my photo of home'", "home", TEXT),
        ("{'text': 'a dump cut short after the sec", "sec", TEXT),
        ("Location(latitude=51.5321, longitude=-0.1187)", "51.5321", PLACE),
        ("Location(latitude=51.5321, longitude=-0.1187)", "0.1187", PLACE),
        ("DETAIL:  Key (public_id)=(telegram-81234-x) already exists.", "81234", VALUE),
        ('Key (person_id)=(5017) is not present in table "young_people".', "5017", VALUE),
        ("Key (a, b)=(sam, 4) conflicts with existing key (a, b)=(jo, 4).", "sam", VALUE),
        ("Key (a, b)=(sam, 4) conflicts with existing key (a, b)=(jo, 4).", "jo", VALUE),
    ],
)
def test_each_kind_of_personal_data_is_masked(line: str, private: str, marker: str) -> None:
    masked = redact(line)
    assert private not in masked
    assert marker in masked


@pytest.mark.parametrize(
    "line",
    [
        "web server listening on http://127.0.0.1:8080",
        "demo city Kensalfield loaded: 12 partners, 40 opportunities updated",
        "see you 24hrs ahead at 4pm tonight, basketball KX7PQ",
        "update 100000003 failed; outbox message 17 failed: Unreachable('Forbidden')",
        "Getting updates: [100000001, 100000002]",
        "Message(message_id=3, date=2026-01-01, text=None)",
    ],
)
def test_lines_without_personal_data_are_kept_as_they_are(line: str) -> None:
    assert redact(line) == line


def record(
    message: str, *args: object, name: str = "telegram.ext.Application"
) -> logging.LogRecord:
    return logging.LogRecord(name, logging.DEBUG, __file__, 1, message, args, None)


def test_the_formatted_message_is_masked_and_its_arguments_dropped() -> None:
    entry = record("Processing update %s for %s", "Update(text='help me')", "ada@example.org")
    assert RedactingFilter().filter(entry)
    assert entry.getMessage() == f"Processing update Update(text={TEXT}) for {EMAIL}"
    assert entry.args is None


def test_a_record_with_nothing_to_mask_is_left_alone() -> None:
    args = (3, "ok")
    entry = record("sent %d messages: %s", *args)
    assert RedactingFilter().filter(entry)
    assert entry.msg == "sent %d messages: %s" and entry.args == args


def test_arguments_that_do_not_fit_the_format_are_masked_not_raised() -> None:
    entry = record("one %s and %s", "ada@example.org")
    assert RedactingFilter().filter(entry)
    assert "ada@example.org" not in entry.getMessage() and EMAIL in entry.getMessage()


def test_a_traceback_is_masked_for_text_and_json_lines() -> None:
    try:
        raise ValueError("no badge for ada@example.org")
    except ValueError:
        entry = logging.LogRecord(
            "colbot", logging.ERROR, __file__, 1, "failed", (), sys.exc_info()
        )
    assert RedactingFilter().filter(entry)
    text = logging.Formatter("%(message)s").format(entry)
    exception = json.loads(JsonFormatter().format(entry))["exception"]
    for shown in (text, exception):
        assert "ValueError" in shown and EMAIL in shown and "ada@example.org" not in shown


@pytest.fixture
def installed(caplog: pytest.LogCaptureFixture) -> Iterator[pytest.LogCaptureFixture]:
    caplog.set_level(logging.DEBUG)
    # Another test in this process may have run colbot's CLI, which quietens these loggers.
    for name in QUIETENED:
        caplog.set_level(logging.DEBUG, logger=name)
    log_redaction.install()
    yield caplog
    log_redaction.uninstall()


def test_installed_on_the_root_handlers_it_masks_every_logger_at_every_level(
    installed: pytest.LogCaptureFixture,
) -> None:
    for name in ("telegram.ext.ExtBot", "httpx", "aiohttp.access", "apscheduler", "colbot.x"):
        for level in (logging.DEBUG, logging.INFO, logging.WARNING, logging.ERROR):
            logging.getLogger(name).log(level, "to %s", "ada@example.org")
    assert len(installed.records) == 20
    assert all(entry.getMessage() == f"to {EMAIL}" for entry in installed.records)
    assert "ada@example.org" not in installed.text


def test_a_record_through_two_filtered_handlers_is_masked_once() -> None:
    entry = record("to %s", "ada@example.org")
    first, second = RedactingFilter(), RedactingFilter()
    assert first.filter(entry) and second.filter(entry)
    assert entry.getMessage() == f"to {EMAIL}"


def test_colbots_own_logging_setup_masks_what_it_writes() -> None:
    """`colbot serve`'s logging, in a fresh process: a DEBUG dump from PTB comes out masked."""
    script = (
        "import logging\n"
        "from colbot import cli\n"
        "from colbot.settings import load_settings\n"
        "cli._configure_logging(load_settings({}, log_level='DEBUG'))\n"
        "logging.getLogger('telegram.Bot').debug(\"Calling `sendMessage` with %s\", "
        "{'chat_id': 8123456789, 'text': 'my email is ada@example.org'})\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=60, check=True
    )
    assert "8123456789" not in done.stderr and "ada@example.org" not in done.stderr
    assert f"'chat_id': {TELEGRAM_ID}, 'text': {TEXT}" in done.stderr
