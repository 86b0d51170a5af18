"""The double's aiohttp server: answers the Bot API, holds updates, delivers webhooks."""

from __future__ import annotations

import asyncio
import contextlib
import copy
import itertools
import json
import logging
import re
import time
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, replace
from http import HTTPStatus
from types import TracebackType
from typing import Any, Self

import aiohttp
import pytest_asyncio
import telegram
from aiohttp import web

from tests.doubles.telegram.faults import FaultInjection, _Delay, _Fault
from tests.doubles.telegram.people import Chat, Person, _Query, _Signal
from tests.doubles.telegram.wire import (
    _COMMAND_NAME,
    _SECRET_TOKEN,
    _TOKEN_SHAPE,
    CALLBACK_ANSWER_LIMIT,
    CAPTION_LIMIT,
    CHAT_ACTIONS,
    COMMANDS_LIMIT,
    DEFAULT_TOKEN,
    JSON,
    MENU_BUTTON_TYPES,
    NOT_MODIFIED,
    OPT_IN_UPDATE_TYPES,
    SCOPE_TYPES,
    SECRET_HEADER,
    TEXT_LIMIT,
    ApiCall,
    ApiError,
    BotCommand,
    CallbackAnswer,
    Handler,
    MessageEdit,
    Params,
    SentMessage,
    StoredFile,
    UploadedFile,
    WebhookDelivery,
    WebhookState,
    _bad_request,
    _check_inline_keyboard,
    _check_reply_keyboard,
    _image_size,
    _is_inline,
    _plain_text,
    _read_params,
    _to_int,
)

log = logging.getLogger(__name__)


@dataclass
class _Ok:
    """A successful result that Telegram sends with a description (setWebhook and friends)."""

    result: Any
    description: str


