"""colbot/routes.py is the whole web app: no feature adds a URL anywhere else."""

from __future__ import annotations

from aiohttp import web

from colbot.app import build_app
from colbot.clock import FrozenClock
from colbot.routes import routes
from colbot.settings import Settings
from colbot.web.operations import Operations


def _served(app: web.Application) -> set[tuple[str, str]]:
    return {
        (route.method, route.resource.canonical)
        for route in app.router.routes()
        if route.resource is not None and route.method != "HEAD"
    }


def test_every_url_served_is_one_routes_py_lists(settings: Settings, clock: FrozenClock) -> None:
    colbot = build_app(settings, clock=clock)
    badge_pages = next(
        route.handler.__self__  # type: ignore[attr-defined]
        for route in colbot.web_app.router.routes()
        if getattr(route.handler, "__name__", "") == "profile"
    )
    only_the_list = web.Application()
    only_the_list.add_routes(routes(Operations(colbot.database, None), badge_pages, None))
    assert _served(colbot.web_app) == _served(only_the_list)


def test_the_public_pages_and_the_chat_are_all_there(
    settings: Settings, clock: FrozenClock
) -> None:
    served = _served(build_app(settings, clock=clock).web_app)
    paths = {path for _, path in served}
    for path in ("/healthz", "/readyz", "/metrics", "/chat", "/chat/ws", "/verify", "/dashboard"):
        assert path in paths
    assert ("POST", "/telegram/webhook") not in served  # only in webhook mode
