"""The Telegram double's own tests, driven by the real python-telegram-bot over HTTP."""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dtm
import io
from collections import Counter
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import aiohttp
import pytest
from aiohttp import web
from PIL import Image
from telegram import (
    Bot,
    BotCommand,
    BotCommandScopeChat,
    CallbackQuery,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    InputFile,
    KeyboardButton,
    MenuButtonCommands,
    ReplyKeyboardMarkup,
    ReplyKeyboardRemove,
    Update,
)
from telegram.error import (
    BadRequest,
    Conflict,
    EndPointNotFound,
    Forbidden,
    InvalidToken,
    NetworkError,
    RetryAfter,
    TimedOut,
)
from telegram.ext import (
    Application,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    MessageHandler,
    filters,
)
from telegram.warnings import PTBDeprecationWarning

from tests.doubles import telegram as double_module
from tests.doubles.telegram import SECRET_HEADER, TINY_PNG, TelegramDouble

# The fixture under test, made visible here by assignment: importing it by name and then
# naming it as a test parameter is what ruff calls a redefinition (F811).
telegram_double = double_module.telegram_double

Receiver = Callable[[web.Request], Awaitable[web.StreamResponse]]


@pytest.fixture
async def bot(telegram_double: TelegramDouble) -> AsyncIterator[Bot]:
    """A real, initialised PTB Bot that talks to the double."""
    async with Bot(
        telegram_double.token,
        base_url=telegram_double.base_url,
        base_file_url=telegram_double.base_file_url,
    ) as real_bot:
        yield real_bot


@contextlib.asynccontextmanager
async def serve(receive: Receiver) -> AsyncIterator[str]:
    """A throwaway HTTP endpoint on a free port, standing in for a bot's webhook route."""
    app = web.Application()
    app.router.add_post("/hook", receive)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    try:
        yield f"http://127.0.0.1:{runner.addresses[0][1]}/hook"
    finally:
        await runner.cleanup()


def keyboard(*buttons: tuple[str, str]) -> InlineKeyboardMarkup:
    """One row of callback buttons."""
    return InlineKeyboardMarkup([[InlineKeyboardButton(t, callback_data=d) for t, d in buttons]])


# ---- plain Bot methods -------------------------------------------------------------------


async def test_get_me_describes_the_bot(telegram_double: TelegramDouble, bot: Bot) -> None:
    me = await bot.get_me()

    assert me.id == telegram_double.bot_id
    assert me.is_bot
    assert me.username == "colbot_test_bot"
    assert me.can_join_groups is True
    assert me.can_read_all_group_messages is False
    assert [call.method for call in telegram_double.calls] == ["getMe", "getMe"]


async def test_send_message_returns_a_realistic_message(
    telegram_double: TelegramDouble, bot: Bot
) -> None:
    sam = telegram_double.person("Sam")
    markup = InlineKeyboardMarkup(
        [
            [InlineKeyboardButton("Yes", callback_data="yes")],
            [InlineKeyboardButton("Read more", url="https://example.org/more")],
        ]
    )

    message = await bot.send_message(sam.id, "Shall we?", reply_markup=markup)

    assert message.message_id == 1
    assert message.chat.id == sam.id
    assert message.chat.type == "private"
    assert message.from_user is not None
    assert message.from_user.id == bot.id
    assert message.text == "Shall we?"
    assert message.reply_markup == markup
    assert abs(message.date.timestamp() - telegram_double.now()) <= 2
    assert sam.last.text == "Shall we?"
    assert sam.last.buttons == [[("Yes", "yes")], [("Read more", "https://example.org/more")]]
    call = telegram_double.calls_to("sendMessage")[0]
    assert call.params["chat_id"] == sam.id
    assert call.chat is sam.chat
    assert call.status == 200


async def test_parse_mode_is_rendered_to_what_a_reader_sees(
    telegram_double: TelegramDouble, bot: Bot
) -> None:
    sam = telegram_double.person()

    html = await bot.send_message(sam.id, "<b>Hi</b> &amp; <i>bye</i>", parse_mode="HTML")
    markdown = await bot.send_message(sam.id, r"*Bold* and a \. dot", parse_mode="MarkdownV2")

    assert html.text == "Hi & bye"
    assert markdown.text == "Bold and a . dot"
    assert sam.messages[0].source == "<b>Hi</b> &amp; <i>bye</i>"
    assert sam.messages[0].parse_mode == "HTML"


