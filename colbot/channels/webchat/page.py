"""The web chat's page and WebSocket: a thin door from the browser to the web chat channel."""

from __future__ import annotations

import html
import json
import logging
import time
from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

from aiohttp import WSMsgType, web

from colbot.channels.webchat import device_tokens
from colbot.channels.webchat import moves as device_moves
from colbot.channels.webchat.channel import MAX_TEXT_BYTES, WebChatChannel, chat_id_for
from colbot.delivery import web_push
from colbot.delivery.push_payloads import BadSubscription, read_subscription
from colbot.web import pages
from colbot.web.ratelimit import ClientLimits, client_of

log = logging.getLogger(__name__)

STATIC_DIR = pages.STATIC_DIR / "chat"
COOKIE = "colbot_device"
COOKIE_MAX_AGE_S = 400 * 24 * 3600
MAX_FRAME_BYTES = 8 * 1024
HEARTBEAT_S = 25.0
CHAT_CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' blob:; "
    "connect-src 'self'; media-src 'none'; base-uri 'none'; form-action 'none'; "
    "frame-ancestors 'none'"
)
CHAT_HEADERS = {
    "Content-Security-Policy": CHAT_CSP,
    "Referrer-Policy": "no-referrer",
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Cache-Control": "no-store",
}
MESSAGE_KINDS = frozenset({"text", "button", "location", "other"})
# What the message-number columns hold (PostgreSQL's INTEGER); a larger number is refused.
MAX_SEQ = 2**31 - 1
WEBCHAT_KEY = web.AppKey("webchat", WebChatChannel)
PUBLIC_URL_KEY = web.AppKey("webchat_public_url", str)
DEVICE_KEY = web.AppKey("webchat_device_key", bytes)
# Fair shares: each device, each network address (a school's pupils may share one) and the city.
PER_DEVICE = (20, 10.0)
PER_ADDRESS = (120, 10.0)
CITY_WIDE = (2000, 10.0)
NEW_DEVICES_PER_ADDRESS = (30, 3600.0)
CITY = "city"


class WebChatLimits:
    """How many messages a device, an address and the whole city may send in a short window."""

    def __init__(self, monotonic: Callable[[], float]) -> None:
        self.devices = ClientLimits(*PER_DEVICE, monotonic)
        self.addresses = ClientLimits(*PER_ADDRESS, monotonic)
        self.city = ClientLimits(*CITY_WIDE, monotonic)
        self.new_devices = ClientLimits(*NEW_DEVICES_PER_ADDRESS, monotonic)

    def allow(self, device: str, address: str) -> bool:
        """Counts one message against each share; the first that is full refuses it."""
        return (
            self.devices.allow(device) and self.addresses.allow(address) and self.city.allow(CITY)
        )


LIMITS_KEY = web.AppKey("webchat_limits", WebChatLimits)
WORDS = (
    "title",
    "placeholder",
    "send",
    "connecting",
    "offline",
    "online",
    "keep_place",
    "notify_on",
    "notify_off",
    "notify_done",
    "notify_stopped",
    "notify_denied",
    "notify_unavailable",
    "menu",
    "privacy",
)
# Kept files shown in the page itself; anything else is only ever downloaded.
INLINE_TYPES = frozenset({"image/png", "image/jpeg", "image/svg+xml"})
SERVICE_WORKER = "sw.js"
# The worker lives under /chat/ but looks after the page at /chat itself.
SERVICE_WORKER_SCOPE = "/chat"
MAX_SUBSCRIPTION_BYTES = 4096


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}".lower()


def in_range(value: object, lowest: int = 1) -> bool:
    """Whether a frame's number is a whole number the columns can hold (True is not a number)."""
    return isinstance(value, int) and not isinstance(value, bool) and lowest <= value <= MAX_SEQ


def allowed_origin(request: web.Request) -> bool:
    """Only colbot's own page may open the socket: its public address, or the one it serves on."""
    origin = request.headers.get("Origin", "").lower()
    own = {_origin(request.app[PUBLIC_URL_KEY]), f"{request.scheme}://{request.host}".lower()}
    return origin in own


def device_token(request: web.Request) -> str | None:
    """The device's token from its cookie, if it looks like one colbot made."""
    token = request.cookies.get(COOKIE, "")
    bare = token.replace("-", "").replace("_", "").replace(".", "", 1)
    return token if 20 <= len(token) <= 100 and bare.isascii() and bare.isalnum() else None


