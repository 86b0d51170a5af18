"""The page a venue card's QR code opens: Telegram's deep link or the web chat, with the code."""

from __future__ import annotations

import html
from collections.abc import Callable

from aiohttp import web

from colbot.channels.webchat.channel import MIN_AGE, WebChatChannel
from colbot.channels.webchat.page import CHAT_HEADERS, PUBLIC_URL_KEY, WEBCHAT_KEY
from colbot.codes import format as code_format
from colbot.codes.venue_links import web_chat_link

BotUsername = Callable[[], str]
TELEGRAM_KEY: web.AppKey[BotUsername] = web.AppKey("venue_telegram")


def page_html(channel: WebChatChannel, code: str, public_url: str, bot_username: str | None) -> str:
    """Both ways in, Telegram first only when colbot runs on Telegram; everything escaped."""
    say = channel.render
    words = {
        "title": say("webchat_venue.title"),
        "intro": say("webchat_venue.intro"),
        "webchat": say("webchat_venue.webchat"),
        "webchat_note": say("webchat_venue.webchat_note", web_min_age=MIN_AGE),
        "typed": say("webchat_venue.typed", code=code_format.display(code)),
    }
    e = {key: html.escape(value) for key, value in words.items()}
    web_link = html.escape(web_chat_link(public_url, code))
    telegram = ""
    if bot_username:
        link = html.escape(code_format.deep_link(bot_username, code))
        label = html.escape(say("webchat_venue.telegram"))
        note = html.escape(say("webchat_venue.telegram_note"))
        telegram = f'<li><a class="way" href="{link}">{label}</a><p>{note}</p></li>\n'
    return f"""<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex">
<title>{e["title"]}</title>
<link rel="stylesheet" href="/static/chat/chat.css">
</head>
<body class="venue">
<header><h1>{e["title"]}</h1></header>
<main>
<p>{e["intro"]}</p>
<ul class="ways">
{telegram}<li><a class="way" href="{web_link}">{e["webchat"]}</a><p>{e["webchat_note"]}</p></li>
</ul>
<p class="help">{e["typed"]}</p>
</main>
</body>
</html>
"""


async def venue_page(request: web.Request) -> web.Response:
    """Offers the two channels for the code in the address; a malformed one gets a kind 404."""
    # Nothing is looked up: the page is the same for every well-formed code, so it tells a
    # guesser nothing.
    channel = request.app[WEBCHAT_KEY]
    code = code_format.normalise(request.match_info["code"])
    if code is None:
        raise web.HTTPNotFound(
            text=channel.render("webchat_venue.not_a_code"), headers=CHAT_HEADERS
        )
    telegram = request.app[TELEGRAM_KEY]()
    text = page_html(channel, code, request.app[PUBLIC_URL_KEY], telegram or None)
    return web.Response(text=text, content_type="text/html", headers=CHAT_HEADERS)


def install(app: web.Application, bot_username: BotUsername) -> None:
    """Tells the venue page the bot's Telegram name (empty while Telegram is off)."""
    app[TELEGRAM_KEY] = bot_username
