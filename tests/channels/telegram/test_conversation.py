"""The real python-telegram-bot Application, talking HTTP to the Bot API double, in both modes."""

from __future__ import annotations

import logging

import aiohttp
import pytest
from sqlalchemy import func, select

from colbot.app import Colbot
from colbot.chat.router import Router
from colbot.storage.models import ConversationState, TelegramUpdate
from tests.doubles.telegram import TelegramDouble
from tests.support.telegram_app import WEBHOOK_SECRET, Starter


async def test_start_greets_and_begins_onboarding(
    colbot_on_telegram: Colbot, double: TelegramDouble
) -> None:
    sam = double.person("Sam")
    replies = await sam.ask("/start")
    assert "I'm colbot" in replies[0].text
    assert "/delete" in replies[1].text
    assert replies[-1].labels == ["Yes, that's OK", "No thanks"]
    menu = [c.command for c in double.commands()]
    assert {"start", "help", "explore", "mydata", "delete", "report"} <= set(menu)
    assert "newcode" not in menu


async def test_help_says_what_the_bot_can_do(
    colbot_on_telegram: Colbot, double: TelegramDouble
) -> None:
    replies = await double.person("Ali").ask("/help")
    assert "/explore" in replies[0].text and "code" in replies[0].text


async def test_a_button_press_moves_the_conversation_on(
    colbot_on_telegram: Colbot, double: TelegramDouble
) -> None:
    kim = double.person("Kim")
    await kim.ask("/start")
    replies = await kim.replies_to(kim.press("Yes, that's OK"))
    assert "How old are you" in replies[-1].text
    assert kim.callback_answers, "the button's spinner was stopped"
    replies = await kim.replies_to(kim.press("16"))
    assert "What should I call you" in replies[-1].text
    assert replies[-1].labels[0] == "Call me Kim"


async def test_a_full_onboarding_by_buttons_ends_with_recommendations(
    colbot_on_telegram: Colbot, double: TelegramDouble
) -> None:
    jo = double.person("Jo")
    await jo.ask("/start")
    for label in ("Yes, that's OK", "17", "Call me Jo", "Riverside", "Up to 5 km"):
        await jo.replies_to(jo.press(label))
    await jo.replies_to(jo.press("🎵 Music"), min_messages=0)
    assert jo.last.labels[0] == "✅ 🎵 Music", "the toggle edited the message in place"
    await jo.replies_to(jo.press("Done ✅"))
    replies = await jo.replies_to(jo.press("Skip"), timeout=10)
    assert "Can I message you first sometimes?" in replies[-1].text
    replies = await jo.replies_to(jo.press("Yes, message me"), timeout=10)
    text = "\n".join(m.text for m in replies)
    assert "All done, Jo" in text and "Because you like music" in text


async def test_location_sharing_keeps_only_a_rough_area(
    colbot_on_telegram: Colbot, double: TelegramDouble
) -> None:
    lee = double.person("Lee")
    await lee.ask("/start")
    for label in ("Yes, that's OK", "16", "Call me Lee"):
        await lee.replies_to(lee.press(label))
    assert lee.messages[-1].keyboard is not None, "a request_location keyboard was offered"
    replies = await lee.replies_to(lee.share_location(52.456789, -1.512345))
    assert replies[0].removes_keyboard
    assert "How far" in replies[-1].text
    async with colbot_on_telegram.database.transaction() as session:
        from colbot.storage.models import YoungPerson

        person = await session.scalar(select(YoungPerson))
    assert person is not None and (person.latitude, person.longitude) == (52.46, -1.51)


async def test_the_bad_input_barrage_never_crashes(
    colbot_on_telegram: Colbot, double: TelegramDouble, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING)
    zed = double.person("Zed")
    first = await zed.ask("/start")
    consent = first[-1]
    await zed.replies_to(zed.press("Yes, that's OK"))
    for send, expect in (
        (zed.send_sticker, "stickers"),
        (zed.send_photo, "photos"),
        (zed.send_voice, "voice messages"),
        (lambda: zed.send_document(b"%PDF-1.4", "cv.pdf", "application/pdf"), "files"),
        (zed.send_contact, "contacts"),
        (lambda: zed.send("/teleport now"), "/teleport"),
        (lambda: zed.send("x" * 4096), "shorter"),
        (lambda: zed.send("😀🎉🔥"), "like 15"),
        (lambda: zed.send("مرحبا، عمري خمسة عشر"), "like 15"),
        (lambda: zed.send("\u200b\u200d\u2060"), "like 15"),
        (lambda: zed.press("No thanks", consent), "earlier message"),
        (lambda: zed.press_raw("not|ours|at all", consent), "didn't understand"),
        (lambda: zed.press_raw("", consent), "didn't understand"),
    ):
        replies = await zed.replies_to(send())
        assert expect in "\n".join(m.text for m in replies), expect
        assert "How old are you" in replies[-1].text, "the question is asked again"
    sent = await zed.send("old enough")
    await zed.replies_to(zed.edit_message(sent, "15"), min_messages=0)
    group = double.group("Youth club chat")
    await group.add_bot(zed)
    await group.wait_for_messages(1)
    assert "one to one" in group.last.text
    await zed.send("/start", chat=group)
    await group.wait_for_messages(1)
    assert "one to one" in group.last.text
    before = len(group.messages)
    await zed.send("just chatting in the group", chat=group)
    channel = double.channel("City news")
    await channel.post("Hello channel")
    replies = await zed.ask("16")
    assert "What should I call you" in replies[-1].text
    assert len(group.messages) == before, "ordinary group chatter is ignored"
    assert not channel.messages
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]


