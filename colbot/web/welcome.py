"""The front door: what colbot is for this city and where to go next, instead of a bare 404."""

from __future__ import annotations

from aiohttp import web

from colbot.web.site import SITE_KEY

HOME = "/"
PARTNER_HELP = "/partners"
CHAT = "/chat"
VERIFY = "/verify"


async def home_page(request: web.Request) -> web.Response:
    """Says what this is for the city, with links to the web chat, the checker and partner help."""
    site = request.app[SITE_KEY]
    return site.pages.response(
        "welcome/home.html", site=site, chat=CHAT, verify=VERIFY, partner_help=PARTNER_HELP
    )


async def partner_help(request: web.Request) -> web.Response:
    """How a partner organisation joins, makes completion codes and sees its figures."""
    site = request.app[SITE_KEY]
    return site.pages.response("welcome/partners.html", site=site, chat=CHAT, home=HOME)
