"""The badge hand-over through the real python-telegram-bot Application and the Bot API double."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path

import aiohttp
import pytest
from jsonschema import Draft201909Validator

from colbot.app import Colbot, build_app
from colbot.badges.cli import fetch as http_fetch
from colbot.badges.web import WARMING
from colbot.chat.messages import Attachment, Outbound
from colbot.clock import FrozenClock
from colbot.openbadges.baking import unbake
from colbot.openbadges.verify import verify
from tests.doubles.telegram import Person, SentMessage, TelegramDouble
from tests.support.badge_checks import (
    ob2_checked_with_pyjwt,
    proof_checked,
    vc_jwt_checked_with_pyjwt,
)
from tests.support.badge_flow import LINKEDIN, Handed, fetched, make_code
from tests.support.demo import TEST_NOW, copy_demo
from tests.support.handled import let_double_see_handling
from tests.support.reference_validator import assert_valid, validated
from tests.support.telegram_app import telegram_settings

GROUP = 30


@pytest.fixture
async def double() -> AsyncIterator[TelegramDouble]:
    async with TelegramDouble() as running:
        yield running


@pytest.fixture
async def on_telegram(
    double: TelegramDouble, data_dir: Path, demo_database: Path, clock: FrozenClock
) -> AsyncIterator[Colbot]:
    copy_demo(data_dir, demo_database)
    colbot = build_app(telegram_settings(double, data_dir, "polling"), clock=clock)
    await colbot.start()
    let_double_see_handling(double, colbot)
    yield colbot
    await colbot.stop()


def badge_messages(person: Person) -> tuple[SentMessage, SentMessage]:
    """The badge photo and the baked badge document the bot sent this person."""
    photo = next(m for m in person.messages if m.photo is not None)
    document = next(
        m for m in person.messages if m.document is not None and m.message_id > photo.message_id
    )
    return photo, document


async def test_redeeming_on_telegram_sends_picture_baked_file_and_linkedin_button(
    on_telegram: Colbot, double: TelegramDouble
) -> None:
    code, _ = await make_code(on_telegram)
    sam = double.person("Sam")
    await sam.replies_to(sam.send(code), timeout=10)

    photo, document = badge_messages(sam)
    assert photo.photo is not None and photo.photo.startswith(b"\x89PNG")
    assert "Brilliant work" in photo.body and "learning hour" in photo.body
    links = [button.data for row in photo.buttons for button in row]
    assert any(link and link.startswith(LINKEDIN) for link in links)
    assert document.filename is not None and document.filename.endswith("-badge.png")
    assert document.document is not None
    baked = unbake(document.document)
    assert baked.assertion is not None and baked.credential is not None
    verdict = await asyncio.to_thread(verify, document.document, http_fetch, TEST_NOW)
    assert verdict.valid, verdict.reason
    assert str(sam.id) not in baked.credential + baked.assertion


async def test_a_group_on_telegram_each_get_one_badge_picture_and_file(
    on_telegram: Colbot, double: TelegramDouble
) -> None:
    # The 3-second promise is measured on the engine (test_crowd.py); through Telegram the
    # Bot API's 30 messages a second is the floor, so this checks each gets theirs, once.
    await on_telegram.web_app[WARMING]
    code, _ = await make_code(on_telegram, uses=GROUP)
    group = [double.person(f"Learner{n}") for n in range(GROUP)]

    await asyncio.gather(*(person.send(code) for person in group))
    await asyncio.gather(*(person.wait_for_messages(5, timeout=20) for person in group))

    for person in group:
        photos = [m for m in person.messages if m.photo is not None]
        files = [m for m in person.messages if m.document is not None]
        assert len(photos) == 1 and len(files) == 2, person
        assert person.messages[0].photo is not None, "the badge picture comes first"


async def test_the_badge_that_reaches_telegram_passes_every_independent_check(
    on_telegram: Colbot,
    double: TelegramDouble,
    credential_schema: Draft201909Validator,
    validator_python: Path,
    tmp_path: Path,
) -> None:
    """The Done-when of the badges issue, through the real Application and the Bot API double:
    the baked file Telegram delivered is checked by PyJWT, 1EdTech's OB 3.0 JSON Schema, an
    eddsa-rdfc-2022 check with the issuer's listed key, and 1EdTech's OB 2.0 validator."""
    code, _ = await make_code(on_telegram)
    sam = double.person("Sam")
    await sam.replies_to(sam.send(code), timeout=10)
    photo, document = badge_messages(sam)
    assert document.document is not None and document.filename is not None
    handed = Handed(
        Outbound(text=photo.body),
        Outbound(text="", file=Attachment(document.filename, document.document, "image/png")),
    )
    async with aiohttp.ClientSession() as http:
        assertion = await ob2_checked_with_pyjwt(http, handed.ob2_jws)
        assert assertion["recipient"]["hashed"] is True
        credential = handed.credential
        assert [e.message for e in credential_schema.iter_errors(credential)] == []
        await proof_checked(http, credential)
        status, content_type, token = await fetched(http, credential["id"] + ".jwt")
        assert (status, content_type) == (200, "application/vc+jwt")
        claims = await vc_jwt_checked_with_pyjwt(http, token.decode())
        assert claims["jti"] == credential["id"]
    assert_valid(await validated(validator_python, handed.baked, tmp_path), handed)