async def test_a_reply_quotes_the_message_it_answers(
    telegram_double: TelegramDouble, bot: Bot
) -> None:
    sam = telegram_double.person()
    question = await sam.send("Where?")

    answer = await bot.send_message(sam.id, "Here.", reply_to_message_id=question["message_id"])

    assert answer.reply_to_message is not None
    assert answer.reply_to_message.text == "Where?"
    assert answer.message_id == question["message_id"] + 1
    assert sam.last.reply_to_message_id == question["message_id"]


@pytest.mark.parametrize(
    ("text", "markup", "error"),
    [
        ("x" * 4097, None, "Message is too long"),
        ("   ", None, "Message text is empty"),
        ("ok", keyboard(("Long", "d" * 65)), "Button_data_invalid"),
        ("ok", InlineKeyboardMarkup([[InlineKeyboardButton("Bare")]]), "Text buttons are"),
    ],
)
async def test_invalid_messages_are_refused_like_telegram(
    telegram_double: TelegramDouble,
    bot: Bot,
    text: str,
    markup: InlineKeyboardMarkup | None,
    error: str,
) -> None:
    sam = telegram_double.person()

    with pytest.raises(BadRequest, match=error):
        await bot.send_message(sam.id, text, reply_markup=markup)

    assert sam.messages == []
    assert telegram_double.calls_to("sendMessage")[0].status == 400


async def test_longest_text_and_callback_data_are_accepted(
    telegram_double: TelegramDouble, bot: Bot
) -> None:
    sam = telegram_double.person()

    await bot.send_message(sam.id, "é" * 4096, reply_markup=keyboard(("Max", "d" * 64)))

    assert len(sam.last.text or "") == 4096


async def test_unknown_chat_is_not_found(bot: Bot) -> None:
    with pytest.raises(BadRequest, match="Chat not found"):
        await bot.send_message(424242, "anyone?")


async def test_edits_and_deletes_are_applied_to_the_record(
    telegram_double: TelegramDouble, bot: Bot
) -> None:
    sam = telegram_double.person()
    sent = await bot.send_message(sam.id, "Pick one", reply_markup=keyboard(("A", "a")))

    edited = await bot.edit_message_text(
        "Picked A", chat_id=sam.id, message_id=sent.message_id, reply_markup=keyboard(("B", "b"))
    )
    with pytest.raises(BadRequest, match="not modified"):
        await bot.edit_message_text(
            "Picked A",
            chat_id=sam.id,
            message_id=sent.message_id,
            reply_markup=keyboard(("B", "b")),
        )
    await bot.edit_message_reply_markup(chat_id=sam.id, message_id=sent.message_id)

    assert not isinstance(edited, bool)
    assert edited.text == "Picked A"
    assert edited.edit_date is not None
    record = sam.last
    assert record.text == "Picked A"
    assert record.buttons == []
    assert [edit.method for edit in record.edits] == ["editMessageText", "editMessageReplyMarkup"]

    assert await bot.delete_message(sam.id, sent.message_id)
    assert record.deleted
    with pytest.raises(BadRequest, match="Message to delete not found"):
        await bot.delete_message(sam.id, sent.message_id)
    with pytest.raises(BadRequest, match="Message to edit not found"):
        await bot.edit_message_text("again", chat_id=sam.id, message_id=sent.message_id)


async def test_editing_text_without_markup_drops_the_inline_keyboard(
    telegram_double: TelegramDouble, bot: Bot
) -> None:
    sam = telegram_double.person()
    sent = await bot.send_message(sam.id, "Pick", reply_markup=keyboard(("A", "a")))

    await bot.edit_message_text("Done", chat_id=sam.id, message_id=sent.message_id)

    assert sam.last.buttons == []


