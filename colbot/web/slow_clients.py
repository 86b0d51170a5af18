"""How long a client may take to send its request, so trickled headers or bodies hold nothing."""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from typing import Any

from aiohttp import web
from aiohttp.http_exceptions import HttpProcessingError
from aiohttp.typedefs import Handler

log = logging.getLogger(__name__)
AIOHTTP_SERVER_LOGGER = "aiohttp.server"
TOO_SLOW = "That took too long to arrive, so colbot stopped waiting. Please try again."


@dataclass(frozen=True)
class ClientTimeouts:
    """The longest colbot waits for a request's headers, and for its body to arrive."""

    # From the connection opening (or the last answer on it) to the end of the next request's
    # headers: aiohttp's keep-alive timer already runs over exactly that span.
    headers_s: float = 20.0
    body_grace_s: float = 10.0
    # A phone on a poor signal still manages this; a client trickling a byte at a time does not.
    slowest_body_bytes_per_s: int = 16 * 1024

    def runner_options(self) -> dict[str, Any]:
        """What aiohttp's AppRunner takes to close a connection whose headers never finish."""
        return {"keepalive_timeout": self.headers_s}

    def body_deadline_s(self, content_length: int | None, most_bytes: int) -> float:
        """The seconds a body of this length may take; an unknown length counts as the largest."""
        length = most_bytes if content_length is None else min(content_length, most_bytes)
        return self.body_grace_s + length / self.slowest_body_bytes_per_s


TIMEOUTS_KEY = web.AppKey("client_timeouts", ClientTimeouts)


@web.middleware
async def body_deadline(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Answers 408 if a request's body has not all arrived in time, however the handler reads it.

    The deadline is lifted the moment the last byte arrives, so slow work after that (checking a
    badge, say) is never cut short.
    """
    if not request.body_exists or request.content.is_eof():
        return await handler(request)
    timeouts = request.app[TIMEOUTS_KEY]
    seconds = timeouts.body_deadline_s(request.content_length, request.client_max_size)
    try:
        async with asyncio.timeout(seconds) as window:
            request.content.on_eof(lambda: window.reschedule(None))
            return await handler(request)
    except TimeoutError:
        if not window.expired():
            raise
        log.info("gave up on a request body that was still arriving after %.0f s", seconds)
        return web.Response(status=408, text=TOO_SLOW, headers={"Connection": "close"})


class ClientMistakes(logging.Filter):
    """Malformed requests (headers too long, bad syntax) are the client's doing, not colbot's.

    aiohttp logs each as an ERROR with a traceback, which would page whoever runs colbot for a
    port scan; this keeps them as one INFO line naming the mistake. aiohttp still answers 400.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        error = record.exc_info[1] if record.exc_info else None
        if isinstance(error, HttpProcessingError) and 400 <= error.code < 500:
            record.levelno, record.levelname = logging.INFO, logging.getLevelName(logging.INFO)
            record.msg = "refused a malformed request from %s (%s)"
            client = record.args[0] if isinstance(record.args, tuple) else "?"
            record.args = (client, type(error).__name__)
            record.exc_info = record.exc_text = None
        return True


def quieten_client_mistakes() -> None:
    """Installs ClientMistakes on aiohttp's server logger, once however often colbot starts."""
    server_log = logging.getLogger(AIOHTTP_SERVER_LOGGER)
    if not any(isinstance(each, ClientMistakes) for each in server_log.filters):
        server_log.addFilter(ClientMistakes())
