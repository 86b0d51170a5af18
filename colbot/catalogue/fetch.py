"""Reading a followed feed's page over HTTP: only public http(s) addresses, within limits."""

from __future__ import annotations

import socket
from dataclasses import dataclass
from urllib.parse import urljoin, urlsplit

import aiohttp
from aiohttp.abc import AbstractResolver, ResolveResult
from aiohttp.resolver import DefaultResolver

from colbot.domain.internal_hosts import InternalHosts, is_private_host, url_shape

MAX_PAGE_BYTES = 10 * 1024 * 1024
PAGE_TIMEOUT_S = 30.0
MAX_REDIRECTS = 5
CHUNK_BYTES = 64 * 1024
REDIRECTS = frozenset({301, 302, 303, 307, 308})
NO_INTERNAL = InternalHosts()


class FetchRefused(Exception):
    """A page that was not read, and why, in words for the city team."""


@dataclass(frozen=True)
class Page:
    """What a server answered: 200 with a body, or 304 (nothing new), with its cache headers."""

    url: str
    status: int
    body: bytes
    etag: str | None
    last_modified: str | None


def refusal(url: str, allow_private: bool, internal: InternalHosts = NO_INTERNAL) -> str | None:
    """Why colbot may not fetch url, or None when it may."""
    reason = refused_because(url, allow_private, internal)
    if reason is None:
        return None
    if reason == "private":
        return f"colbot never reads internal addresses such as {urlsplit(url).hostname}"
    if reason == "user_name":
        return f"colbot never reads addresses that carry a user name, such as {url}"
    if reason == "not_http":
        return f"{url!r} is not an http:// or https:// address"
    return f"{url!r} is not a web address"


def refused_because(
    url: str, allow_private: bool, internal: InternalHosts = NO_INTERNAL
) -> str | None:
    """Which rule refuses url (not_address, not_http, user_name, private), or None.

    Hosts the deployment marks internal (COLBOT_INTERNAL_HOSTS) are refused even where private
    addresses are allowed: those are the city's own network, not a partner's feed.
    """
    shape = url_shape(url)
    if shape.broken is not None:
        return shape.broken
    if internal.covers(shape.host) or (not allow_private and is_private_host(shape.host)):
        return "private"
    return None


class InternalAddress(OSError):
    """A host whose name looks public but whose address is internal (say, a rebinding name)."""


class GuardedResolver(AbstractResolver):
    """Resolves names as usual, then drops every address the feed guard would refuse.

    Checking the URL's host alone would let a public-looking name that resolves to 127.0.0.1
    or 10.0.0.5 through; this checks the addresses aiohttp will really connect to.
    """

    def __init__(self, allow_private: bool, internal: InternalHosts) -> None:
        self.allow_private = allow_private
        self.internal = internal
        self.resolver = DefaultResolver()

    async def resolve(
        self, host: str, port: int = 0, family: socket.AddressFamily = socket.AF_INET
    ) -> list[ResolveResult]:
        """The host's addresses that colbot may read from; none is an error, not a fallback."""
        found = await self.resolver.resolve(host, port, family)
        allowed = [entry for entry in found if self._allowed(entry["host"])]
        if not allowed:
            raise InternalAddress(f"{host} points to an internal address")
        return allowed

    def _allowed(self, address: str) -> bool:
        if self.internal.covers(address):
            return False
        return self.allow_private or not is_private_host(address.split("%", 1)[0])

    async def close(self) -> None:
        """Closes the resolver underneath."""
        await self.resolver.close()


def feed_client(
    allow_private: bool, internal: InternalHosts = NO_INTERNAL
) -> aiohttp.ClientSession:
    """An HTTP client whose every connection passes the feed guard, at the address level too."""
    connector = aiohttp.TCPConnector(resolver=GuardedResolver(allow_private, internal))
    return aiohttp.ClientSession(connector=connector, trust_env=False)


class RetryLater(FetchRefused):
    """The server asked to be left alone for a while (429 or 503 with Retry-After)."""

    def __init__(self, message: str, seconds: float) -> None:
        super().__init__(message)
        self.seconds = seconds


async def fetch(
    client: aiohttp.ClientSession,
    url: str,
    *,
    allow_private: bool,
    internal: InternalHosts = NO_INTERNAL,
    etag: str | None = None,
    last_modified: str | None = None,
) -> Page:
    """One page, following at most MAX_REDIRECTS redirects, each checked like the first."""
    headers = {"Accept": "application/json, text/calendar;q=0.9, */*;q=0.1"}
    if etag:
        headers["If-None-Match"] = etag
    if last_modified:
        headers["If-Modified-Since"] = last_modified
    timeout = aiohttp.ClientTimeout(total=PAGE_TIMEOUT_S)
    for _ in range(MAX_REDIRECTS + 1):
        why = refusal(url, allow_private, internal)
        if why is not None:
            raise FetchRefused(why)
        try:
            async with client.get(
                url, headers=headers, allow_redirects=False, timeout=timeout
            ) as response:
                if response.status in REDIRECTS and "Location" in response.headers:
                    url = urljoin(url, response.headers["Location"])
                    continue
                if response.status in {429, 503}:
                    raise RetryLater(
                        f"{url} answered {response.status}: busy, try later",
                        _retry_after(response.headers.get("Retry-After")),
                    )
                if response.status == 304:
                    return Page(url, 304, b"", etag, last_modified)
                if response.status != 200:
                    raise FetchRefused(f"{url} answered {response.status} {response.reason}")
                body = bytearray()
                async for chunk in response.content.iter_chunked(CHUNK_BYTES):
                    body += chunk
                    if len(body) > MAX_PAGE_BYTES:
                        raise FetchRefused(f"{url} is larger than {MAX_PAGE_BYTES // 2**20} MB")
                return Page(
                    url,
                    200,
                    bytes(body),
                    response.headers.get("ETag"),
                    response.headers.get("Last-Modified"),
                )
        except TimeoutError:
            raise FetchRefused(f"{url} did not answer within {PAGE_TIMEOUT_S:.0f} s") from None
        except aiohttp.ClientConnectorError as exc:
            if isinstance(exc.os_error, InternalAddress):
                raise FetchRefused(
                    f"colbot never reads internal addresses: {exc.os_error}"
                ) from None
            raise FetchRefused(f"{url} could not be read: {exc}") from None
        except aiohttp.ClientError as exc:
            raise FetchRefused(f"{url} could not be read: {exc}") from None
    raise FetchRefused(f"{url} redirected more than {MAX_REDIRECTS} times")


def _retry_after(value: str | None) -> float:
    """Retry-After in seconds (colbot reads the seconds form; a date counts as an hour)."""
    if value and value.strip().isdigit():
        return float(value.strip())
    return 3600.0
