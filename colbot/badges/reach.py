"""Which URLs a badge check may read: colbot's published documents, never its other pages."""

# Badge checks read only what colbot publishes itself. A badge is written by whoever made it, so
# every URL in it (a pasted link, an issuer, a key, a status list) is judged here before any
# document source is asked, whatever those sources could reach.

from __future__ import annotations

import re
from dataclasses import dataclass, field
from urllib.parse import SplitResult, urlsplit

from colbot.badges.urls import DOCUMENT_PREFIXES
from colbot.domain.internal_hosts import (
    NOT_ADDRESS,
    NOT_HTTP,
    USER_NAME,
    InternalHosts,
    is_private_host,
    url_shape,
)

# Percent-escapes, backslashes and empty segments could make a path mean another route.
PLAIN_SEGMENT = re.compile(r"[A-Za-z0-9_~!$&'()*+,;=:@.-]+")
DOT_SEGMENTS = (".", "..")


def _published(path: str) -> bool:
    """Whether a path under the public URL is a plain path into colbot's badge documents."""
    segments = path.split("/")[1:]
    return path.startswith(DOCUMENT_PREFIXES) and all(
        PLAIN_SEGMENT.fullmatch(segment) and segment not in DOT_SEGMENTS for segment in segments
    )


@dataclass(frozen=True)
class Reach:
    """colbot's public address, and the hosts its deployment marks internal."""

    public_url: str
    internal: InternalHosts = field(default_factory=InternalHosts)

    def _own_refusal(self, url: str, parts: SplitResult, own: SplitResult) -> str | None:
        """Why a URL under colbot's own address is not one a check may read, if it is not."""
        base = own.path.rstrip("/")
        under = parts.path.startswith(base + "/") and _published(parts.path[len(base) :])
        if parts.query or not under:
            return f"{url} is not one of the badge documents colbot publishes"
        return None

    def refusal(self, url: str) -> str | None:
        """Why a badge check may not read url, or None when it may."""
        shape = url_shape(url)
        if shape.broken == NOT_ADDRESS or shape.parts is None:
            return f"{url!r} is not a URL colbot can read"
        if shape.broken == NOT_HTTP:
            return f"{url!r} is not an http(s) URL"
        if shape.broken == USER_NAME:
            return f"colbot never reads URLs that carry a user name, such as {url}"
        parts, host = shape.parts, shape.host
        own = urlsplit(self.public_url)
        if (parts.scheme, parts.netloc.lower()) == (own.scheme, own.netloc.lower()):
            return self._own_refusal(url, parts, own)
        if self.internal.covers(host) or is_private_host(host):
            return f"colbot never reads internal addresses such as {host}"
        return None
