"""The web chat across three `colbot serve` processes on one PostgreSQL database.

A message one process keeps for a page whose socket another process holds reaches that page at
once (PostgreSQL's NOTIFY); a page that reconnects to another process carries on where it was.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path

import aiohttp
import pytest

from colbot.clock import SystemClock
from colbot.delivery import outbox
from colbot.storage.database import Database
from tests.support import databases
from tests.support.people_seed import seed_people
from tests.support.processes import Processes
from tests.support.talk import WebChatTalker

pytestmark = databases.SEVERAL_PROCESSES

PROCESSES = 3
PAGES_PER_PROCESS = 2
BROADCAST = "The Kensalfield festival is on this Saturday!"
REMINDER = "Don't forget: Beat Making starts soon."


@pytest.fixture
async def city(tmp_path: Path) -> AsyncIterator[Processes]:
    """Three processes serving one city; each must stop cleanly at the end."""
    started = Processes(tmp_path / "data", PROCESSES)
    try:
        await started.start()
        yield started
    finally:
        await started.stop()


async def test_broadcasts_reminders_and_alerts_reach_pages_on_other_processes(
    city: Processes,
) -> None:
    admin = WebChatTalker(city.url(0))
    pages = [
        WebChatTalker(city.url(index % PROCESSES)) for index in range(PROCESSES * PAGES_PER_PROCESS)
    ]
    try:
        invite = await city.run("admins", "invite", "Ada")
        start = re.search(r"start=([A-Za-z0-9_-]+)", invite)
        assert start is not None, invite
        welcome = await admin.say(f"/start {start.group(1)}")
        assert any("City of Learning team" in reply.text for reply in welcome), welcome
        for page in pages:
            await page.connect()
        database = Database(city.database_url)
        now = SystemClock().now()
        try:
            await seed_people(
                database,
                [page.chat_id for page in pages],
                now,
                channel="webchat",
                messages_first=True,
            )
            await city.run("broadcast", "--yes", "--no-wait", BROADCAST)
            for page in pages:
                await page.wait_for(BROADCAST)
            async with database.transaction() as session:
                for page in pages:
                    await outbox.enqueue(
                        session,
                        "webchat",
                        page.chat_id,
                        REMINDER,
                        key=f"reminder:test:{page.chat_id}",
                        now=now,
                        expires_at=now + timedelta(hours=1),
                    )
            for page in pages:
                await page.wait_for(REMINDER)
        finally:
            await database.dispose()
        # Asked for help on the second and third processes; the admin's page is on the first.
        for page in pages[1:3]:
            assert "Childline" in (await page.say("help me please"))[-1].text
            await admin.wait_for("Safeguarding")
        status = await city.run("status")
        assert f"Processes alive: {PROCESSES}" in status, status
        assert "Outbox: 0 waiting" in status, status
        async with aiohttp.ClientSession() as client:
            for index in range(PROCESSES):
                async with client.get(f"{city.url(index)}/readyz") as ready:
                    assert (await ready.json())["processes"] == f"one of {PROCESSES}"
        assert await city.metric("colbot_webchat_noticed_total") > 0, (
            "some messages crossed from one process to another"
        )
    finally:
        await asyncio.gather(admin.close(), *(page.close() for page in pages))


async def test_a_page_reconnecting_to_another_process_carries_on_mid_question(
    city: Processes,
) -> None:
    page = WebChatTalker(city.url(0))
    try:
        await page.say("/start")
        assert "How old are you" in (await page.press("Yes, that's OK"))[-1].text
        # The age goes to the first process; the socket drops before its answer is read.
        assert page.ws is not None
        page.seq += 1
        age = {"type": "text", "text": "15", "seq": page.seq}
        await page.ws.send_json(age)
        await page.reconnect_to(city.url(1))
        # As the page does: the hello acks what it showed, then anything not yet taken again.
        replies = await page._send_again(age)
        assert replies and "call you" in replies[-1].text, replies
        await page.reconnect_to(city.url(2))
        assert "Whereabouts" in (await page.say("Call me Robin"))[-1].text
        texts = [message.text for message in page.history]
        assert len(texts) == len(set(texts)), "nothing shown twice"
        assert sum("call you" in text for text in texts) == 1
    finally:
        await page.close()
