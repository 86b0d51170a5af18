"""Documents a verifier must fetch come through a caller-supplied function, once each."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any
from urllib.parse import urldefrag, urlsplit

from colbot.openbadges.baking import MAX_INPUT_BYTES, check_size
from colbot.openbadges.errors import BadgeError

# fetch(url) -> (content type, body); it may raise anything when the URL cannot be read.
Fetch = Callable[[str], tuple[str, bytes]]

FETCHABLE_SCHEMES = ("https", "http")


class Unreachable(BadgeError):
    """A document a badge points at could not be fetched or read."""


class Fetcher:
    """Fetches each URL at most once per verification, only over HTTP(S), within size limits."""

    def __init__(self, fetch: Fetch, limit: int = MAX_INPUT_BYTES) -> None:
        self._fetch = fetch
        self._limit = limit
        self._bodies: dict[str, bytes] = {}

    def body(self, url: object, what: str) -> bytes:
        """The bytes at url (fragment removed); raises Unreachable with a reason."""
        if not isinstance(url, str):
            raise Unreachable(f"the {what} is not given as a URL: {url!r}")
        address = urldefrag(url).url
        if urlsplit(address).scheme not in FETCHABLE_SCHEMES:
            raise Unreachable(f"refusing to fetch the {what} from {url!r}: not an HTTP(S) URL")
        if address not in self._bodies:
            try:
                _content_type, body = self._fetch(address)
            except Exception as error:  # the caller's fetch may fail in any way it likes
                raise Unreachable(f"could not fetch the {what} at {address}: {error}") from error
            try:
                check_size(body, self._limit)
            except BadgeError as error:
                raise Unreachable(f"the {what} at {address} is too large: {error}") from error
            self._bodies[address] = body
        return self._bodies[address]

    def document(self, url: object, what: str) -> dict[str, Any]:
        """The JSON object at url; raises Unreachable if it is missing or not a JSON object."""
        body = self.body(url, what)
        try:
            parsed = json.loads(body)
        except (ValueError, UnicodeDecodeError) as error:
            raise Unreachable(f"the {what} at {url} is not JSON") from error
        if not isinstance(parsed, dict):
            raise Unreachable(f"the {what} at {url} is not a JSON object")
        return parsed
