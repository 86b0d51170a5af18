"""Where exactly-once can be had: the web chat's delivery is a write in the outbox's own commit."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from colbot.app import Colbot
from colbot.channels.webchat import channel as webchat
from colbot.clock import FrozenClock
from colbot.delivery import drainer, outbox
from colbot.outreach import broadcasts
from colbot.people import store as people_service
from colbot.storage.models import WebChatMessage
from tests.support.outreach import outbox_rows


async def web_chat_people(app: Colbot, count: int) -> list[str]:
    chats = [f"web-{n}" for n in range(count)]
    async with app.database.transaction() as session:
        for chat in chats:
            person = await people_service.create(
                session, webchat.CHANNEL, chat, "en", app.clock.now()
            )
            person.onboarded_at = app.clock.now()
            people_service.say_yes_to_messages(person, True, app.clock.now())
    return chats


async def kept(app: Colbot) -> dict[str, int]:
    async with app.database.reading() as session:
        rows = await session.execute(
            select(WebChatMessage.chat_id, func.count()).group_by(WebChatMessage.chat_id)
        )
        return {chat: n for chat, n in rows.tuples()}


async def announce(app: Colbot, text: str) -> None:
    async with app.database.transaction() as session:
        await broadcasts.queue(session, text, text, broadcasts.Audience(), app.clock.now(), None)


async def test_a_web_chat_message_is_kept_once_even_if_the_drainer_dies_mid_send(
    sender: Colbot, clock: FrozenClock
) -> None:
    chats = await web_chat_people(sender, 3)
    await announce(sender, "Festival on Saturday")
    rows = await outbox_rows(sender)
    await sender.outbox._claim(drainer.Due.of(rows[0]), clock.now())  # as if killed mid-send
    await sender.outbox.drain()
    assert await kept(sender) == {chats[1]: 1, chats[2]: 1}
    assert await sender.outbox.recover() == 1
    await sender.outbox.drain()
    await sender.outbox.drain()
    assert await kept(sender) == {chat: 1 for chat in chats}


async def test_a_failed_web_chat_write_keeps_nothing_and_is_retried(
    sender: Colbot, clock: FrozenClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    (chat,) = await web_chat_people(sender, 1)
    await announce(sender, "News")
    store, shown = sender.outbox.stores[webchat.CHANNEL]
    failures = [RuntimeError("disk full")]

    async def store_then_fail(session: object, chat_id: str, outbound: object) -> None:
        await store(session, chat_id, outbound)  # type: ignore[arg-type]
        if failures:
            raise failures.pop()  # the confirmation and the message roll back together

    monkeypatch.setitem(sender.outbox.stores, webchat.CHANNEL, (store_then_fail, shown))
    await sender.outbox.drain()
    assert await kept(sender) == {}
    (row,) = await outbox_rows(sender)
    assert row.status == outbox.PENDING and row.not_before == clock.now() + timedelta(seconds=2)
    clock.advance(timedelta(seconds=2))
    await sender.outbox.drain()
    await sender.outbox.drain()
    assert await kept(sender) == {chat: 1}
    (row,) = await outbox_rows(sender)
    assert row.status == outbox.SENT