class TelegramDouble(FaultInjection):
    """A fake Telegram Bot API server on 127.0.0.1 for the real python-telegram-bot to talk to."""

    def __init__(
        self,
        token: str = DEFAULT_TOKEN,
        *,
        username: str = "colbot_test_bot",
        first_name: str = "Colbot",
        quiet_period: float = 0.2,
        webhook_attempts: int = 5,
        webhook_backoff: float = 0.05,
        webhook_timeout: float = 5.0,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.token = token
        self.bot_id = int(token.split(":", 1)[0])
        self.bot_user: JSON = {
            "id": self.bot_id,
            "is_bot": True,
            "first_name": first_name,
            "username": username,
        }
        self.quiet_period = quiet_period
        # Set by a test that can see inside the bot: how many updates from a chat it has finished
        # handling. replies_to then also waits for the bot to finish, not only for quiet.
        self.handled_in: Callable[[int], int] | None = None
        self.webhook_attempts = webhook_attempts
        self.webhook_backoff = webhook_backoff
        self.webhook_timeout = webhook_timeout
        self._clock = clock

        self.calls: list[ApiCall] = []
        self.updates: list[JSON] = []  # every update ever made, delivered or not
        self.dropped_updates: list[JSON] = []  # left out by allowed_updates
        self.undelivered_updates: list[JSON] = []  # webhook gave up on them
        self.webhook = WebhookState()
        self.webhook_deliveries: list[WebhookDelivery] = []
        self.files: dict[str, StoredFile] = {}
        self.internal_errors: list[BaseException] = []

        self._chats: dict[int, Chat] = {}
        self._people: dict[int, Person] = {}
        self._pending: list[JSON] = []
        self._handed_out: set[int] = set()
        self._next_update_id = 100_000_001
        self._allowed_updates: frozenset[str] | None = None
        self._poller = 0
        self._queries: dict[str, _Query] = {}
        self._commands: dict[tuple[str, int | None, int | None, str], list[BotCommand]] = {}
        self._menu_buttons: dict[int | None, JSON] = {}
        self._blocked: set[int] = set()
        self._faults: list[_Fault] = []
        self._delays: dict[str, _Delay] = {}
        self._ids = itertools.count(1)
        self._user_ids = itertools.count(1_000_001)
        self._group_ids = itertools.count(1)
        self.logged_out = False
        self.closed = False

        self._signal = _Signal()
        self._stopping = asyncio.Event()
        self._runner: web.AppRunner | None = None
        self._session: aiohttp.ClientSession | None = None
        self._worker: asyncio.Task[None] | None = None
        self._port: int | None = None
        self._handlers: dict[str, tuple[str, Handler]] = {
            name.lower(): (name, handler)
            for name, handler in (
                ("getMe", self._get_me),
                ("logOut", self._log_out),
                ("close", self._close),
                ("getUpdates", self._get_updates),
                ("setWebhook", self._set_webhook),
                ("deleteWebhook", self._delete_webhook),
                ("getWebhookInfo", self._get_webhook_info),
                ("sendMessage", self._send_message),
                ("sendPhoto", self._send_photo),
                ("sendDocument", self._send_document),
                ("sendLocation", self._send_location),
                ("sendChatAction", self._send_chat_action),
                ("editMessageText", self._edit_message_text),
                ("editMessageCaption", self._edit_message_caption),
                ("editMessageReplyMarkup", self._edit_message_reply_markup),
                ("deleteMessage", self._delete_message),
                ("deleteMessages", self._delete_messages),
                ("answerCallbackQuery", self._answer_callback_query),
                ("setMyCommands", self._set_my_commands),
                ("getMyCommands", self._get_my_commands),
                ("deleteMyCommands", self._delete_my_commands),
                ("setChatMenuButton", self._set_chat_menu_button),
                ("getChatMenuButton", self._get_chat_menu_button),
                ("getFile", self._get_file),
            )
        }

    # ---- lifecycle -------------------------------------------------------------------------

    async def start(self) -> None:
        """Starts serving on a free port and starts the webhook sender."""
        if self._runner is not None:
            raise RuntimeError("this TelegramDouble is already started")
        self._stopping.clear()
        app = web.Application()
        app.router.add_route("*", "/bot{token}/{method}", self._handle_api)
        app.router.add_get("/file/bot{token}/{path:.+}", self._handle_file)
        self._runner = web.AppRunner(app, access_log=None, shutdown_timeout=1.0)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self._port = int(self._runner.addresses[0][1])
        self._session = aiohttp.ClientSession(
            timeout=aiohttp.ClientTimeout(total=self.webhook_timeout)
        )
        self._worker = asyncio.create_task(self._send_webhooks(), name="telegram-double-webhook")

    async def stop(self) -> None:
        """Ends long polls and slow responses, stops the webhook sender and the server."""
        self._stopping.set()
        self._signal.fire()
        if self._worker is not None:
            self._worker.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._worker
            self._worker = None
        if self._session is not None:
            await self._session.close()
            self._session = None
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None
            self._port = None

    async def __aenter__(self) -> Self:
        await self.start()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        await self.stop()
        if exc is None and self.internal_errors:
            raise RuntimeError("the Telegram double itself failed") from self.internal_errors[0]

    @property
    def port(self) -> int:
        if self._port is None:
            raise RuntimeError("start the TelegramDouble first")
        return self._port

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def base_url(self) -> str:
        """What to pass to ApplicationBuilder.base_url (PTB appends token and method)."""
        return f"{self.url}/bot"

    @property
    def base_file_url(self) -> str:
        """What to pass to ApplicationBuilder.base_file_url, for downloads after getFile."""
        return f"{self.url}/file/bot"

    def now(self) -> int:
        """Telegram's dates are Unix seconds."""
        return int(self._clock())

    # ---- the people and chats -------------------------------------------------------------

    def person(
        self,
        first_name: str = "Sam",
        user_id: int | None = None,
        language_code: str | None = "en",
        username: str | None = None,
        *,
        last_name: str | None = None,
    ) -> Person:
        """Someone who has started the bot and chats with it privately."""
        uid = user_id if user_id is not None else next(self._user_ids)
        if uid in self._chats:
            raise ValueError(f"user id {uid} is taken")
        user: JSON = {"id": uid, "is_bot": False, "first_name": first_name}
        chat_data: JSON = {"id": uid, "type": "private", "first_name": first_name}
        for key, value in (("last_name", last_name), ("username", username)):
            if value is not None:
                user[key] = chat_data[key] = value
        if language_code is not None:
            user["language_code"] = language_code
        person = Person(self, user, self._add_chat(chat_data))
        self._people[uid] = person
        return person

    def group(
        self, title: str = "Test group", *, supergroup: bool = True, username: str | None = None
    ) -> Chat:
        """A group the bot is in, for messages that do not belong in a one-to-one chat."""
        n = next(self._group_ids)
        chat_id = -(1_001_000_000_000 + n) if supergroup else -(4_000_000_000 + n)
        kind = "supergroup" if supergroup else "group"
        data: JSON = {"id": chat_id, "type": kind, "title": title}
        if username is not None:
            data["username"] = username
        return self._add_chat(data)

    def channel(self, title: str = "Test channel", *, username: str | None = None) -> Chat:
        """A channel the bot is in, for channel_post updates."""
        n = next(self._group_ids)
        data: JSON = {"id": -(1_002_000_000_000 + n), "type": "channel", "title": title}
        if username is not None:
            data["username"] = username
        return self._add_chat(data)

    def chat(self, chat_id: int | str) -> Chat:
        """A chat the double knows, by id or @username."""
        chat = self._find_chat(chat_id)
        if chat is None:
            raise KeyError(chat_id)
        return chat

    # ---- updates -----------------------------------------------------------------------------

    async def push_update(self, update: JSON) -> JSON:
        """Queues any raw update (inline_query, my_chat_member...); update_id is filled in."""
        kinds = [key for key in update if key != "update_id"]
        if len(kinds) != 1:
            raise ValueError(f"an update has exactly one payload besides update_id, got {kinds}")
        payload = copy.deepcopy(update[kinds[0]])
        queued = self.enqueue(kinds[0], payload, update_id=update.get("update_id"))
        await asyncio.sleep(0)
        return queued

    def enqueue(self, kind: str, payload: JSON, *, update_id: int | None = None) -> JSON:
        """Makes an update and queues it for getUpdates or the webhook."""
        if update_id is None:
            update_id = self._next_update_id
        self._next_update_id = max(self._next_update_id, update_id + 1)
        update = {"update_id": update_id, kind: copy.deepcopy(payload)}
        self.updates.append(update)
        if self._wants(kind):
            self._pending.append(update)
            self._signal.fire()
        else:
            self.dropped_updates.append(update)
        return update

    def _wants(self, kind: str) -> bool:
        """Whether allowed_updates lets this kind of update be made at all, as on Telegram."""
        if self._allowed_updates is None:
            return kind not in OPT_IN_UPDATE_TYPES
        return kind in self._allowed_updates

    @property
    def pending_updates(self) -> list[JSON]:
        """Updates not yet confirmed by getUpdates' offset nor delivered to the webhook."""
        return list(self._pending)

    async def wait_delivered(self, timeout: float = 5.0) -> None:
        """Waits until the bot has fetched or received every queued update."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while any(u["update_id"] not in self._handed_out for u in self._pending):
            if loop.time() >= deadline:
                raise AssertionError(f"updates not delivered within {timeout}s: {self._pending}")
            await self._signal.wait(deadline - loop.time())

    # ---- fault injection --------------------------------------------------------------------

    # ---- reading what the bot did -----------------------------------------------------------

    def calls_to(self, method: str) -> list[ApiCall]:
        """The calls of one method, oldest first (method names are case-insensitive)."""
        return [call for call in self.calls if call.method.lower() == method.lower()]

    def commands(
        self,
        scope_chat_id: int | None = None,
        *,
        scope_type: str | None = None,
        user_id: int | None = None,
        language_code: str = "",
    ) -> list[BotCommand]:
        """The command menu set for one scope: default, or a chat's when scope_chat_id is given."""
        kind = scope_type or ("chat" if scope_chat_id is not None else "default")
        return list(self._commands.get((kind, scope_chat_id, user_id, language_code), []))

    def menu_button(self, chat_id: int | None = None) -> JSON | None:
        """The menu button set for a chat (None: the default one)."""
        return self._menu_buttons.get(chat_id)

    # ---- helpers shared with Person and Chat -----------------------------------------------

    def store_file(
        self, content: bytes | None, filename: str, mime_type: str, kind: str
    ) -> StoredFile:
        """Registers a file under a fresh file_id, so getFile and re-sending by id work."""
        n = next(self._ids)
        suffix = filename.rsplit(".", 1)[-1] if "." in filename else "bin"
        stored = StoredFile(
            file_id=f"{kind.upper()}-file-{n:06d}",
            file_unique_id=f"uq{n:06d}",
            content=content,
            filename=filename,
            mime_type=mime_type,
            path=f"{kind}s/file_{n}.{suffix}",
        )
        self.files[stored.file_id] = stored
        return stored

    @staticmethod
    def photo_size(stored: StoredFile, width: int, height: int) -> JSON:
        return {
            "file_id": stored.file_id,
            "file_unique_id": stored.file_unique_id,
            "width": width,
            "height": height,
            "file_size": stored.size,
        }

    @staticmethod
    def document(stored: StoredFile) -> JSON:
        return {
            "file_id": stored.file_id,
            "file_unique_id": stored.file_unique_id,
            "file_name": stored.filename,
            "mime_type": stored.mime_type,
            "file_size": stored.size,
        }

    def new_callback_query(self, person: Person, data: str | None, message_id: int) -> str:
        """A fresh callback query id, remembered so answerCallbackQuery can be checked."""
        query_id = str(person.id * 1_000_000 + next(self._ids))
        self._queries[query_id] = _Query(person, data, message_id)
        return query_id

    def _add_chat(self, data: JSON) -> Chat:
        chat = Chat(self, data)
        self._chats[chat.id] = chat
        return chat

    def _find_chat(self, chat_id: int | str) -> Chat | None:
        if isinstance(chat_id, str) and chat_id.startswith("@"):
            name = chat_id[1:].lower()
            return next(
                (
                    c
                    for c in self._chats.values()
                    if str(c.data.get("username", "")).lower() == name
                ),
                None,
            )
        try:
            return self._chats.get(_to_int(chat_id))
        except ValueError:
            return None

    def _membership_update(self, person: Person, old: str, new: JSON) -> None:
        self.enqueue(
            "my_chat_member",
            {
                "chat": person.chat.data,
                "from": person.user,
                "date": self.now(),
                "old_chat_member": {"user": self.bot_user, "status": old},
                "new_chat_member": {"user": self.bot_user, **new},
            },
        )

    # ---- HTTP --------------------------------------------------------------------------------

    async def _handle_api(self, request: web.Request) -> web.Response:
        """Answers {base_url}{token}/{method} the way api.telegram.org does."""
        token, name = request.match_info["token"], request.match_info["method"]
        if token != self.token:
            shaped = _TOKEN_SHAPE.fullmatch(token)
            return (
                ApiError(401, "Unauthorized") if shaped else ApiError(404, "Not Found")
            ).response()
        entry = self._handlers.get(name.lower())
        try:
            params = await _read_params(request)
        except ApiError as error:
            return error.response()
        method = entry[0] if entry else name
        call = ApiCall(method, params.decoded(), dict(params.files), self._clock())
        call.chat = self._find_chat(call.chat_id) if call.chat_id is not None else None
        self.calls.append(call)
        try:
            await self._slow_down(method)
            self._maybe_fail(method, call)
            if entry is None:
                raise ApiError(404, self._not_found(name))
            outcome = await entry[1](params)
        except ApiError as error:
            call.status, call.error = error.status, error.description
            return error.response()
        except Exception as exc:
            log.exception("the Telegram double failed on %s", method)
            self.internal_errors.append(exc)
            call.status, call.error = 500, f"Internal Server Error: {exc!r}"
            return ApiError(500, call.error).response()
        result, description = (
            (outcome.result, outcome.description) if isinstance(outcome, _Ok) else (outcome, None)
        )
        call.status, call.result = int(HTTPStatus.OK), result
        body: JSON = {"ok": True, "result": result}
        if description:
            body["description"] = description
        return web.json_response(body)

    async def _handle_file(self, request: web.Request) -> web.StreamResponse:
        """Serves file downloads, as api.telegram.org/file/bot<token>/<file_path> does."""
        path = request.match_info["path"]
        stored = next((f for f in self.files.values() if f.path == path), None)
        if request.match_info["token"] != self.token or stored is None or stored.content is None:
            raise web.HTTPNotFound()
        return web.Response(body=stored.content, content_type=stored.mime_type)

    @staticmethod
    def _not_found(name: str) -> str:
        """Telegram's plain 404, or a hint when the method is real but not faked here."""
        snake = re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower()
        if name != name.lower() and callable(getattr(telegram.Bot, snake, None)):
            return f"Not Found: {name} is not implemented by the Telegram test double"
        return "Not Found"

    # ---- webhook delivery --------------------------------------------------------------------

    async def _send_webhooks(self) -> None:
        """Posts queued updates to the webhook one at a time, in order, retrying failures."""
        while True:
            if not self.webhook.url or not self._pending:
                await self._signal.wait(None)
                continue
            try:
                await self._deliver(self._pending[0])
            except Exception as exc:  # a bug here must not silently stop all deliveries
                log.exception("the Telegram double failed to deliver a webhook")
                self.internal_errors.append(exc)
                return

    async def _deliver(self, update: JSON) -> None:
        for attempt in range(1, self.webhook_attempts + 1):
            hook = self.webhook
            if not hook.url or not any(u is update for u in self._pending):
                return  # webhook removed or update dropped meanwhile
            status, error = await self._post_update(hook, update)
            self.webhook_deliveries.append(
                WebhookDelivery(update["update_id"], hook.url, attempt, status, error)
            )
            if error is None:
                self._handed_out.add(update["update_id"])
                self._forget(update)
                return
            hook.last_error_date, hook.last_error_message = self.now(), error
            if attempt < self.webhook_attempts:
                await asyncio.sleep(self.webhook_backoff * 2 ** (attempt - 1))
        self.undelivered_updates.append(update)
        self._forget(update)

    async def _post_update(self, hook: WebhookState, update: JSON) -> tuple[int | None, str | None]:
        assert self._session is not None
        headers: dict[str, str] = {aiohttp.hdrs.CONTENT_TYPE: "application/json"}
        if hook.secret_token:
            headers[SECRET_HEADER] = hook.secret_token
        try:
            async with self._session.post(
                hook.url, data=json.dumps(update).encode(), headers=headers
            ) as response:
                await response.read()
        except TimeoutError:
            return None, "Connection timed out"
        except aiohttp.ClientError as exc:
            return None, f"Connection failed: {exc}"
        if 200 <= response.status < 300:
            return response.status, None
        return (
            response.status,
            f"Wrong response from the webhook: {response.status} {response.reason}",
        )

    def _forget(self, update: JSON) -> None:
        self._pending = [u for u in self._pending if u is not update]
        self._signal.fire()

    # ---- Bot API methods ---------------------------------------------------------------------

    async def _get_me(self, params: Params) -> JSON:
        return {
            **self.bot_user,
            "can_join_groups": True,
            "can_read_all_group_messages": False,
            "supports_inline_queries": False,
            "can_connect_to_business": False,
            "has_main_web_app": False,
        }

    async def _log_out(self, params: Params) -> bool:
        self.logged_out = True
        return True

    async def _close(self, params: Params) -> bool:
        self.closed = True
        return True

    async def _get_updates(self, params: Params) -> list[JSON]:
        """Long polling: confirms updates below offset, then waits up to timeout for some."""
        if self.webhook.url:
            raise ApiError(
                409,
                "Conflict: can't use getUpdates method while webhook is active; "
                "use deleteWebhook to delete the webhook first",
            )
        offset = params.integer("offset") or 0
        limit = min(max(params.integer("limit") or 100, 1), 100)
        timeout = max(params.number("timeout") or 0.0, 0.0)
        if "allowed_updates" in params:
            self._set_allowed_updates(params.json("allowed_updates"))
        if offset > 0:
            self._pending = [u for u in self._pending if u["update_id"] >= offset]
        elif offset < 0:
            self._pending = self._pending[offset:]
        self._poller += 1
        me = self._poller
        self._signal.fire()  # an older long poll now ends with 409, as on Telegram
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            if self._poller != me:
                raise ApiError(
                    409,
                    "Conflict: terminated by other getUpdates request; "
                    "make sure that only one bot instance is running",
                )
            batch = self._pending[:limit]
            remaining = deadline - loop.time()
            if batch or remaining <= 0 or self._stopping.is_set() or self.webhook.url:
                self._handed_out.update(u["update_id"] for u in batch)
                self._signal.fire()
                return batch
            await self._signal.wait(remaining)

    def _set_allowed_updates(self, value: Any) -> None:
        if not isinstance(value, list) or not all(isinstance(kind, str) for kind in value):
            raise _bad_request("can't parse allowed updates")
        self._allowed_updates = frozenset(value) if value else None

    async def _set_webhook(self, params: Params) -> _Ok:
        url = params.text("url") or ""
        if not url:
            return await self._delete_webhook(params)
        if not url.startswith(("https://", "http://")):
            raise _bad_request("bad webhook: An HTTPS URL must be provided for webhook")
        secret = params.text("secret_token")
        if secret is not None and not _SECRET_TOKEN.fullmatch(secret):
            raise _bad_request("secret token contains unallowed characters")
        max_connections = params.integer("max_connections") or 40
        if not 1 <= max_connections <= 100:
            raise _bad_request("bad webhook: max_connections must be between 1 and 100")
        allowed = params.json("allowed_updates")
        if "allowed_updates" in params:
            self._set_allowed_updates(allowed)
        if params.flag("drop_pending_updates"):
            self._pending.clear()
        already = self.webhook.url == url
        self.webhook = WebhookState(
            url=url,
            secret_token=secret,
            max_connections=max_connections,
            ip_address=params.text("ip_address"),
            allowed_updates=allowed if isinstance(allowed, list) else None,
        )
        self._signal.fire()
        return _Ok(True, "Webhook is already set" if already else "Webhook was set")

    async def _delete_webhook(self, params: Params) -> _Ok:
        if params.flag("drop_pending_updates"):
            self._pending.clear()
        had = bool(self.webhook.url)
        self.webhook = WebhookState()
        self._signal.fire()
        return _Ok(True, "Webhook was deleted" if had else "Webhook is already deleted")

    async def _get_webhook_info(self, params: Params) -> JSON:
        hook = self.webhook
        info: JSON = {
            "url": hook.url,
            "has_custom_certificate": False,
            "pending_update_count": len(self._pending),
        }
        if hook.url:
            info["max_connections"] = hook.max_connections
            if hook.ip_address:
                info["ip_address"] = hook.ip_address
            if hook.allowed_updates is not None:
                info["allowed_updates"] = hook.allowed_updates
        if hook.last_error_date is not None:
            info["last_error_date"] = hook.last_error_date
            info["last_error_message"] = hook.last_error_message
        return info

    def _target_chat(self, params: Params) -> Chat:
        """The chat a method acts on; a person who blocked the bot answers 403."""
        chat_id = params.chat_id()
        if chat_id is None:
            raise _bad_request("chat_id is empty")
        chat = self._find_chat(chat_id)
        if chat is None:
            raise _bad_request("chat not found")
        if chat.id in self._blocked:
            raise ApiError(403, "Forbidden: bot was blocked by the user")
        return chat

    def _reply_markup(self, params: Params, *, inline_only: bool = False) -> JSON | None:
        if "reply_markup" not in params:
            return None
        unparsable = "can't parse reply keyboard markup JSON object"
        markup = params.json("reply_markup", unparsable)
        if not isinstance(markup, dict):
            raise _bad_request(unparsable)
        if "inline_keyboard" in markup:
            _check_inline_keyboard(markup["inline_keyboard"])
        elif inline_only:
            raise _bad_request("inline keyboard expected")
        elif "keyboard" in markup:
            _check_reply_keyboard(markup["keyboard"])
        elif not (markup.get("remove_keyboard") or markup.get("force_reply")):
            raise _bad_request(unparsable)
        return markup

    def _reply_target(self, chat: Chat, params: Params) -> JSON | None:
        """The replied-to message (reply_parameters or the older reply_to_message_id)."""
        allow_missing = params.flag("allow_sending_without_reply")
        target_id: int | None = None
        if "reply_parameters" in params:
            reply = params.json("reply_parameters")
            if not isinstance(reply, dict) or "message_id" not in reply:
                raise _bad_request("can't parse reply parameters JSON object")
            try:
                target_id = _to_int(reply["message_id"])
            except (ValueError, TypeError) as exc:
                raise _bad_request("invalid reply parameters") from exc
            allow_missing = bool(reply.get("allow_sending_without_reply", allow_missing))
        else:
            target_id = params.integer("reply_to_message_id")
        if target_id is None:
            return None
        if target_id not in chat.log:
            if allow_missing:
                return None
            raise _bad_request("message to be replied not found")
        replied = copy.deepcopy(chat.log[target_id])
        replied.pop("reply_to_message", None)
        return replied

    def _rendered(self, params: Params, name: str) -> tuple[str | None, str | None, str | None]:
        """(visible text, text as sent, parse_mode) of a text or caption parameter."""
        source = params.text(name)
        parse_mode = params.text("parse_mode")
        if source is None:
            return None, None, parse_mode
        return _plain_text(source, parse_mode), source, parse_mode

    def _caption(self, params: Params) -> tuple[str | None, str | None, str | None]:
        caption, source, parse_mode = self._rendered(params, "caption")
        if caption is not None and len(caption) > CAPTION_LIMIT:
            raise _bad_request("message caption is too long")
        return caption, source, parse_mode

    @staticmethod
    def _checked_text(text: str | None) -> str:
        if text is None or not text.strip():
            raise _bad_request("message text is empty")
        if len(text) > TEXT_LIMIT:
            raise _bad_request("message is too long")
        return text

    def _post(self, chat: Chat, params: Params, method: str, content: JSON, **record: Any) -> JSON:
        """Puts a bot message into a chat and returns it as the Message object."""
        markup = self._reply_markup(params)
        replied = self._reply_target(chat, params)
        message: JSON = {"message_id": chat.next_message_id()}
        if chat.type == "channel":
            message["sender_chat"] = chat.data
        else:
            message["from"] = self.bot_user
        message.update(chat=chat.data, date=self.now())
        if replied is not None:
            message["reply_to_message"] = replied
        message.update({key: value for key, value in content.items() if value is not None})
        if _is_inline(markup):
            message["reply_markup"] = markup
        chat.log[message["message_id"]] = message
        chat.record(
            SentMessage(
                chat=chat,
                message_id=message["message_id"],
                method=method,
                date=message["date"],
                raw=message,
                reply_markup=markup,
                reply_to_message_id=replied["message_id"] if replied else None,
                **record,
            )
        )
        return message

    def _input_file(self, params: Params, name: str, mime_type: str) -> StoredFile:
        value = params.input_file(name)
        if value is None:
            raise _bad_request(f"there is no {name} in the request")
        if isinstance(value, UploadedFile):
            content_type = value.content_type or mime_type
            return self.store_file(value.content, value.filename, content_type, name)
        if value in self.files:
            return self.files[value]
        if value.startswith(("http://", "https://")):
            filename = value.rsplit("/", 1)[-1] or name
            stored = replace(self.store_file(None, filename, mime_type, name), url=value)
            self.files[stored.file_id] = stored
            return stored
        raise _bad_request("wrong file identifier/HTTP URL specified")

    async def _send_message(self, params: Params) -> JSON:
        chat = self._target_chat(params)
        text, source, parse_mode = self._rendered(params, "text")
        text = self._checked_text(text)
        return self._post(
            chat,
            params,
            "sendMessage",
            {"text": text},
            text=text,
            source=source,
            parse_mode=parse_mode,
        )

    async def _send_photo(self, params: Params) -> JSON:
        chat = self._target_chat(params)
        caption, source, parse_mode = self._caption(params)
        stored = self._input_file(params, "photo", "image/jpeg")
        width, height = _image_size(stored.content)
        return self._post(
            chat,
            params,
            "sendPhoto",
            {"photo": [self.photo_size(stored, width, height)], "caption": caption},
            caption=caption,
            source=source,
            parse_mode=parse_mode,
            photo=stored.content,
            filename=stored.filename,
            mime_type=stored.mime_type,
            file_id=stored.file_id,
        )

    async def _send_document(self, params: Params) -> JSON:
        chat = self._target_chat(params)
        caption, source, parse_mode = self._caption(params)
        stored = self._input_file(params, "document", "application/octet-stream")
        document = self.document(stored)
        thumbnail = None
        if params.input_file("thumbnail") is not None:
            preview = self._input_file(params, "thumbnail", "image/jpeg")
            thumbnail = preview.content
            document["thumbnail"] = self.photo_size(preview, *_image_size(thumbnail))
        return self._post(
            chat,
            params,
            "sendDocument",
            {"document": document, "caption": caption},
            caption=caption,
            source=source,
            parse_mode=parse_mode,
            document=stored.content,
            thumbnail=thumbnail,
            filename=stored.filename,
            mime_type=stored.mime_type,
            file_id=stored.file_id,
        )

    async def _send_location(self, params: Params) -> JSON:
        chat = self._target_chat(params)
        latitude, longitude = params.number("latitude"), params.number("longitude")
        if latitude is None or not -90 <= latitude <= 90:
            raise _bad_request("wrong latitude specified")
        if longitude is None or not -180 <= longitude <= 180:
            raise _bad_request("wrong longitude specified")
        location: JSON = {"latitude": latitude, "longitude": longitude}
        if (live_period := params.integer("live_period")) is not None:
            location["live_period"] = live_period
        return self._post(
            chat, params, "sendLocation", {"location": location}, location=(latitude, longitude)
        )

    async def _send_chat_action(self, params: Params) -> bool:
        chat = self._target_chat(params)
        action = params.text("action")
        if action not in CHAT_ACTIONS:
            raise _bad_request("wrong parameter action in request")
        chat.actions.append(action)
        return True

    def _editable(self, params: Params) -> SentMessage:
        """The bot message an edit method names, or Telegram's error for why it can't be."""
        if "inline_message_id" in params:
            raise _bad_request("inline messages are not supported by the Telegram test double")
        chat = self._target_chat(params)
        message_id = params.integer("message_id")
        if message_id is None:
            raise _bad_request("message identifier is not specified")
        sent = chat.find(message_id)
        if sent is None:
            if message_id in chat.log:
                raise _bad_request("message can't be edited")
            raise _bad_request("message to edit not found")
        return sent

    def _apply_edit(
        self, sent: SentMessage, method: str, changes: JSON, markup: JSON | None
    ) -> JSON:
        """Edits a bot message in place; an edit that changes nothing is an error."""
        before = {key: sent.raw.get(key) for key in ("text", "caption", "reply_markup")}
        after = {**before, **changes, "reply_markup": markup if _is_inline(markup) else None}
        if after == before:
            raise _bad_request(NOT_MODIFIED)
        for key, value in after.items():
            if value is None:
                sent.raw.pop(key, None)
            else:
                sent.raw[key] = value
        sent.raw["edit_date"] = self.now()
        if markup is not None or _is_inline(sent.reply_markup):
            sent.reply_markup = markup
        body = after["text"] if after["text"] is not None else after["caption"]
        sent.edits.append(MessageEdit(method, body, markup, sent.raw["edit_date"]))
        sent.chat.touch()
        return sent.raw

    async def _edit_message_text(self, params: Params) -> JSON:
        sent = self._editable(params)
        text, source, parse_mode = self._rendered(params, "text")
        text = self._checked_text(text)
        if sent.text is None:
            raise _bad_request("there is no text in the message to edit")
        markup = self._reply_markup(params, inline_only=True)
        edited = self._apply_edit(sent, "editMessageText", {"text": text}, markup)
        sent.text, sent.source, sent.parse_mode = text, source, parse_mode
        return edited

    async def _edit_message_caption(self, params: Params) -> JSON:
        sent = self._editable(params)
        caption, source, parse_mode = self._caption(params)
        if sent.text is not None:
            raise _bad_request("there is no caption in the message to edit")
        markup = self._reply_markup(params, inline_only=True)
        edited = self._apply_edit(sent, "editMessageCaption", {"caption": caption}, markup)
        sent.caption, sent.source, sent.parse_mode = caption, source, parse_mode
        return edited

    async def _edit_message_reply_markup(self, params: Params) -> JSON:
        sent = self._editable(params)
        markup = self._reply_markup(params, inline_only=True)
        return self._apply_edit(sent, "editMessageReplyMarkup", {}, markup)

    def _delete(self, chat: Chat, message_id: int) -> bool:
        if chat.log.pop(message_id, None) is None:
            return False
        sent = chat.find(message_id)
        if sent is not None:
            sent.deleted = True
        chat.touch()
        return True

    async def _delete_message(self, params: Params) -> bool:
        chat = self._target_chat(params)
        message_id = params.integer("message_id")
        if message_id is None:
            raise _bad_request("message identifier is not specified")
        if not self._delete(chat, message_id):
            raise _bad_request("message to delete not found")
        return True

    async def _delete_messages(self, params: Params) -> bool:
        chat = self._target_chat(params)
        ids = params.json("message_ids")
        if not isinstance(ids, list) or not 1 <= len(ids) <= 100:
            raise _bad_request("message_ids must be a list of 1-100 identifiers")
        for message_id in ids:
            self._delete(chat, _to_int(message_id))
        return True

    async def _answer_callback_query(self, params: Params) -> bool:
        query_id = params.text("callback_query_id") or ""
        query = self._queries.get(query_id)
        if query is None or query.answered:
            raise _bad_request(
                "query is too old and response timeout expired or query ID is invalid"
            )
        text = params.text("text")
        if text is not None and len(text) > CALLBACK_ANSWER_LIMIT:
            raise _bad_request("MESSAGE_TOO_LONG")
        query.answered = True
        query.person.callback_answers.append(
            CallbackAnswer(
                query_id=query_id,
                data=query.data,
                message_id=query.message_id,
                text=text,
                show_alert=params.flag("show_alert"),
                url=params.text("url"),
                cache_time=params.integer("cache_time"),
            )
        )
        query.person.chat.touch()
        return True

    def _scope_key(self, params: Params) -> tuple[str, int | None, int | None, str]:
        """Where a command list lives: scope type, chat, user and language."""
        scope = params.json("scope") or {"type": "default"}
        kind = scope.get("type") if isinstance(scope, dict) else None
        if kind not in SCOPE_TYPES:
            raise _bad_request("can't parse BotCommandScope: unknown type")
        assert isinstance(scope, dict)
        chat_id: int | None = None
        user_id: int | None = None
        if kind in ("chat", "chat_administrators", "chat_member"):
            chat = self._find_chat(scope.get("chat_id", ""))
            if chat is None:
                raise _bad_request("chat not found")
            chat_id = chat.id
        if kind == "chat_member":
            try:
                user_id = _to_int(scope.get("user_id"))
            except (ValueError, TypeError) as exc:
                raise _bad_request("user not found") from exc
        language = params.text("language_code") or ""
        if language and not re.fullmatch(r"[a-z]{2}", language):
            raise _bad_request("invalid language code specified")
        return str(kind), chat_id, user_id, language

    async def _set_my_commands(self, params: Params) -> bool:
        commands = params.json("commands")
        if not isinstance(commands, list):
            raise _bad_request('parameter "commands" is required')
        if len(commands) > COMMANDS_LIMIT:
            raise _bad_request("too many commands")
        menu: list[BotCommand] = []
        for entry in commands:
            name = entry.get("command") if isinstance(entry, dict) else None
            description = entry.get("description") if isinstance(entry, dict) else None
            if not isinstance(name, str) or not _COMMAND_NAME.fullmatch(name):
                raise _bad_request("BOT_COMMAND_INVALID")
            if not isinstance(description, str) or not 1 <= len(description) <= 256:
                raise _bad_request("command description must be 1-256 characters")
            menu.append(BotCommand(name, description))
        key = self._scope_key(params)
        if menu:
            self._commands[key] = menu
        else:
            self._commands.pop(key, None)
        return True

    async def _get_my_commands(self, params: Params) -> list[JSON]:
        menu = self._commands.get(self._scope_key(params), [])
        return [{"command": c.command, "description": c.description} for c in menu]

    async def _delete_my_commands(self, params: Params) -> bool:
        self._commands.pop(self._scope_key(params), None)
        return True

    async def _set_chat_menu_button(self, params: Params) -> bool:
        chat_id: int | None = None
        if "chat_id" in params:
            chat = self._target_chat(params)
            if chat.type != "private":
                raise _bad_request("menu button can be set only in private chats")
            chat_id = chat.id
        button = params.json("menu_button") or {"type": "default"}
        if not isinstance(button, dict) or button.get("type") not in MENU_BUTTON_TYPES:
            raise _bad_request("can't parse menu button JSON object")
        if button["type"] == "web_app" and not (
            button.get("text") and isinstance(button.get("web_app"), dict)
        ):
            raise _bad_request("web app menu button needs text and web_app")
        self._menu_buttons[chat_id] = button
        return True

    async def _get_chat_menu_button(self, params: Params) -> JSON:
        chat_id = self._target_chat(params).id if "chat_id" in params else None
        return (
            self._menu_buttons.get(chat_id) or self._menu_buttons.get(None) or {"type": "default"}
        )

    async def _get_file(self, params: Params) -> JSON:
        stored = self.files.get(params.text("file_id") or "")
        if stored is None or stored.content is None:
            raise _bad_request("invalid file_id")
        return {
            "file_id": stored.file_id,
            "file_unique_id": stored.file_unique_id,
            "file_size": stored.size,
            "file_path": stored.path,
        }


@pytest_asyncio.fixture
async def telegram_double() -> AsyncIterator[TelegramDouble]:
    """A started Telegram double for one test, stopped after it."""
    async with TelegramDouble() as double:
        yield double
