"""The Telegram adapter: python-telegram-bot updates in, the engine's replies out."""

from __future__ import annotations

import hmac
import io
import json
import logging
import os
import time
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any

from aiohttp import web
from PIL import Image
from sqlalchemy.ext.asyncio import AsyncSession
from telegram import (
    BotCommand,
    BotCommandScopeChat,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    InputFile,
    KeyboardButton,
    Message,
    ReplyKeyboardMarkup,
    ReplyKeyboardRemove,
    Update,
)
from telegram.constants import ChatType, MessageLimit
from telegram.error import BadRequest, Forbidden, RetryAfter, TelegramError
from telegram.ext import AIORateLimiter, Application, ContextTypes, TypeHandler

from colbot import metrics
from colbot.channels.telegram_requests import AiohttpRequest
from colbot.chat.engine import Engine
from colbot.chat.identity import BotIdentity
from colbot.chat.messages import Attachment, Inbound, InboundKind, Outbound
from colbot.delivery import outbox
from colbot.delivery import update_ids as updates
from colbot.settings import Settings

log = logging.getLogger(__name__)


# Opts in to PTB's timedelta retry_after now, so a 429 is a RetryAfter, not a deprecation warning.
os.environ.setdefault("PTB_TIMEDELTA", "true")

CHANNEL = "telegram"
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"  # noqa: S105 (a header name)
CAPTION_LIMIT = MessageLimit.CAPTION_LENGTH
TEXT_LIMIT = MessageLimit.MAX_TEXT_LENGTH
MAX_CONCURRENT_UPDATES = 256
THUMBNAIL_SIDE_PX = 320  # the Bot API's limit for a document's thumbnail, a JPEG under 200 kB
THUMBNAIL_QUALITY = 85
THUMBNAIL_FILENAME = "preview.jpg"
POLL_TIMEOUT_S = 10
MESSAGE_KINDS = (
    "sticker",
    "photo",
    "video",
    "voice",
    "audio",
    "document",
    "contact",
    "poll",
    "animation",
    "video_note",
    "dice",
    "game",
    "venue",
    "story",
)


def _message_kind(message: Message) -> str:
    """Names what a non-text message carries, for a kind reply."""
    for kind in MESSAGE_KINDS:
        if getattr(message, kind, None):
            return kind
    return "unknown"


def to_inbound(message: Message) -> Inbound:
    """Translates a private Telegram message into a neutral event."""
    chat_id = str(message.chat_id)
    user = message.from_user
    common: dict[str, Any] = {
        "channel": CHANNEL,
        "chat_id": chat_id,
        "first_name": user.first_name if user else "",
        "language": (user.language_code or "") if user else "",
    }
    if message.location and not message.venue:
        return Inbound(
            kind=InboundKind.LOCATION,
            latitude=message.location.latitude,
            longitude=message.location.longitude,
            **common,
        )
    text = message.text
    if text is None:
        return Inbound(kind=InboundKind.OTHER, other=_message_kind(message), **common)
    entities = message.entities or ()
    if entities and entities[0].type == "bot_command" and entities[0].offset == 0:
        word = text[: entities[0].length]
        command = word[1:].split("@", 1)[0].lower()
        args = tuple(text[entities[0].length :].split())
        return Inbound(kind=InboundKind.COMMAND, text=text, command=command, args=args, **common)
    return Inbound(kind=InboundKind.TEXT, text=text, **common)


def _markup(outbound: Outbound) -> InlineKeyboardMarkup | ReplyKeyboardRemove | None:
    if outbound.buttons:
        return InlineKeyboardMarkup(
            [
                [
                    InlineKeyboardButton(b.label, url=b.url)
                    if b.url
                    else InlineKeyboardButton(b.label, callback_data=b.data)
                    for b in row
                ]
                for row in outbound.buttons
            ]
        )
    if outbound.remove_keyboard:
        return ReplyKeyboardRemove()
    return None


def _thumbnail(picture: bytes) -> bytes:
    """A JPEG preview of a picture sent as a file, so the chat shows the picture itself."""
    with Image.open(io.BytesIO(picture)) as opened:
        image = opened.convert("RGBA")
    image.thumbnail((THUMBNAIL_SIDE_PX, THUMBNAIL_SIDE_PX))
    flat = Image.new("RGB", image.size, "white")
    flat.paste(image, mask=image.getchannel("A"))
    out = io.BytesIO()
    flat.save(out, "JPEG", quality=THUMBNAIL_QUALITY)
    return out.getvalue()


