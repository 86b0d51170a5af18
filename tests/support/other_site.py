"""Another website on its own loopback port, whose page makes the browser post a form elsewhere."""

from __future__ import annotations

import html
from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager

from aiohttp import web

from tests.support.demo import free_port

HOST = "127.0.0.1"


def auto_submitting_form(action: str, fields: Mapping[str, str]) -> str:
    """A page that posts the form to `action` the moment it loads, as a hostile page would."""
    inputs = "".join(
        f'<input type="hidden" name="{html.escape(name)}" value="{html.escape(value)}">'
        for name, value in fields.items()
    )
    return (
        "<!doctype html><title>You have won</title>"
        f'<form method="post" action="{html.escape(action)}">{inputs}</form>'
        "<script>document.forms[0].submit()</script>"
    )


@asynccontextmanager
async def other_site(page: str) -> AsyncIterator[str]:
    """Serves one page at / on another port; yields its address."""

    async def serve(request: web.Request) -> web.Response:
        return web.Response(text=page, content_type="text/html")

    app = web.Application()
    app.router.add_get("/", serve)
    runner = web.AppRunner(app)
    await runner.setup()
    port = free_port()
    await web.TCPSite(runner, HOST, port).start()
    try:
        yield f"http://{HOST}:{port}/"
    finally:
        await runner.cleanup()