async def test_a_failure_in_one_update_is_logged_and_the_bot_carries_on(
    colbot_on_telegram: Colbot, double: TelegramDouble, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING)
    max_ = double.person("Max")
    double.fail_next("sendMessage", 400, "Bad Request: chat not found")
    await max_.replies_to(max_.send("/help"), min_messages=0)
    replies = await max_.ask("/help")
    assert "/explore" in replies[0].text
    assert any("update" in r.getMessage() for r in caplog.records), "the failure was logged"


async def test_a_restart_in_the_middle_resumes_where_it_left_off(
    start_colbot: Starter, double: TelegramDouble, mode: str
) -> None:
    colbot = await start_colbot(mode)
    ria = double.person("Ria")
    await ria.ask("/start")
    await ria.replies_to(ria.press("Yes, that's OK"))
    await ria.replies_to(ria.press("17"))
    await colbot.stop()
    await start_colbot(mode)
    replies = await ria.ask("Ria")
    assert "Whereabouts" in replies[-2].text
    replies = await ria.ask("/start")
    assert "Welcome back" in replies[0].text and "Whereabouts" in replies[-2].text


async def test_webhook_without_the_secret_is_refused_and_changes_nothing(
    start_colbot: Starter, double: TelegramDouble
) -> None:
    colbot = await start_colbot("webhook")
    assert double.webhook.url == colbot.settings.webhook_url
    assert double.webhook.secret_token == WEBHOOK_SECRET
    update = {
        "update_id": 999_001,
        "message": {
            "message_id": 1,
            "date": 1_780_000_000,
            "text": "/start",
            "entities": [{"type": "bot_command", "offset": 0, "length": 6}],
            "chat": {"id": 4242, "type": "private", "first_name": "Eve"},
            "from": {"id": 4242, "is_bot": False, "first_name": "Eve"},
        },
    }
    async with aiohttp.ClientSession() as client:
        for headers in ({}, {"X-Telegram-Bot-Api-Secret-Token": "wrong"}):
            async with client.post(
                colbot.settings.webhook_url, json=update, headers=headers
            ) as response:
                assert response.status == 403
        async with client.post(
            colbot.settings.webhook_url,
            data=b"not json",
            headers={"X-Telegram-Bot-Api-Secret-Token": WEBHOOK_SECRET},
        ) as response:
            assert response.status == 400
    async with colbot.database.transaction() as session:
        assert await session.scalar(select(func.count()).select_from(ConversationState)) == 0
    assert not [call for call in double.calls if call.chat == 4242]


async def test_a_crash_inside_the_engine_is_logged_with_the_update_id(
    colbot_on_telegram: Colbot, double: TelegramDouble, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.ERROR)

    async def broken(turn: object) -> None:
        raise RuntimeError("boom")

    routes = Router("broken")
    routes.command("broken", broken)
    colbot_on_telegram.engine.include(routes)
    ivy = double.person("Ivy")
    replies = await ivy.ask("/broken")
    assert "something went wrong on my side" in replies[0].text
    failures = [r for r in caplog.records if "failed to handle" in r.getMessage()]
    assert failures and "update " in failures[0].getMessage()
    replies = await ivy.ask("/help")
    assert "/explore" in replies[0].text


async def test_an_update_delivered_twice_is_handled_once_in_its_own_turn(
    start_colbot: Starter, double: TelegramDouble
) -> None:
    colbot = await start_colbot("webhook")
    fay = double.person("Fay")
    update = {
        "update_id": 999_002,
        "message": {
            "message_id": 1,
            "date": 1_780_000_000,
            "text": "/start",
            "entities": [{"type": "bot_command", "offset": 0, "length": 6}],
            "chat": {"id": fay.id, "type": "private", "first_name": "Fay"},
            "from": {"id": fay.id, "is_bot": False, "first_name": "Fay"},
        },
    }
    headers = {"X-Telegram-Bot-Api-Secret-Token": WEBHOOK_SECRET}
    seen: list[int] = []
    async with aiohttp.ClientSession() as client:
        for _ in range(2):
            async with client.post(
                colbot.settings.webhook_url, json=update, headers=headers
            ) as response:
                assert response.status == 200
            seen.append(len(fay.messages))
    assert seen[0] > 0, "the first delivery was answered"
    assert seen[1] == seen[0], "the second delivery sent nothing more"
    async with colbot.database.transaction() as session:
        assert await session.scalar(select(func.count()).select_from(TelegramUpdate)) == 1
        state = await session.get(ConversationState, ("telegram", str(fay.id)))
    assert state is not None and state.turn == 1, "the conversation moved on once"
