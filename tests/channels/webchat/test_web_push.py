"""Web Push for the web chat: permission, the doorbell, quiet hours, and forgetting a browser.

The push service is a double on loopback (tests/doubles/push_service.py) that checks colbot's
VAPID token with PyJWT and decrypts each notification as a browser would.
"""

from __future__ import annotations

import asyncio
import hashlib
import stat
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any

import aiohttp
import pytest
from sqlalchemy import func, select

from colbot.app import Colbot
from colbot.clock import FrozenClock
from colbot.delivery import web_push
from colbot.delivery.outbox import PENDING
from colbot.delivery.push_payloads import read_subscription
from colbot.delivery.web_push import VAPID_FILE
from colbot.outreach import broadcasts
from colbot.people import store as people_service
from colbot.storage.models import (
    ChannelIdentity,
    Opportunity,
    OutboxMessage,
    Reminder,
    SavedItem,
    WebPushSubscription,
)
from tests.doubles.push_service import PushServiceDouble
from tests.support.talk import WebChatTalker

Browser = tuple[WebChatTalker, dict[str, Any]]


@pytest.fixture
async def push_service() -> AsyncIterator[PushServiceDouble]:
    async with PushServiceDouble() as running:
        yield running


async def post_subscription(
    talker: WebChatTalker, subscription: object, method: str = "POST", origin: str | None = None
) -> tuple[int, str]:
    assert talker.session is not None
    async with talker.session.request(
        method,
        f"{talker.base_url}/chat/push",
        json=subscription,
        headers={"Origin": origin or talker.base_url},
    ) as response:
        return response.status, await response.text()


async def onboarded_browser(
    serving_colbot: Colbot, push_service: PushServiceDouble, talkers: list[WebChatTalker]
) -> Browser:
    """A web chat young person who has finished onboarding and said yes to notifications."""
    talker = WebChatTalker(serving_colbot.settings.public_url, serving_colbot.engine)
    talkers.append(talker)
    await talker.connect()
    async with serving_colbot.database.transaction() as session:
        person = await people_service.create(
            session, "webchat", talker.chat_id, "en", serving_colbot.clock.now()
        )
        person.onboarded_at = serving_colbot.clock.now()
        people_service.say_yes_to_messages(person, True, serving_colbot.clock.now())
    subscription, _ = push_service.new_browser()
    assert await post_subscription(talker, subscription) == (204, "")
    return talker, subscription


async def close_page(serving_colbot: Colbot, talker: WebChatTalker) -> None:
    """Closes the chat's tab and waits until colbot has noticed."""
    assert talker.ws is not None and serving_colbot.webchat is not None
    await talker.ws.close()
    talker.ws = None
    for _ in range(200):
        if talker.chat_id not in serving_colbot.webchat.sockets:
            return
        await asyncio.sleep(0.01)
    raise AssertionError("the page never closed")


async def announce(serving_colbot: Colbot, text: str) -> None:
    """An announcement to everyone, as /broadcast queues it (its batch named by a short id)."""
    async with serving_colbot.database.transaction() as session:
        await broadcasts.queue(
            session,
            hashlib.sha256(text.encode()).hexdigest()[:16],
            text,
            broadcasts.Audience(),
            serving_colbot.clock.now(),
            serving_colbot.settings.quiet_hours,
        )


async def deliver(serving_colbot: Colbot) -> None:
    """Runs the outbox, waits for the scheduler's own run too, then for the notifications."""
    assert serving_colbot.webchat is not None and serving_colbot.webchat.pusher is not None
    await serving_colbot.outbox.drain()
    for _ in range(500):
        async with serving_colbot.database.reading() as session:
            claimed = await session.scalar(
                select(func.count())
                .select_from(OutboxMessage)
                .where(OutboxMessage.status == PENDING, OutboxMessage.claimed_at.is_not(None))
            )
        if not claimed:
            break
        await asyncio.sleep(0.01)
    await serving_colbot.webchat.pusher.settled()


async def subscriptions(serving_colbot: Colbot) -> int:
    async with serving_colbot.database.reading() as session:
        return int(await session.scalar(select(func.count()).select_from(WebPushSubscription)) or 0)


async def test_a_closed_chat_is_rung_once_and_the_message_waits_in_it(
    serving_colbot: Colbot, push_service: PushServiceDouble, talkers: list[WebChatTalker]
) -> None:
    sam, subscription = await onboarded_browser(serving_colbot, push_service, talkers)
    await close_page(serving_colbot, sam)
    await announce(
        serving_colbot, "The library's open day is on Saturday 🎉\nCome and try the 3D printers."
    )
    await deliver(serving_colbot)
    await deliver(serving_colbot)

    (push,) = push_service.pushes_to(subscription)
    assert push.message == {
        "title": "Kensalfield City of Learning",
        "body": "The library's open day is on Saturday 🎉",
        "url": f"{serving_colbot.settings.public_url}/chat",
        "tag": "colbot",
    }
    assert push.claims["aud"] == push_service.base_url
    assert push.claims["sub"].startswith("mailto:")
    assert 0 < push.claims["exp"] - datetime.now(UTC).timestamp() <= 24 * 3600
    assert push.headers["ttl"] == str(4 * 3600) and push.headers["topic"] == "colbot"
    assert push.headers["urgency"] == "normal"

    # The notification only rang the bell: the message itself is waiting in the chat.
    replies = await sam.say("/help")
    assert any("open day" in r.text for r in replies)