async def test_location_chat_action_and_reply_keyboards(
    telegram_double: TelegramDouble, bot: Bot
) -> None:
    sam = telegram_double.person()
    ask = ReplyKeyboardMarkup([[KeyboardButton("Share where I am", request_location=True)]])

    await bot.send_chat_action(sam.id, "typing")
    place = await bot.send_location(sam.id, latitude=51.5072, longitude=-0.1276)
    await bot.send_message(sam.id, "Where are you?", reply_markup=ask)
    shown = sam.keyboard
    await bot.send_message(sam.id, "Thanks", reply_markup=ReplyKeyboardRemove())

    assert place.location is not None
    assert place.location.latitude == pytest.approx(51.5072)
    assert sam.messages[0].location == (51.5072, -0.1276)
    assert sam.actions == ["typing"]
    assert shown == [["Share where I am"]]
    assert sam.keyboard is None
    with pytest.raises(BadRequest, match="Wrong parameter action"):
        await bot.send_chat_action(sam.id, "dancing")


async def test_commands_are_kept_per_scope(telegram_double: TelegramDouble, bot: Bot) -> None:
    sam = telegram_double.person()
    everyone = [BotCommand("start", "Begin"), BotCommand("help", "What I can do")]
    just_sam = [BotCommand("journey", "Your journey")]

    await bot.set_my_commands(everyone)
    await bot.set_my_commands(just_sam, scope=BotCommandScopeChat(sam.id))

    assert await bot.get_my_commands() == tuple(everyone)
    assert await bot.get_my_commands(scope=BotCommandScopeChat(sam.id)) == tuple(just_sam)
    assert telegram_double.commands() == [("start", "Begin"), ("help", "What I can do")]
    assert telegram_double.commands(sam.id) == [("journey", "Your journey")]

    await bot.delete_my_commands(scope=BotCommandScopeChat(sam.id))

    assert telegram_double.commands(sam.id) == []
    assert await bot.get_my_commands(scope=BotCommandScopeChat(sam.id)) == ()
    with pytest.raises(BadRequest, match="Bot_command_invalid"):
        await bot.set_my_commands([BotCommand("Start!", "Shouting")])


async def test_menu_button_log_out_and_close(telegram_double: TelegramDouble, bot: Bot) -> None:
    sam = telegram_double.person()

    assert await bot.set_chat_menu_button(sam.id, MenuButtonCommands())
    assert await bot.get_chat_menu_button(sam.id) == MenuButtonCommands()
    assert telegram_double.menu_button(sam.id) == {"type": "commands"}
    assert await bot.log_out()
    assert await bot.close()
    assert telegram_double.logged_out
    assert telegram_double.closed


async def test_multipart_uploads_arrive_byte_for_byte(
    telegram_double: TelegramDouble, bot: Bot
) -> None:
    sam = telegram_double.person()
    payload = bytes(range(256)) * 40

    photo = await bot.send_photo(
        sam.id, TINY_PNG, caption="A picture", reply_markup=keyboard(("Like", "like"))
    )
    document = await bot.send_document(
        sam.id, InputFile(payload, filename="badge.bin"), caption="Your badge 🎉"
    )
    again = await bot.send_photo(sam.id, photo.photo[-1].file_id)

    assert photo.caption == "A picture"
    assert (photo.photo[-1].width, photo.photo[-1].height) == (1, 1)
    assert sam.messages[0].photo == TINY_PNG
    assert document.document is not None
    assert document.document.file_name == "badge.bin"
    assert sam.messages[1].document == payload
    assert sam.messages[1].filename == "badge.bin"
    assert sam.messages[1].body == "Your badge 🎉"
    assert sam.messages[2].photo == TINY_PNG
    assert again.photo[-1].file_id == photo.photo[-1].file_id
    assert telegram_double.calls_to("sendDocument")[0].files["document"].content == payload