def _rate_limiter(settings: Settings) -> AIORateLimiter:
    """PTB's limiter retries 429s; with COLBOT_SEND_RATE=0 its overall cap is lifted too."""
    if settings.send_rate == 0:
        return AIORateLimiter(overall_max_rate=0, max_retries=3)
    return AIORateLimiter(max_retries=3)


def _seconds(wait: object) -> float:
    """A retry_after as seconds, whether PTB gives a timedelta or a number."""
    return wait.total_seconds() if isinstance(wait, timedelta) else float(str(wait))


def _chunks(text: str, limit: int = TEXT_LIMIT) -> list[str]:
    """Splits a long text at line breaks so that every part fits in one Telegram message."""
    parts: list[str] = []
    while len(text) > limit:
        cut = text.rfind("\n", 0, limit)
        cut = cut if cut > 0 else limit
        parts.append(text[:cut])
        text = text[cut:].lstrip("\n")
    parts.append(text)
    return parts


def _reaches_engine(update: Update) -> bool:
    """Whether the engine handles this update (a private message or button press)."""
    if update.callback_query is not None:
        message = update.callback_query.message
        return isinstance(message, Message) and message.chat.type == ChatType.PRIVATE
    return update.message is not None and update.message.chat.type == ChatType.PRIVATE


@dataclass
class UpdateOnce:
    """An update's id, taken in its turn's own transaction: a crash loses both or neither, and
    the turn costs one transaction instead of two."""

    update_id: int
    now: datetime
    duplicate: bool = False

    async def seen_before(self, session: AsyncSession, hold: tuple[str, ...]) -> bool:
        """Takes the update id; a duplicate (this or another process took it) is not handled."""
        self.duplicate = not await updates.take_in(session, self.update_id, self.now, hold)
        if self.duplicate:
            metrics.DUPLICATE_UPDATES.inc()
        return self.duplicate

    async def keep(self, session: AsyncSession, replies: list[Outbound]) -> None:
        """Nothing to keep: the replies are sent straight after the commit."""