async def test_an_open_chat_gets_the_message_on_the_page_and_no_notification(
    serving_colbot: Colbot, push_service: PushServiceDouble, talkers: list[WebChatTalker]
) -> None:
    sam, subscription = await onboarded_browser(serving_colbot, push_service, talkers)
    await announce(serving_colbot, "Festival on Saturday")
    await deliver(serving_colbot)
    assert push_service.pushes_to(subscription) == []
    assert sam.ws is not None
    frame = await sam.ws.receive_json(timeout=5)
    while frame["type"] == "menu":  # the command menu comes with every hello
        frame = await sam.ws.receive_json(timeout=5)
    assert frame["type"] == "message" and frame["text"] == "Festival on Saturday"


async def test_a_reminder_rings_the_phone(
    serving_colbot: Colbot,
    push_service: PushServiceDouble,
    talkers: list[WebChatTalker],
    clock: FrozenClock,
) -> None:
    sam, subscription = await onboarded_browser(serving_colbot, push_service, talkers)
    await close_page(serving_colbot, sam)
    starts = clock.now() + timedelta(hours=2)
    async with serving_colbot.database.transaction() as session:
        opportunity = await session.scalar(select(Opportunity).order_by(Opportunity.id).limit(1))
        assert opportunity is not None
        opportunity.starts_at, opportunity.ends_at = starts, starts + timedelta(hours=2)
        person_id = await session.scalar(
            select(ChannelIdentity.young_person_id).where(
                ChannelIdentity.external_id == sam.chat_id
            )
        )
        assert person_id is not None
        session.add(
            SavedItem(
                young_person_id=person_id, opportunity_id=opportunity.id, saved_at=clock.now()
            )
        )
        session.add(
            Reminder(young_person_id=person_id, opportunity_id=opportunity.id, due_at=clock.now())
        )
        title = opportunity.title
    await serving_colbot.queue_reminders()
    await deliver(serving_colbot)
    (push,) = push_service.pushes_to(subscription)
    assert push.message["body"] == f"⏰ Coming up: {title}"


async def test_nothing_rings_in_quiet_hours_until_they_end(
    serving_colbot: Colbot,
    push_service: PushServiceDouble,
    talkers: list[WebChatTalker],
    clock: FrozenClock,
) -> None:
    sam, subscription = await onboarded_browser(serving_colbot, push_service, talkers)
    await close_page(serving_colbot, sam)
    clock.set(datetime(2026, 11, 28, 22, 30, tzinfo=UTC))  # 22:30 in London: quiet hours
    await announce(serving_colbot, "Late news")
    await deliver(serving_colbot)
    assert push_service.pushes_to(subscription) == []
    clock.set(datetime(2026, 11, 29, 8, 5, tzinfo=UTC))
    await deliver(serving_colbot)
    assert [p.message["body"] for p in push_service.pushes_to(subscription)] == ["Late news"]


async def test_a_subscription_the_push_service_has_forgotten_is_dropped(
    serving_colbot: Colbot, push_service: PushServiceDouble, talkers: list[WebChatTalker]
) -> None:
    sam, subscription = await onboarded_browser(serving_colbot, push_service, talkers)
    await close_page(serving_colbot, sam)
    push_service.gone.add(subscription["endpoint"].rsplit("/", 1)[1])
    await announce(serving_colbot, "First")
    await deliver(serving_colbot)
    assert await subscriptions(serving_colbot) == 0
    await announce(serving_colbot, "Second")
    await deliver(serving_colbot)
    assert len(push_service.refusals) == 1  # not tried again


async def test_a_refusing_push_service_loses_nothing(
    serving_colbot: Colbot, push_service: PushServiceDouble, talkers: list[WebChatTalker]
) -> None:
    sam, subscription = await onboarded_browser(serving_colbot, push_service, talkers)
    await close_page(serving_colbot, sam)
    push_service.status = 503
    await announce(serving_colbot, "Still here")
    await deliver(serving_colbot)
    assert push_service.pushes_to(subscription) == [] and await subscriptions(serving_colbot) == 1
    replies = await sam.say("/help")
    assert any(r.text == "Still here" for r in replies)