async def test_a_documents_thumbnail_is_kept_with_its_jpeg_size(
    telegram_double: TelegramDouble, bot: Bot
) -> None:
    sam = telegram_double.person()
    preview = io.BytesIO()
    Image.new("RGB", (200, 120), "white").save(preview, "JPEG")

    sent = await bot.send_document(
        sam.id,
        InputFile(TINY_PNG, filename="badge.png"),
        thumbnail=InputFile(preview.getvalue(), filename="preview.jpg"),
    )

    assert sent.document is not None and sent.document.thumbnail is not None
    assert (sent.document.thumbnail.width, sent.document.thumbnail.height) == (200, 120)
    assert sam.messages[0].document == TINY_PNG
    assert sam.messages[0].thumbnail == preview.getvalue()


async def test_attach_references_json_bodies_and_get_requests(
    telegram_double: TelegramDouble,
) -> None:
    sam = telegram_double.person()
    api = f"{telegram_double.base_url}{telegram_double.token}"
    form = aiohttp.FormData()
    form.add_field("chat_id", str(sam.id))
    form.add_field("photo", "attach://picture")
    form.add_field("picture", TINY_PNG, filename="p.png", content_type="image/png")

    async with aiohttp.ClientSession() as http:
        async with http.post(f"{api}/sendPhoto", data=form) as response:
            attached = await response.json()
        body = {"chat_id": sam.id, "text": "json", "reply_markup": keyboard(("J", "j")).to_dict()}
        async with http.post(f"{api}/sendMessage", json=body) as response:
            as_json = await response.json()
        async with http.get(f"{api}/sendMessage", params={"chat_id": sam.id, "text": "q"}) as r:
            as_query = await r.json()

    assert attached["ok"] is True
    assert sam.messages[0].photo == TINY_PNG
    assert as_json["result"]["reply_markup"] == {
        "inline_keyboard": [[{"text": "J", "callback_data": "j"}]]
    }
    assert sam.messages[1].buttons == [[("J", "j")]]
    assert as_query["result"]["text"] == "q"


async def test_wrong_token_and_unknown_method(telegram_double: TelegramDouble, bot: Bot) -> None:
    with pytest.raises(InvalidToken):
        async with Bot("1234:not-the-token", base_url=telegram_double.base_url):
            pass  # entering calls getMe, which the double refuses
    with pytest.raises(EndPointNotFound):
        await bot.do_api_request("noSuchMethod")

    async with aiohttp.ClientSession() as http:
        async with http.post(f"{telegram_double.base_url}1234:wrong/getMe") as response:
            unauthorized = (response.status, await response.json())
        api = f"{telegram_double.base_url}{telegram_double.token}"
        async with http.post(f"{api}/noSuchMethod") as response:
            missing = (response.status, await response.json())

    assert unauthorized == (401, {"ok": False, "error_code": 401, "description": "Unauthorized"})
    assert missing == (404, {"ok": False, "error_code": 404, "description": "Not Found"})


# ---- people and updates --------------------------------------------------------------------


async def test_long_polling_honours_timeout_offset_and_limit(
    telegram_double: TelegramDouble, bot: Bot
) -> None:
    sam = telegram_double.person()
    assert await bot.get_updates(timeout=0) == ()

    waiting = asyncio.create_task(bot.get_updates(timeout=3))
    await asyncio.sleep(0.05)
    started = asyncio.get_running_loop().time()
    await sam.send("first")
    first = await waiting
    assert asyncio.get_running_loop().time() - started < 1
    await sam.send("second")
    await sam.send("third")

    assert [u.message.text for u in first if u.message] == ["first"]
    unconfirmed = await bot.get_updates()
    assert [u.message.text for u in unconfirmed if u.message] == ["first", "second", "third"]
    one = await bot.get_updates(offset=first[0].update_id + 1, limit=1)
    assert [u.message.text for u in one if u.message] == ["second"]
    last = await bot.get_updates(offset=-1)
    assert [u.message.text for u in last if u.message] == ["third"]
    assert [u["update_id"] for u in telegram_double.pending_updates] == [last[0].update_id]


async def test_a_second_poller_ends_the_first_with_conflict(
    telegram_double: TelegramDouble, bot: Bot
) -> None:
    # PTB keeps one connection for getUpdates, so a second instance makes the second poll.
    first = asyncio.create_task(bot.get_updates(timeout=3))
    await asyncio.sleep(0.05)

    async with Bot(telegram_double.token, base_url=telegram_double.base_url) as twin:
        assert await twin.get_updates(timeout=0) == ()
    with pytest.raises(Conflict, match="terminated by other getUpdates"):
        await first