def page_html(channel: WebChatChannel) -> str:
    """The chat page: wording from the conversation files, escaped; no inline script or style."""
    words = {key: html.escape(channel.render(f"webchat.{key}")) for key in WORDS}
    if channel.pusher is not None:
        words["push_key"] = channel.pusher.key.public_key
    move = html.escape(channel.render("webchat_move.button"))
    data = " ".join(f'data-{key.replace("_", "-")}="{value}"' for key, value in words.items())
    return f"""<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{words["title"]}</title>
<link rel="stylesheet" href="/static/chat/chat.css">
<script src="/static/chat/chat.js" defer></script>
</head>
<body {data}>
<header><h1>{words["title"]}</h1><p id="status" role="status">{words["connecting"]}</p></header>
<main id="log" aria-live="polite"></main>
<p id="help" class="help">{words["keep_place"]}
<a href="/privacy">{words["privacy"]}</a>
<button id="move" type="button" class="chip">{move}</button>
<button id="notify" type="button" class="chip" hidden>{words["notify_on"]}</button>
<span id="notify-status" role="status"></span></p>
<ul id="menu" class="menu" hidden aria-label="{words["menu"]}"></ul>
<form id="compose" autocomplete="off">
<button id="menu-button" type="button" class="menu-button" aria-controls="menu"
 aria-expanded="false" hidden>☰ {words["menu"]}</button>
<input id="text" name="text" maxlength="{MAX_TEXT_BYTES}"
 placeholder="{words["placeholder"]}" aria-label="{words["placeholder"]}">
<button id="send" type="submit">{words["send"]}</button>
</form>
</body>
</html>
"""


async def recognised_device(request: web.Request) -> str | None:
    """The device's token when colbot made it (or, from before tokens were signed, it already
    has a chat); a made-up cookie is nobody."""
    token = device_token(request)
    if token is None:
        return None
    if device_tokens.genuine(request.app[DEVICE_KEY], token):
        return token
    return token if await request.app[WEBCHAT_KEY].known(chat_id_for(token)) else None


async def chat_page(request: web.Request) -> web.Response:
    """Serves the chat page, giving a new device its token (a few new devices an hour per
    network address, so cookies can't be minted by the thousand)."""
    channel = request.app[WEBCHAT_KEY]
    response = web.Response(text=page_html(channel), content_type="text/html", headers=CHAT_HEADERS)
    if await recognised_device(request) is None:
        new_devices = request.app[LIMITS_KEY].new_devices
        address = client_of(request)
        if not new_devices.allow(address):
            return web.Response(
                status=429,
                text=channel.render("webchat.too_many_new"),
                headers={**CHAT_HEADERS, "Retry-After": str(new_devices.retry_after(address))},
            )
        secure = urlsplit(request.app[PUBLIC_URL_KEY]).scheme == "https"
        response.set_cookie(
            COOKIE,
            device_tokens.new_token(request.app[DEVICE_KEY]),
            max_age=COOKIE_MAX_AGE_S,
            httponly=True,
            samesite="Lax",
            secure=secure,
            path="/",
        )
    return response


async def service_worker(request: web.Request) -> web.FileResponse:
    """The worker that shows Web Push notifications and opens the chat when one is tapped."""
    headers = {**CHAT_HEADERS, "Service-Worker-Allowed": SERVICE_WORKER_SCOPE}
    return web.FileResponse(STATIC_DIR / SERVICE_WORKER, headers=headers)


async def _page_device(request: web.Request) -> str:
    """The browser behind a request, refused unless it comes from colbot's own chat page."""
    if not allowed_origin(request):
        raise web.HTTPForbidden(text="origin not allowed")
    token = await recognised_device(request)
    if token is None:
        raise web.HTTPForbidden(text="no device cookie; open the chat page first")
    return chat_id_for(token)


async def _device_for_push(request: web.Request) -> str:
    """The browser behind a push request, when this colbot sends notifications at all."""
    device = await _page_device(request)
    if request.app[WEBCHAT_KEY].pusher is None:
        raise web.HTTPNotFound(text="notifications are not on for this colbot")
    return device


async def _json_body(request: web.Request) -> Any:
    raw = await request.content.read(MAX_SUBSCRIPTION_BYTES + 1)
    if len(raw) > MAX_SUBSCRIPTION_BYTES:
        raise web.HTTPRequestEntityTooLarge(max_size=MAX_SUBSCRIPTION_BYTES, actual_size=len(raw))
    try:
        return json.loads(raw)
    except ValueError as error:
        raise web.HTTPBadRequest(text="expected JSON") from error


async def push_subscribe(request: web.Request) -> web.Response:
    """The page has the young person's permission: notify this browser of what colbot sends."""
    device = await _device_for_push(request)
    try:
        subscription = read_subscription(await _json_body(request))
    except BadSubscription as error:
        raise web.HTTPBadRequest(text=f"not a push subscription: {error}") from error
    channel = request.app[WEBCHAT_KEY]
    async with channel.database.transaction() as session:
        chat_id, _ = await device_moves.resolve(session, device)
        await web_push.subscribe(session, device, chat_id, subscription, channel.clock.now())
    return web.Response(status=204, headers=CHAT_HEADERS)


async def push_unsubscribe(request: web.Request) -> web.Response:
    """Notifications turned off on this browser: forget its subscription."""
    device = await _device_for_push(request)
    body = await _json_body(request) if request.can_read_body else {}
    endpoint = body.get("endpoint") if isinstance(body, dict) else None
    channel = request.app[WEBCHAT_KEY]
    async with channel.database.transaction() as session:
        await web_push.unsubscribe(session, device, endpoint if isinstance(endpoint, str) else None)
    return web.Response(status=204, headers=CHAT_HEADERS)