async def test_turning_notifications_off_stops_them(
    serving_colbot: Colbot, push_service: PushServiceDouble, talkers: list[WebChatTalker]
) -> None:
    sam, subscription = await onboarded_browser(serving_colbot, push_service, talkers)
    assert await post_subscription(sam, {"endpoint": subscription["endpoint"]}, "DELETE") == (
        204,
        "",
    )
    assert await subscriptions(serving_colbot) == 0
    await close_page(serving_colbot, sam)
    await announce(serving_colbot, "Quiet please")
    await deliver(serving_colbot)
    assert push_service.pushes == []


async def test_only_the_chat_page_may_subscribe_and_only_with_a_real_subscription(
    serving_colbot: Colbot, push_service: PushServiceDouble, talkers: list[WebChatTalker]
) -> None:
    sam, _ = await onboarded_browser(serving_colbot, push_service, talkers)
    subscription, _ = push_service.new_browser()
    status, _ = await post_subscription(sam, subscription, origin="https://evil.example")
    assert status == 403
    async with aiohttp.ClientSession() as stranger:
        response = await stranger.post(
            f"{sam.base_url}/chat/push", json=subscription, headers={"Origin": sam.base_url}
        )
        assert response.status == 403  # no device cookie
    bad_keys = {**subscription, "keys": {"p256dh": "AAAA", "auth": subscription["keys"]["auth"]}}
    for bad in (
        "not json at all",
        [],
        {"endpoint": "javascript:alert(1)", "keys": subscription["keys"]},
        {"endpoint": subscription["endpoint"]},
        bad_keys,
        {**subscription, "endpoint": "https://push.example/" + "x" * 3000},
    ):
        status, text = await post_subscription(sam, bad)
        assert status in {400, 413}, (bad, status)
        assert "<" not in text
    assert await subscriptions(serving_colbot) == 1


async def test_deleting_their_data_forgets_their_browsers(
    serving_colbot: Colbot, push_service: PushServiceDouble, talkers: list[WebChatTalker]
) -> None:
    sam, _ = await onboarded_browser(serving_colbot, push_service, talkers)
    export = await sam.say("/mydata")
    assert any(
        r.file is not None and b'"browsers_with_notifications": 1' in r.file.content for r in export
    )
    await sam.say("/delete")
    await sam.press("Yes, delete everything")
    assert "All deleted" in sam.last_text()
    assert await subscriptions(serving_colbot) == 0


async def test_the_vapid_key_is_made_once_and_kept_private(serving_colbot: Colbot) -> None:
    assert serving_colbot.webchat is not None and serving_colbot.webchat.pusher is not None
    key = serving_colbot.webchat.pusher.key.public_key
    path = serving_colbot.settings.data_dir / VAPID_FILE
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    async with (
        aiohttp.ClientSession() as client,
        client.get(f"{serving_colbot.settings.public_url}/chat") as response,
    ):
        assert f'data-push-key="{key}"' in await response.text()
    async with (
        aiohttp.ClientSession() as client,
        client.get(f"{serving_colbot.settings.public_url}/chat/sw.js") as response,
    ):
        assert response.status == 200
        assert response.headers["Service-Worker-Allowed"] == "/chat"
        assert "showNotification" in await response.text()


async def test_notifications_follow_the_chat_to_the_browser_it_moved_to(
    serving_colbot: Colbot, push_service: PushServiceDouble, talkers: list[WebChatTalker]
) -> None:
    old, old_subscription = await onboarded_browser(serving_colbot, push_service, talkers)
    new = WebChatTalker(serving_colbot.settings.public_url, serving_colbot.engine)
    talkers.append(new)
    await new.connect()
    new_subscription, _ = push_service.new_browser()
    assert await post_subscription(new, new_subscription) == (204, "")
    replies = await old.say("/move")
    code = next(line for line in replies[-1].text.split() if line.isdigit() and len(line) == 6)
    await new.say(f"/move {code}")
    await close_page(serving_colbot, new)
    await announce(serving_colbot, "Moved along")
    await deliver(serving_colbot)
    assert push_service.pushes_to(old_subscription) == []
    assert [p.message["body"] for p in push_service.pushes_to(new_subscription)] == ["Moved along"]


async def test_an_announcement_rings_every_subscribed_phone_once(
    serving_colbot: Colbot, push_service: PushServiceDouble
) -> None:
    browsers = []
    async with serving_colbot.database.transaction() as session:
        for n in range(200):
            chat_id = f"webchat-{n}"
            person = await people_service.create(
                session, "webchat", chat_id, "en", serving_colbot.clock.now()
            )
            person.onboarded_at = serving_colbot.clock.now()
            people_service.say_yes_to_messages(person, True, serving_colbot.clock.now())
            subscription, _ = push_service.new_browser()
            await web_push.subscribe(
                session,
                chat_id,
                chat_id,
                read_subscription(subscription),
                serving_colbot.clock.now(),
            )
            browsers.append(subscription)
    await announce(serving_colbot, "Half-term is full of free things to do")
    await deliver(serving_colbot)
    await deliver(serving_colbot)
    assert [len(push_service.pushes_to(b)) for b in browsers] == [1] * len(browsers)
    assert push_service.refusals == []