async def test_allowed_updates_filters_new_updates(
    telegram_double: TelegramDouble, bot: Bot
) -> None:
    sam = telegram_double.person()
    sent = await bot.send_message(sam.id, "Tap", reply_markup=keyboard(("Tap", "tap")))
    await bot.get_updates(allowed_updates=["callback_query"])

    await sam.send("ignored")
    await sam.press("Tap")

    updates = await bot.get_updates()
    assert [u.callback_query.data for u in updates if u.callback_query] == ["tap"]
    assert len(updates) == 1
    assert telegram_double.dropped_updates[0]["message"]["text"] == "ignored"
    callback = updates[0].callback_query
    assert isinstance(callback, CallbackQuery)
    assert callback.message is not None
    assert callback.message.message_id == sent.message_id


async def test_commands_get_a_bot_command_entity(telegram_double: TelegramDouble, bot: Bot) -> None:
    sam = telegram_double.person()

    await sam.send("/start@colbot_test_bot code-42")
    await sam.send("/start")
    await sam.send("not /a command")

    updates = await bot.get_updates()
    entities = [u.message.entities for u in updates if u.message]
    assert [(e.type, e.offset, e.length) for e in entities[0]] == [("bot_command", 0, 22)]
    assert [(e.type, e.offset, e.length) for e in entities[1]] == [("bot_command", 0, 6)]
    assert entities[2] == ()


async def test_people_send_every_kind_of_message(telegram_double: TelegramDouble, bot: Bot) -> None:
    sam = telegram_double.person("Sam", username="sam_k", language_code="cy")
    club = telegram_double.group("Coding club")
    news = telegram_double.channel("City news", username="citynews")

    await sam.share_location(51.48, -3.18)
    await sam.send_sticker()
    await sam.send_photo(caption="my drawing")
    await sam.send_voice()
    await sam.send_document(b"%PDF-1.4 tiny", "cv.pdf")
    await sam.send_contact()
    said = await sam.send("helo")
    await sam.edit_message(said, "hello")
    await sam.send_raw(dice={"emoji": "🎲", "value": 4})
    await sam.send("/start", chat=club)
    await news.post("Open day on Saturday")
    await club.add_bot(by=sam)
    await telegram_double.push_update(
        {"inline_query": {"id": "iq1", "from": sam.user, "query": "coding", "offset": ""}}
    )

    updates = await bot.get_updates()
    message = [u.message for u in updates]
    assert message[0] and message[0].location and message[0].location.longitude == -3.18
    assert message[1] and message[1].sticker and message[1].sticker.emoji == "👍"
    assert message[2] and message[2].photo and message[2].caption == "my drawing"
    assert message[3] and message[3].voice and message[3].voice.mime_type == "audio/ogg"
    assert message[4] and message[4].document and message[4].document.file_name == "cv.pdf"
    assert message[5] and message[5].contact and message[5].contact.user_id == sam.id
    assert message[6] and message[6].from_user and message[6].from_user.language_code == "cy"
    assert updates[7].edited_message and updates[7].edited_message.text == "hello"
    assert message[8] and message[8].dice and message[8].dice.value == 4
    assert message[9] and message[9].chat.type == "supergroup"
    assert message[9].chat.title == "Coding club"
    assert updates[10].channel_post and updates[10].channel_post.chat.username == "citynews"
    assert updates[11].my_chat_member
    assert updates[11].my_chat_member.new_chat_member.status == "member"
    assert updates[12].inline_query and updates[12].inline_query.query == "coding"
    ids = [u.update_id for u in updates]
    assert ids == sorted(ids) and len(set(ids)) == len(ids)

    assert message[2].photo
    photo = await message[2].photo[-1].get_file()
    assert await photo.download_as_bytearray() == bytearray(TINY_PNG)