class TelegramChannel:
    """Runs a python-telegram-bot Application by long polling or by webhook, in colbot's loop."""

    def __init__(
        self, settings: Settings, engine: Engine, identity: BotIdentity | None = None
    ) -> None:
        if not settings.telegram_token:
            raise ValueError("the Telegram channel needs COLBOT_TELEGRAM_TOKEN")
        self.settings = settings
        self.engine = engine
        self.identity = identity
        builder = (
            Application.builder()
            .token(settings.telegram_token)
            .base_url(settings.telegram_api_url)
            .rate_limiter(_rate_limiter(settings))
            .concurrent_updates(MAX_CONCURRENT_UPDATES)
            .request(AiohttpRequest())
            .get_updates_request(AiohttpRequest(pool_size=1))
        )
        if settings.uses_webhook:
            builder = builder.updater(None)
        self.application = builder.build()
        self.application.add_handler(TypeHandler(Update, self._on_update))
        self.application.add_error_handler(self._on_error)

    @property
    def bot_username(self) -> str:
        """The bot's @username, known once started."""
        return self.application.bot.username

    async def start(self) -> None:
        """Connects to the Bot API, publishes the command menu, and starts receiving updates."""
        await self.application.initialize()
        bot = self.application.bot
        if self.identity is not None:
            self.identity.known = bot.username
        await bot.set_my_commands([BotCommand(name, text) for name, text in self.engine.menu()])
        if self.settings.uses_webhook:
            await bot.set_webhook(
                url=self.settings.webhook_url,
                secret_token=self.settings.webhook_secret,
                allowed_updates=Update.ALL_TYPES,
            )
        else:
            await bot.delete_webhook()
            assert self.application.updater is not None
            await self.application.updater.start_polling(
                poll_interval=0, timeout=POLL_TIMEOUT_S, allowed_updates=Update.ALL_TYPES
            )
        await self.application.start()
        log.info(
            "Telegram channel started as @%s (%s)",
            self.bot_username,
            "webhook" if self.settings.uses_webhook else "long polling",
        )

    async def stop(self) -> None:
        """Stops fetching, finishes the updates in hand, then disconnects."""
        updater = self.application.updater
        if updater is not None and updater.running:
            await updater.stop()
        if self.application.running:
            await self.application.stop()
        await self.application.shutdown()

    async def handle_webhook(self, request: web.Request) -> web.Response:
        """Accepts one update from Telegram, only with the right secret header."""
        secret = self.settings.webhook_secret or ""
        given = request.headers.get(SECRET_HEADER, "")
        if not secret or not hmac.compare_digest(given.encode(), secret.encode()):
            return web.Response(status=403, text="forbidden")
        try:
            data = await request.json()
            update = Update.de_json(data, self.application.bot)
        except (ValueError, TypeError, KeyError, json.JSONDecodeError):
            return web.Response(status=400, text="not a Telegram update")
        if update is None:
            return web.Response(status=400, text="not a Telegram update")
        database = self.engine.database
        # An update for the engine is taken inside its turn's transaction (see UpdateOnce).
        if not _reaches_engine(update) and not await updates.take(
            database, update.update_id, self.engine.clock.now()
        ):
            metrics.DUPLICATE_UPDATES.inc()
            return web.Response(text="ok (already handled)")
        # Handled before answering, so Telegram sends a chat's next update only after this one,
        # whichever of several processes behind the webhook gets it.
        try:
            await self.application.process_update(update)
        except Exception:
            await updates.give_back(database, update.update_id)
            raise
        return web.Response(text="ok")

    async def _on_update(self, update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Routes any update: private chats go to the engine; the rest are answered or ignored."""
        if not isinstance(update, Update):
            return
        started = time.perf_counter()
        handled = True
        try:
            handled = await self._route(update)
        finally:
            metrics.UPDATE_SECONDS.observe(time.perf_counter() - started)
            if handled:
                metrics.UPDATES.labels("webhook" if self.settings.uses_webhook else "polling").inc()

    def _once(self, update: Update) -> UpdateOnce | None:
        """In webhook mode, whichever process gets an update, it is handled once."""
        if not self.settings.uses_webhook:
            return None
        return UpdateOnce(update.update_id, self.engine.clock.now())

    async def _route(self, update: Update) -> bool:
        """Handles an update; False if it was a duplicate already handled."""
        if update.callback_query is not None:
            return await self._on_button(update)
        message = update.message
        if message is None:
            await self._on_membership(update)
            return True
        if message.chat.type != ChatType.PRIVATE:
            await self._on_group_message(message)
            return True
        inbound = replace(to_inbound(message), reference=f"update {update.update_id}")
        once = self._once(update)
        replies = await self.engine.handle(inbound, once)
        if once is not None and once.duplicate:
            return False
        await self.deliver(message.chat_id, replies)
        return True

    async def _on_button(self, update: Update) -> bool:
        query = update.callback_query
        assert query is not None
        message = query.message
        chat = message.chat if message is not None else None
        if chat is None or chat.type != ChatType.PRIVATE or not isinstance(message, Message):
            await self._answer(query)
            return True
        inbound = Inbound(
            channel=CHANNEL,
            chat_id=str(chat.id),
            kind=InboundKind.BUTTON,
            button_data=query.data or "",
            first_name=query.from_user.first_name,
            language=query.from_user.language_code or "",
            reference=f"update {update.update_id}",
        )
        once = self._once(update)
        replies = await self.engine.handle(inbound, once)
        if once is not None and once.duplicate:
            return False
        await self._answer(query)
        await self.deliver(chat.id, replies, pressed=message)
        return True

    @staticmethod
    async def _answer(query: Any) -> None:
        """Stops the button's spinner; an old query that can't be answered is fine."""
        try:
            await query.answer()
        except BadRequest:
            log.debug("a callback query was too old to answer")

    async def _on_group_message(self, message: Message) -> None:
        """Says once, when spoken to, that colbot only chats one to one."""
        inbound = to_inbound(message)
        mentioned = (
            self.bot_username and f"@{self.bot_username}".lower() in (message.text or "").lower()
        )
        if inbound.kind is InboundKind.COMMAND or mentioned:
            await self._send_text(
                message.chat_id,
                self.engine.content.render("common.private_only", **self.engine.base_context),
            )

    async def _on_membership(self, update: Update) -> None:
        """Greets a group it was added to with the private-only note; ignores everything else."""
        change = update.my_chat_member
        if change is None or change.chat.type == ChatType.PRIVATE:
            return
        if change.new_chat_member.status in {"member", "administrator"}:
            await self._send_text(
                change.chat.id,
                self.engine.content.render("common.private_only", **self.engine.base_context),
            )

    async def _send_text(self, chat_id: int, text: str) -> None:
        try:
            await self.application.bot.send_message(chat_id, text)
        except Forbidden:
            log.info("a chat no longer accepts messages from the bot")

    async def send_to(self, chat_id: str, outbound: Outbound) -> None:
        """Sends one message colbot started itself (from the outbox); errors go to the caller."""
        try:
            await self._deliver_one(int(chat_id), outbound, None)
        except Forbidden as exc:
            metrics.BLOCKED.inc()
            raise outbox.Unreachable(exc.message) from exc
        except RetryAfter as exc:
            metrics.RATE_LIMITED.inc()
            raise outbox.RetryLater(_seconds(exc.retry_after)) from exc
        except BadRequest as exc:
            raise outbox.Undeliverable(exc.message) from exc

    async def deliver(
        self, chat_id: int | str, replies: list[Outbound], pressed: Message | None = None
    ) -> None:
        """Sends the engine's replies in order."""
        for outbound in replies:
            try:
                await self._deliver_one(int(chat_id), outbound, pressed)
            except Forbidden:
                metrics.BLOCKED.inc()
                log.info("a chat has blocked the bot; dropping the rest of this reply")
                return

    async def _deliver_one(self, chat_id: int, outbound: Outbound, pressed: Message | None) -> None:
        await self._deliver_unmetered(chat_id, outbound, pressed)
        metrics.MESSAGES_SENT.labels(CHANNEL).inc()

    async def _deliver_unmetered(
        self, chat_id: int, outbound: Outbound, pressed: Message | None
    ) -> None:
        bot = self.application.bot
        if outbound.menu is not None:
            commands = [BotCommand(name, text) for name, text in outbound.menu]
            await bot.set_my_commands(commands, scope=BotCommandScopeChat(chat_id))
            if not outbound.text:
                return
        markup = _markup(outbound)
        if outbound.edit and pressed is not None and not outbound.image and not outbound.file:
            try:
                await bot.edit_message_text(
                    outbound.text,
                    chat_id=chat_id,
                    message_id=pressed.message_id,
                    reply_markup=markup if isinstance(markup, InlineKeyboardMarkup) else None,
                )
                return
            except BadRequest as exc:
                if "not modified" in exc.message.lower():
                    return
                log.debug("could not edit message %s: %s", pressed.message_id, exc.message)
        if outbound.image is not None and outbound.image.verbatim:
            await self._send_verbatim(chat_id, outbound.image, outbound.text, markup)
        elif outbound.image is not None:
            await bot.send_photo(
                chat_id,
                InputFile(outbound.image.content, filename=outbound.image.filename),
                caption=outbound.text[:CAPTION_LIMIT] or None,
                reply_markup=markup,
            )
        elif outbound.file is not None:
            await bot.send_document(
                chat_id,
                InputFile(outbound.file.content, filename=outbound.file.filename),
                caption=outbound.text[:CAPTION_LIMIT] or None,
                reply_markup=markup,
            )
        else:
            parts = _chunks(outbound.text)
            for part in parts[:-1]:
                await bot.send_message(chat_id, part)
            await bot.send_message(chat_id, parts[-1], reply_markup=markup)
        if outbound.location_button:
            hint = self.engine.content.render(
                "onboarding.area.location_hint", **self.engine.base_context
            )
            keyboard = ReplyKeyboardMarkup(
                [[KeyboardButton(outbound.location_button, request_location=True)]],
                one_time_keyboard=True,
                resize_keyboard=True,
            )
            await bot.send_message(chat_id, hint, reply_markup=keyboard)

    async def _send_verbatim(
        self,
        chat_id: int,
        picture: Attachment,
        caption: str,
        markup: InlineKeyboardMarkup | ReplyKeyboardRemove | None,
    ) -> None:
        """Sends a picture whose bytes must arrive unchanged (a baked badge) as a document.

        Telegram re-encodes every photo as a JPEG, which drops a PNG's iTXt chunks and with them
        the badge's proof; a document arrives byte for byte. Its thumbnail shows the picture in the
        chat, so it is still one message that looks like the badge and saves as the badge.
        """
        await self.application.bot.send_document(
            chat_id,
            InputFile(picture.content, filename=picture.filename),
            thumbnail=InputFile(_thumbnail(picture.content), filename=THUMBNAIL_FILENAME),
            caption=caption[:CAPTION_LIMIT] or None,
            reply_markup=markup,
            disable_content_type_detection=True,
        )

    async def _on_error(self, update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Logs a failed update with its id; the bot carries on with the next one."""
        update_id = update.update_id if isinstance(update, Update) else None
        error = context.error
        if isinstance(error, TelegramError):
            log.warning("update %s: Telegram said %s", update_id, error)
        else:
            log.error("update %s failed", update_id, exc_info=error)