async def chat_file(request: web.Request) -> web.Response:
    """A picture or file colbot sent this browser's chat; to any other browser, nothing."""
    token = device_token(request)
    if token is None:
        raise web.HTTPNotFound(text="no such file")
    channel = request.app[WEBCHAT_KEY]
    async with channel.database.reading() as session:
        chat_id, _ = await device_moves.resolve(session, chat_id_for(token))
    kept = await channel.kept_file(chat_id, request.match_info["token"])
    if kept is None:
        raise web.HTTPNotFound(text="no such file")
    shown = "inline" if kept.mime_type in INLINE_TYPES else "attachment"
    name = "".join(c for c in kept.filename if c.isalnum() or c in "._-") or "file"
    headers = {
        **CHAT_HEADERS,
        "Cache-Control": "private, max-age=86400",
        "Content-Disposition": f'{shown}; filename="{name}"',
    }
    content_type = kept.mime_type if kept.mime_type in INLINE_TYPES else "application/octet-stream"
    return web.Response(body=kept.content, content_type=content_type, headers=headers)


async def static_file(request: web.Request) -> web.FileResponse:
    """The chat's own script and style sheet; nothing else is served from here."""
    name = request.match_info["name"]
    if name not in {"chat.js", "chat.css"}:
        raise web.HTTPNotFound
    response = web.FileResponse(STATIC_DIR / name, headers=CHAT_HEADERS)
    return response


async def chat_socket(request: web.Request) -> web.StreamResponse:
    """One open page: frames in go to the channel once each; replies come back until acked."""
    device = await _page_device(request)
    channel = request.app[WEBCHAT_KEY]
    chat_id, moved_away = await channel.resolve(device)
    address = client_of(request)
    ws = web.WebSocketResponse(heartbeat=HEARTBEAT_S, max_msg_size=MAX_FRAME_BYTES)
    await ws.prepare(request)
    if moved_away is not None:
        await ws.send_json(moved_away)
    channel.opened(chat_id, ws)
    limits = request.app[LIMITS_KEY]
    try:
        async for message in ws:
            if message.type != WSMsgType.TEXT:
                continue
            await _frame(channel, device, chat_id, ws, limits, address, message.data)
    finally:
        channel.closed(chat_id, ws)
        await channel.forget_acked(chat_id)
    return ws


async def _frame(
    channel: WebChatChannel,
    device: str,
    chat_id: str,
    ws: web.WebSocketResponse,
    limits: WebChatLimits,
    address: str,
    raw: str,
) -> None:
    try:
        frame: Any = json.loads(raw)
    except ValueError:
        frame = None
    if not isinstance(frame, dict):
        await _refuse(channel, ws, {}, "webchat.bad_frame")
        return
    kind = frame.get("type")
    seq = frame.get("seq")
    if kind in MESSAGE_KINDS and not in_range(seq):
        await _refuse(channel, ws, frame, "webchat.bad_frame")
        return
    if kind == "hello":
        ack = frame.get("ack") or 0
        if in_range(ack, lowest=0):
            await channel.ack(chat_id, ack)
        else:  # the rest of the hello still stands: the page gets its menu and messages
            await _refuse(channel, ws, {}, "webchat.bad_frame")
        await ws.send_json(await channel.menu(chat_id))
        await channel.push(chat_id, only=ws)
        if frame.get("reloaded") is True:
            await channel.ask_again(chat_id)
    elif kind == "ack":
        if in_range(frame.get("id"), lowest=0):
            await channel.ack(chat_id, frame["id"])
        else:
            await _refuse(channel, ws, {}, "webchat.bad_frame")
    elif kind in MESSAGE_KINDS:
        text = frame.get("text", "")
        if isinstance(text, str) and len(text.encode()) > MAX_TEXT_BYTES:
            await _refuse(channel, ws, frame, "webchat.too_long")
        elif not limits.allow(device, address):
            await _refuse(channel, ws, frame, "webchat.too_fast")
        else:
            await channel.take(chat_id, frame, device=device, address=address)


async def _refuse(
    channel: WebChatChannel, ws: web.WebSocketResponse, frame: dict[str, Any], key: str
) -> None:
    """Says kindly why a message wasn't taken; the page stops resending it."""
    seq = frame.get("seq")
    await ws.send_json(
        {
            "type": "refused",
            "seq": seq if isinstance(seq, int) else None,
            "text": channel.render(key),
        }
    )


def install(
    app: web.Application, channel: WebChatChannel, public_url: str, device_key: bytes
) -> None:
    """Puts the web chat on the app for its handlers, closing its pages at shutdown."""
    app[WEBCHAT_KEY] = channel
    app[PUBLIC_URL_KEY] = public_url
    app[DEVICE_KEY] = device_key
    app[LIMITS_KEY] = WebChatLimits(time.monotonic)
    app.on_shutdown.append(_close_pages)


async def _close_pages(app: web.Application) -> None:
    """aiohttp's graceful shutdown would otherwise wait for every open page to leave."""
    await app[WEBCHAT_KEY].close_pages()