async def test_presses_reach_old_messages_and_answers_are_recorded(
    telegram_double: TelegramDouble, bot: Bot
) -> None:
    sam = telegram_double.person()
    older = await bot.send_message(sam.id, "Older", reply_markup=keyboard(("Go", "go:1")))
    await bot.send_message(sam.id, "Newer", reply_markup=keyboard(("Go", "go:2")))
    await bot.send_message(
        sam.id,
        "Link",
        reply_markup=InlineKeyboardMarkup(
            [[InlineKeyboardButton("Site", url="https://example.org")]]
        ),
    )

    latest = await sam.press("Go")
    stale = await sam.press("go:1", message=sam.messages[0])
    forged = await sam.press_raw("admin:delete-all")

    assert (latest["data"], latest["message"]["text"]) == ("go:2", "Newer")
    assert (stale["data"], stale["message"]["message_id"]) == ("go:1", older.message_id)
    assert forged["message"]["text"] == "Link"
    with pytest.raises(AssertionError, match="url button"):
        await sam.press("Site")
    with pytest.raises(AssertionError, match="no bot message"):
        await sam.press("Nope")

    assert await bot.answer_callback_query(stale["id"], text="Going!")
    with pytest.raises(BadRequest, match="Query is too old"):
        await bot.answer_callback_query(stale["id"])
    assert [(a.data, a.text) for a in sam.callback_answers] == [("go:1", "Going!")]
    assert sam.unanswered_callbacks == [latest["id"], forged["id"]]


# ---- faults ----------------------------------------------------------------------------------


