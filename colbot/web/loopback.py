"""colbot's own published documents, fetched from the very server that serves this request."""

# Badge checks must read the issuer's profile, keys and revocation lists. Whatever colbot
# publishes under its public address is fetched from its own listening socket, so a check
# sees exactly what a stranger would, never leaves the machine and never reaches another site.

from __future__ import annotations

import ipaddress

import aiohttp
from aiohttp import web

from colbot.openbadges.baking import MAX_INPUT_BYTES
from colbot.web.site import DocumentSource

FETCH_TIMEOUT_S = 5.0
OK = 200


def _own_address(request: web.Request) -> str | None:
    """http://host:port of the socket this request came in on."""
    transport = request.transport
    sockname = transport.get_extra_info("sockname") if transport is not None else None
    if not isinstance(sockname, tuple) or len(sockname) < 2:
        return None
    address, port = ipaddress.ip_address(str(sockname[0])), int(sockname[1])
    if address.is_unspecified:
        address = ipaddress.ip_address("::1" if address.version == 6 else "127.0.0.1")
    host = f"[{address}]" if address.version == 6 else str(address)
    return f"http://{host}:{port}"


def loopback_source(
    request: web.Request, public_url: str, client: aiohttp.ClientSession
) -> DocumentSource:
    """Answers URLs under colbot's public address by asking this same server for the path."""
    base = _own_address(request)
    prefix = public_url.rstrip("/") + "/"

    async def source(url: str) -> tuple[str, bytes] | None:
        if base is None or not url.startswith(prefix):
            return None
        path = url[len(prefix) - 1 :]
        timeout = aiohttp.ClientTimeout(total=FETCH_TIMEOUT_S)
        async with client.get(base + path, allow_redirects=False, timeout=timeout) as response:
            if response.status != OK:
                return None
            body = await response.content.read(MAX_INPUT_BYTES + 1)
            return response.content_type, body

    return source
