"""python-telegram-bot's Bot API calls over aiohttp, the HTTP library colbot already serves with.

Measured on one core against the Bot API double (issue 18), a message sent through PTB's own
httpx request costs about 2 ms of CPU and through aiohttp's client about 0.25 ms. colbot sends
about two messages an update, so the HTTP client was a quarter of an update's time. This follows
PTB's documented way to swap it (a `BaseRequest` subclass, like ptbcontrib's `AiohttpRequest`,
which is not on PyPI), keeping PTB's timeouts and its errors.
"""

from __future__ import annotations

import logging

import aiohttp
from telegram.error import NetworkError, TimedOut
from telegram.request import BaseRequest, RequestData

log = logging.getLogger(__name__)

# PTB's own defaults for its httpx request, so swapping the client changes no behaviour.
CONNECT_TIMEOUT_S = 5.0
READ_TIMEOUT_S = 5.0
WRITE_TIMEOUT_S = 5.0
POOL_TIMEOUT_S = 1.0
MEDIA_WRITE_TIMEOUT_S = 20.0
POOL_SIZE = 256  # what PTB's ApplicationBuilder gives its bot's httpx request
POOL_FULL = (
    "Pool timeout: all connections to the Bot API are busy, so the request was not sent. "
    "Consider a larger connection pool or a longer pool timeout."
)

Timeout = float | None


class AiohttpRequest(BaseRequest):
    """Bot API requests through one aiohttp session, opened when PTB initialises the bot."""

    __slots__ = ("_media_write_timeout", "_pool_size", "_session", "_timeouts")

    def __init__(
        self,
        pool_size: int = POOL_SIZE,
        connect_timeout: Timeout = CONNECT_TIMEOUT_S,
        read_timeout: Timeout = READ_TIMEOUT_S,
        write_timeout: Timeout = WRITE_TIMEOUT_S,
        pool_timeout: Timeout = POOL_TIMEOUT_S,
        media_write_timeout: Timeout = MEDIA_WRITE_TIMEOUT_S,
    ) -> None:
        self._pool_size = pool_size
        self._timeouts = (connect_timeout, read_timeout, write_timeout, pool_timeout)
        self._media_write_timeout = media_write_timeout
        self._session: aiohttp.ClientSession | None = None

    @property
    def read_timeout(self) -> Timeout:
        """The read timeout PTB adds a long poll's own timeout to."""
        return self._timeouts[1]

    async def initialize(self) -> None:
        """Opens the session on the running loop; again after a shutdown, as PTB allows."""
        if self._session is None or self._session.closed:
            connector = aiohttp.TCPConnector(limit=self._pool_size)
            self._session = aiohttp.ClientSession(
                connector=connector, headers={"User-Agent": self.USER_AGENT}
            )

    async def shutdown(self) -> None:
        """Closes the session and its connections."""
        if self._session is not None and not self._session.closed:
            await self._session.close()

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        read_timeout: Timeout | object = BaseRequest.DEFAULT_NONE,
        write_timeout: Timeout | object = BaseRequest.DEFAULT_NONE,
        connect_timeout: Timeout | object = BaseRequest.DEFAULT_NONE,
        pool_timeout: Timeout | object = BaseRequest.DEFAULT_NONE,
    ) -> tuple[int, bytes]:
        """One call: its HTTP status and body, or PTB's TimedOut or NetworkError."""
        if self._session is None or self._session.closed:
            raise RuntimeError("This AiohttpRequest is not initialized!")
        has_files = request_data is not None and request_data.contains_files
        connect_default, read_default, write_default, pool_default = self._timeouts
        timeout = _client_timeout(
            connect=_given(connect_timeout, connect_default),
            read=_given(read_timeout, read_default),
            write=_given(write_timeout, self._media_write_timeout if has_files else write_default),
            pool=_given(pool_timeout, pool_default),
        )
        try:
            async with self._session.request(
                method, url, data=_body(request_data), timeout=timeout
            ) as response:
                body = await response.read()
        except aiohttp.ConnectionTimeoutError as error:
            raise TimedOut(POOL_FULL) from error
        except TimeoutError as error:
            raise TimedOut from error
        except aiohttp.ClientError as error:
            raise NetworkError(f"aiohttp.{type(error).__name__}: {error}") from error
        # As httpx logged each call, so a DEBUG log still shows them (the token masked by
        # colbot's log filter).
        log.debug("HTTP Request: %s %s %d", method, url, response.status)
        return response.status, body


def _given(value: Timeout | object, default: Timeout) -> Timeout:
    """A timeout the call named, or the request's own when it left PTB's default."""
    if value is BaseRequest.DEFAULT_NONE:
        return default
    return value if value is None else float(value)  # type: ignore[arg-type]


def _client_timeout(
    connect: Timeout, read: Timeout, write: Timeout, pool: Timeout
) -> aiohttp.ClientTimeout:
    """PTB's four timeouts in aiohttp's terms.

    aiohttp's `connect` covers waiting for a free connection and opening a new one, so it gets
    both; it has no write timeout of its own, so the whole call is held to the sum of the four
    and a call that hangs while sending still ends (PTB's long poll adds its wait to `read`).
    """
    total = _sum(connect, read, write, pool)
    return aiohttp.ClientTimeout(
        total=total, connect=_sum(pool, connect), sock_connect=connect, sock_read=read
    )


def _sum(*timeouts: Timeout) -> Timeout:
    """Timeouts added up; no limit if any of them has none."""
    return None if any(t is None for t in timeouts) else sum(t for t in timeouts if t is not None)


def _body(request_data: RequestData | None) -> aiohttp.FormData | dict[str, str] | None:
    """The call's parameters, form-encoded as PTB's own request sends them; multipart with files."""
    if request_data is None:
        return None
    parameters = request_data.json_parameters
    if not request_data.contains_files:
        return parameters or None
    form = aiohttp.FormData(parameters)
    for name, (filename, content, content_type) in request_data.multipart_data.items():
        form.add_field(name, content, filename=filename, content_type=content_type)
    return form
