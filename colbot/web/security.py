"""Headers that keep public pages private, unframed and free of anyone else's code."""

from __future__ import annotations

from aiohttp import web
from aiohttp.typedefs import Handler

from colbot.web.site import SITE_KEY

PUBLIC_PAGES = ("/", "/partners", "/privacy")
PUBLIC_PREFIXES = ("/j/", "/verify", "/artwork/", "/static/journey", "/robots.txt", "/wallet/")
CONTENT_SECURITY_POLICY = (
    "default-src 'none'; img-src 'self'; style-src 'self'; form-action 'self'; "
    "base-uri 'none'; frame-ancestors 'none'"
)
SECURITY_HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Robots-Tag": "noindex, nofollow, noarchive",
    "Referrer-Policy": "no-referrer",
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Cross-Origin-Resource-Policy": "same-origin",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=(), interest-cohort=()",
}
# An SVG opened by itself is a document that could run script: it keeps its inline styles, no more.
SVG_POLICY = "default-src 'none'; style-src 'unsafe-inline'"
SVG_HEADERS = {"Content-Security-Policy": SVG_POLICY, "X-Content-Type-Options": "nosniff"}
NO_STORE = "no-store"
ROBOTS_TXT = "User-agent: *\nDisallow: /j/\nDisallow: /verify\nDisallow: /wallet/\n"


def not_found(request: web.Request) -> web.Response:
    """The one 404 page for every missing, switched-off or replaced link: it says nothing more."""
    site = request.app[SITE_KEY]
    return site.pages.response("journey/not_found.html", status=404, site=site)


@web.middleware
async def public_headers(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Adds the security headers to colbot's public pages, and gives them one 404 page."""
    if request.path not in PUBLIC_PAGES and not request.path.startswith(PUBLIC_PREFIXES):
        return await handler(request)
    try:
        response = await handler(request)
    except web.HTTPNotFound:
        response = not_found(request)
    except web.HTTPException as error:
        error.headers.update(SECURITY_HEADERS)
        raise
    response.headers.update(SECURITY_HEADERS)
    response.headers.setdefault("Cache-Control", NO_STORE)
    return response


async def robots(request: web.Request) -> web.Response:
    """Asks search engines to keep out of journeys and the checker."""
    return web.Response(text=ROBOTS_TXT, content_type="text/plain")
