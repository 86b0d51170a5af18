"""The badge hand-over through the real python-telegram-bot Application and the Bot API double."""

from __future__ import annotations

import asyncio
import io
from collections.abc import AsyncIterator
from pathlib import Path

import aiohttp
import pytest
from jsonschema import Draft201909Validator
from PIL import Image

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
from tests.support.badge_flow import LINKEDIN, Handed, badges_of, fetched, make_code
from tests.support.demo import TEST_NOW, copy_demo
from tests.support.handled import let_double_see_handling
from tests.support.reference_validator import assert_valid, validated
from tests.support.telegram_app import telegram_settings

GROUP = 30
THUMBNAIL_LIMIT_PX = 320  # the Bot API's limits for a document's thumbnail
THUMBNAIL_LIMIT_BYTES = 200_000


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


def badge_documents(person: Person) -> list[SentMessage]:
    """The baked badges the bot sent this person, in order."""
    return [m for m in person.messages if m.document is not None and m.mime_type == "image/png"]


async def test_redeeming_on_telegram_sends_the_baked_badge_as_a_file_that_shows_its_picture(
    on_telegram: Colbot, double: TelegramDouble
) -> None:
    code, opportunity = await make_code(on_telegram, title="Beat Making for Beginners")
    sam = double.person("Sam")
    await sam.replies_to(sam.send(code), timeout=10)

    # Telegram re-encodes photos as JPEGs, which would drop the baked proof: no photo at all.
    assert [m for m in sam.messages if m.photo is not None] == []
    badge, milestone = badge_documents(sam)
    assert badge.filename == "beat-making-for-beginners.png"
    assert milestone.filename == "first-badge.png"
    assert "Brilliant work" in badge.body and "learning hour" in badge.body
    # The caption names what to keep: the file, since the preview is not the badge.
    assert "Save this file" in badge.body and "screenshot won't work" in badge.body
    assert "Save this picture" not in badge.body
    assert "Save the file to keep it" in milestone.body
    links = [button.data for row in badge.buttons for button in row]
    assert any(link and link.startswith(LINKEDIN) for link in links)
    assert badge.thumbnail is not None
    with Image.open(io.BytesIO(badge.thumbnail)) as preview:
        assert preview.format == "JPEG" and max(preview.size) <= THUMBNAIL_LIMIT_PX
    assert len(badge.thumbnail) < THUMBNAIL_LIMIT_BYTES
    assert badge.document is not None
    baked = unbake(badge.document)
    assert baked.assertion is not None and baked.credential is not None
    verdict = await asyncio.to_thread(verify, badge.document, http_fetch, TEST_NOW)
    assert verdict.valid, verdict.reason
    assert opportunity.title in baked.credential
    assert str(sam.id) not in baked.credential + baked.assertion
    # Byte for byte the baked badge colbot made and publishes: nothing re-encoded on the way.
    earned, first_badge = await badges_of(on_telegram)
    for sent, issued in ((badge, earned), (milestone, first_badge)):
        url = f"{on_telegram.settings.public_url}/badges/images/{issued.public_id}.png"
        async with aiohttp.ClientSession() as http:
            status, content_type, published = await fetched(http, url)
        assert (status, content_type) == (200, "image/png")
        assert sent.document == published


async def test_a_group_on_telegram_each_get_their_badge_and_milestone_once(
    on_telegram: Colbot, double: TelegramDouble
) -> None:
    # The 3-second promise is measured on the engine (test_crowd.py); through Telegram the
    # Bot API's 30 messages a second is the floor, so this checks each gets theirs, once.
    await on_telegram.web_app[WARMING]
    code, _ = await make_code(on_telegram, uses=GROUP)
    group = [double.person(f"Learner{n}") for n in range(GROUP)]

    await asyncio.gather(*(person.send(code) for person in group))
    await asyncio.gather(*(person.wait_for_messages(4, timeout=20) for person in group))

    for person in group:
        badges = badge_documents(person)
        assert len(badges) == 2 and not [m for m in person.messages if m.photo], person
        assert person.messages[0] is badges[0], "the badge comes first"


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
    document = badge_documents(sam)[0]
    assert document.document is not None and document.filename is not None
    handed = Handed(
        Outbound(
            text=document.body,
            file=Attachment(document.filename, document.document, "image/png"),
        )
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
