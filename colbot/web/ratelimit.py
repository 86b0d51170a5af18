"""Fair shares of a busy resource: at most so many uses per client in a sliding window."""

from __future__ import annotations

from collections import OrderedDict, deque
from collections.abc import Callable
from ipaddress import IPv4Network, IPv6Network, ip_address, ip_network

from aiohttp import web

MAX_CLIENTS_REMEMBERED = 10_000


class ClientLimits:
    """Counts each client's recent uses; the least recently seen clients are forgotten first."""

    def __init__(self, most: int, window_s: float, monotonic: Callable[[], float]) -> None:
        self.most = most
        self.window_s = window_s
        self._monotonic = monotonic
        self._uses: OrderedDict[str, deque[float]] = OrderedDict()

    def allow(self, client: str) -> bool:
        """Counts one use by a client, saying whether it fits in the window."""
        now = self._monotonic()
        uses = self._uses.pop(client, None) or deque()
        while uses and now - uses[0] > self.window_s:
            uses.popleft()
        allowed = len(uses) < self.most
        if allowed:
            uses.append(now)
        self._uses[client] = uses
        while len(self._uses) > MAX_CLIENTS_REMEMBERED:
            self._uses.popitem(last=False)
        return allowed

    def exhausted(self, client: str) -> bool:
        """Whether the client's share is used up, without counting a use."""
        uses = self._uses.get(client)
        if not uses:
            return False
        now = self._monotonic()
        while uses and now - uses[0] > self.window_s:
            uses.popleft()
        return len(uses) >= self.most

    def retry_after(self, client: str) -> int:
        """Whole seconds until the client's oldest counted use leaves the window."""
        uses = self._uses.get(client)
        if not uses:
            return 0
        return max(1, int(self.window_s - (self._monotonic() - uses[0])) + 1)


Networks = tuple[IPv4Network | IPv6Network, ...]
# The proxies whose X-Forwarded-For is believed (COLBOT_TRUSTED_PROXIES); none unless set.
TRUSTED_PROXIES_KEY = web.AppKey("trusted_proxies", tuple)


def parse_networks(raw: str) -> Networks:
    """Addresses and networks, comma-separated (`127.0.0.1,10.0.0.0/8`); a bad one raises."""
    return tuple(ip_network(part.strip(), strict=False) for part in raw.split(",") if part.strip())


def _within(address: str, networks: Networks) -> bool:
    try:
        ip = ip_address(address)
    except ValueError:
        return False
    return any(ip in network for network in networks)


def client_of(request: web.Request) -> str:
    """The address a request came from; behind a trusted proxy, the nearest hop it vouches for.

    Without this every page behind the proxy would share the proxy's one address, and its
    allowance of new devices and messages.
    """
    remote = request.remote or "unknown"
    proxies: Networks = request.app.get(TRUSTED_PROXIES_KEY, ())
    if not proxies or not _within(remote, proxies):
        return remote
    hops = ",".join(request.headers.getall("X-Forwarded-For", ())).split(",")
    for hop in reversed([hop.strip() for hop in hops]):
        if hop and not _within(hop, proxies):
            return hop
    return remote
