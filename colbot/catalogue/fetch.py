"""Reading a followed feed's page over HTTP: only public http(s) addresses, within limits."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urljoin, urlsplit

import aiohttp

from colbot.domain.internal_hosts import is_private_host

MAX_PAGE_BYTES = 10 * 1024 * 1024
PAGE_TIMEOUT_S = 30.0
MAX_REDIRECTS = 5
CHUNK_BYTES = 64 * 1024
REDIRECTS = frozenset({301, 302, 303, 307, 308})


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


def refusal(url: str, allow_private: bool) -> str | None:
    """Why colbot may not fetch url, or None when it may."""
    reason = refused_because(url, allow_private)
    if reason is None:
        return None
    if reason == "private":
        return f"colbot never reads internal addresses such as {urlsplit(url).hostname}"
    if reason == "user_name":
        return f"colbot never reads addresses that carry a user name, such as {url}"
    if reason == "not_http":
        return f"{url!r} is not an http:// or https:// address"
    return f"{url!r} is not a web address"


def refused_because(url: str, allow_private: bool) -> str | None:
    """Which rule refuses url (not_address, not_http, user_name, private), or None."""
    try:
        parts = urlsplit(url)
        host = parts.hostname
        _ = parts.port
    except ValueError:
        return "not_address"
    if parts.scheme not in {"http", "https"} or not host:
        return "not_http"
    if parts.username is not None or parts.password is not None:
        return "user_name"
    if not allow_private and is_private_host(host):
        return "private"
    return None


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
        why = refusal(url, allow_private)
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
        except aiohttp.ClientError as exc:
            raise FetchRefused(f"{url} could not be read: {exc}") from None
    raise FetchRefused(f"{url} redirected more than {MAX_REDIRECTS} times")


def _retry_after(value: str | None) -> float:
    """Retry-After in seconds (colbot reads the seconds form; a date counts as an hour)."""
    if value and value.strip().isdigit():
        return float(value.strip())
    return 3600.0