async def test_injected_429_is_a_retry_after(
    telegram_double: TelegramDouble, bot: Bot, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PTB_TIMEDELTA", "true")
    sam = telegram_double.person()
    telegram_double.fail_next("sendMessage", 429, retry_after=3)

    with pytest.raises(RetryAfter) as caught:
        await bot.send_message(sam.id, "too fast")
    await bot.send_message(sam.id, "later")

    assert caught.value.retry_after == dtm.timedelta(seconds=3)
    assert [call.status for call in telegram_double.calls_to("sendMessage")] == [429, 200]
    assert [m.text for m in sam.messages] == ["later"]


async def test_ptb_raises_a_deprecation_warning_for_429_unless_opted_in(
    telegram_double: TelegramDouble, bot: Bot, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Under filterwarnings=error a 429 would surface as PTBDeprecationWarning, not RetryAfter."""
    monkeypatch.delenv("PTB_TIMEDELTA", raising=False)
    sam = telegram_double.person()
    telegram_double.fail_next("sendMessage", 429, retry_after=1)

    with pytest.warns(PTBDeprecationWarning), pytest.raises(RetryAfter):
        await bot.send_message(sam.id, "too fast")


async def test_server_errors_and_their_count(telegram_double: TelegramDouble, bot: Bot) -> None:
    sam = telegram_double.person()
    telegram_double.fail_next("sendMessage", 502, times=2)
    telegram_double.fail_next("*", 500, "Internal Server Error: restart")

    with pytest.raises(NetworkError, match="Bad Gateway"):
        await bot.send_message(sam.id, "one")
    with pytest.raises(NetworkError, match="Bad Gateway"):
        await bot.send_message(sam.id, "two")
    with pytest.raises(NetworkError, match="restart"):
        await bot.send_chat_action(sam.id, "typing")
    await bot.send_message(sam.id, "three")

    assert [m.text for m in sam.messages] == ["three"]


async def test_slow_responses_can_time_out_yet_still_be_delivered(
    telegram_double: TelegramDouble, bot: Bot
) -> None:
    sam = telegram_double.person()
    telegram_double.delay("sendMessage", 0.3, times=1)

    with pytest.raises(TimedOut):
        await bot.send_message(sam.id, "slow", read_timeout=0.1)
    delivered = await sam.wait_for_messages(1, timeout=2)
    started = asyncio.get_running_loop().time()
    await bot.send_message(sam.id, "fast")

    assert delivered[0].text == "slow"
    assert asyncio.get_running_loop().time() - started < 0.2


async def test_a_blocked_person_is_forbidden(telegram_double: TelegramDouble, bot: Bot) -> None:
    sam = telegram_double.person()
    telegram_double.block(sam, notify=True)

    with pytest.raises(Forbidden, match="bot was blocked by the user"):
        await bot.send_message(sam.id, "hello?")
    with pytest.raises(Forbidden):
        await bot.send_chat_action(sam.id, "typing")
    telegram_double.unblock(sam)
    await bot.send_message(sam.id, "welcome back")

    assert [m.text for m in sam.messages] == ["welcome back"]
    updates = await bot.get_updates()
    change = updates[0].my_chat_member
    assert change is not None and change.new_chat_member.status == "kicked"


# ---- a real Application ----------------------------------------------------------------------


async def start_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Greets with a button, as a bot's /start would."""
    assert update.message is not None
    await update.message.reply_text("Welcome!", reply_markup=keyboard(("Go", "go:welcome")))


async def echo(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Says the text back with a button carrying it."""
    assert update.message is not None and update.message.text is not None
    text = update.message.text
    await update.message.reply_text(f"echo: {text}", reply_markup=keyboard(("Again", f"a:{text}")))


async def on_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Answers the press and rewrites the message it was on."""
    query = update.callback_query
    assert query is not None
    await query.answer(f"got {query.data}")
    await query.edit_message_text(f"pressed {query.data}")


def echo_bot(double: TelegramDouble, *, polling: bool) -> Application[Any, Any, Any, Any, Any, Any]:
    """A small real Application pointed at the double."""
    builder = Application.builder().token(double.token).base_url(double.base_url)
    if not polling:
        builder = builder.updater(None)
    app = builder.build()
    app.add_handler(CommandHandler("start", start_command))
    app.add_handler(MessageHandler(filters.TEXT & ~filters.COMMAND, echo))
    app.add_handler(CallbackQueryHandler(on_button))
    return app


async def test_polling_application_chats_with_a_person(telegram_double: TelegramDouble) -> None:
    sam = telegram_double.person("Sam")
    app = echo_bot(telegram_double, polling=True)
    async with app:
        assert app.updater is not None
        await app.updater.start_polling(poll_interval=0, timeout=1)
        await app.start()
        try:
            welcome = await sam.replies_to(sam.send("/start"), quiet=0.1)
            assert [m.text for m in welcome] == ["Welcome!"]
            echoed = await sam.replies_to(sam.send("hello"), quiet=0.1)
            new = await sam.replies_to(sam.press("Go", message=welcome[0]), min_messages=0)
        finally:
            await app.updater.stop()
            await app.stop()

    assert [m.text for m in echoed] == ["echo: hello"]
    assert echoed[0].buttons == [[("Again", "a:hello")]]
    assert new == []  # the press edited the older message instead of sending one
    assert welcome[0].text == "pressed go:welcome"
    assert [edit.body for edit in welcome[0].edits] == ["pressed go:welcome"]
    assert [a.text for a in sam.callback_answers] == ["got go:welcome"]
    assert telegram_double.pending_updates == []  # PTB confirmed every update on the way out
    assert "deleteWebhook" in [call.method for call in telegram_double.calls]


async def test_replies_to_waits_for_the_bot_to_finish_when_it_can_see_inside(
    telegram_double: TelegramDouble,
) -> None:
    """A pause longer than the quiet period mid-answer does not split the answer in two."""
    sam = telegram_double.person("Sam")
    finished: Counter[int] = Counter()

    async def slow_two_part_answer(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        assert update.message is not None
        await update.message.reply_text("first part")
        await asyncio.sleep(telegram_double.quiet_period * 3)
        await update.message.reply_text("second part")
        finished[update.message.chat_id] += 1

    bot_app = (
        Application.builder()
        .token(telegram_double.token)
        .base_url(telegram_double.base_url)
        .build()
    )
    bot_app.add_handler(MessageHandler(filters.TEXT, slow_two_part_answer))
    async with bot_app:
        assert bot_app.updater is not None
        await bot_app.updater.start_polling(poll_interval=0, timeout=1)
        await bot_app.start()
        try:
            split = await sam.replies_to(sam.send("hi"))
            await sam.wait_for_messages(1)
            while not finished[sam.chat.id]:  # the first answer's last step, after its send
                await asyncio.sleep(0.01)
            telegram_double.handled_in = finished.__getitem__
            whole = await sam.replies_to(sam.send("hi again"))
        finally:
            await bot_app.updater.stop()
            await bot_app.stop()

    assert [m.text for m in split] == ["first part"]  # quiet alone cut it short
    assert [m.text for m in whole] == ["first part", "second part"]


async def test_webhook_application_receives_posts_with_the_secret(
    telegram_double: TelegramDouble,
) -> None:
    app = echo_bot(telegram_double, polling=False)
    secrets: list[str | None] = []

    async def receive(request: web.Request) -> web.Response:
        secrets.append(request.headers.get(SECRET_HEADER))
        if request.headers.get(SECRET_HEADER) != "s3cret_token":
            return web.Response(status=403)
        update = Update.de_json(await request.json(), app.bot)
        await app.update_queue.put(update)
        return web.Response(text="ok")

    sam = telegram_double.person()
    async with serve(receive) as url, app:
        await app.start()
        try:
            await app.bot.set_webhook(url, secret_token="s3cret_token")
            replies = await sam.ask("ping")
            await sam.replies_to(sam.press("Again"), min_messages=0)
            info = await app.bot.get_webhook_info()
        finally:
            await app.stop()

    assert [m.text for m in replies] == ["pressed a:ping"]
    assert secrets == ["s3cret_token", "s3cret_token"]
    assert [d.status for d in telegram_double.webhook_deliveries] == [200, 200]
    assert info.url == url
    assert info.pending_update_count == 0


async def test_webhook_deliveries_are_retried_then_given_up(
    telegram_double: TelegramDouble, bot: Bot
) -> None:
    telegram_double.webhook_attempts = 3
    statuses = iter([500, 200, 502, 502, 502])
    received: list[int] = []

    async def receive(request: web.Request) -> web.Response:
        received.append((await request.json())["update_id"])
        return web.Response(status=next(statuses))

    sam = telegram_double.person()
    async with serve(receive) as url:
        assert await bot.set_webhook(url)
        with pytest.raises(Conflict, match="webhook is active"):
            await bot.get_updates()
        first = await sam.send("one")
        second = await sam.send("two")
        await telegram_double.wait_delivered()
        info = await bot.get_webhook_info()

    assert first and second
    ids = [u["update_id"] for u in telegram_double.updates]
    assert received == [ids[0], ids[0], ids[1], ids[1], ids[1]]
    assert [(d.attempt, d.status) for d in telegram_double.webhook_deliveries] == [
        (1, 500),
        (2, 200),
        (1, 502),
        (2, 502),
        (3, 502),
    ]
    assert telegram_double.undelivered_updates == [telegram_double.updates[1]]
    assert info.last_error_message == "Wrong response from the webhook: 502 Bad Gateway"
    assert await bot.delete_webhook()
    assert await bot.get_updates() == ()


async def test_waiting_helpers(telegram_double: TelegramDouble, bot: Bot) -> None:
    sam = telegram_double.person()

    async def two_messages() -> None:
        await bot.send_message(sam.id, "one")
        await bot.send_message(sam.id, "two")

    nothing = await sam.replies_to(asyncio.sleep(0), min_messages=0, quiet=0.05)
    both = await sam.replies_to(two_messages, quiet=0.05)
    later = asyncio.create_task(sam.wait_for_messages(1, timeout=2))
    await bot.send_message(sam.id, "three")

    assert nothing == []
    assert [m.text for m in both] == ["one", "two"]
    assert [m.text for m in await later] == ["three"]
    with pytest.raises(AssertionError, match="expected 1 new message"):
        await sam.wait_for_messages(1, timeout=0.05)
    with pytest.raises(AssertionError, match="expected at least 1 message"):
        await sam.replies_to(asyncio.sleep(0), timeout=0.05)


async def test_the_double_is_an_async_context_manager() -> None:
    async with (
        TelegramDouble(token="42:other-token", username="other_bot") as double,
        Bot(double.token, base_url=double.base_url) as other,
    ):
        assert other.username == "other_bot"
        assert other.id == 42
    with pytest.raises(RuntimeError):
        _ = double.base_url
