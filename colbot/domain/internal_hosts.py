"""Addresses colbot must never fetch: hosts its deployment marks internal, and non-public ones."""

from __future__ import annotations

import ipaddress
import re
from dataclasses import dataclass
from urllib.parse import SplitResult, urlsplit

Address = ipaddress.IPv4Address | ipaddress.IPv6Address
Network = ipaddress.IPv4Network | ipaddress.IPv6Network
HOSTNAME = re.compile(r"[a-z0-9_]([a-z0-9_-]*[a-z0-9_])?(\.[a-z0-9_]([a-z0-9_-]*[a-z0-9_])?)*")
NUMERIC_LABEL = re.compile(r"0x[0-9a-f]*|[0-9]+")
READABLE_SCHEMES = ("http", "https")
# Why a URL's shape refuses it, before any host is judged.
NOT_ADDRESS = "not_address"
NOT_HTTP = "not_http"
USER_NAME = "user_name"
LOCALHOST = "localhost"


def _name(host: str) -> str:
    """A host as DNS compares it: lower case, without a trailing dot or IPv6 brackets."""
    return host.strip().lower().rstrip(".").removeprefix("[").removesuffix("]")


def _address(name: str) -> Address | None:
    """The IP address a host is written as, if it is one; IPv4 for an IPv4-mapped IPv6 address."""
    try:
        address = ipaddress.ip_address(name)
    except ValueError:
        return None
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return address.ipv4_mapped
    return address


@dataclass(frozen=True)
class InternalHosts:
    """Hostnames (each with every name under it) and networks that the deployment keeps inside."""

    names: frozenset[str] = frozenset()
    networks: tuple[Network, ...] = ()

    def covers(self, host: str) -> bool:
        """Whether a URL's host is one the deployment marks internal."""
        name = _name(host)
        if any(name == internal or name.endswith("." + internal) for internal in self.names):
            return True
        address = _address(name)
        return address is not None and any(address in network for network in self.networks)


def parse_internal_hosts(text: str) -> InternalHosts:
    """Comma-separated hostnames and CIDR networks (an address alone is a network of one)."""
    names: set[str] = set()
    networks: list[Network] = []
    for part in (piece.strip() for piece in text.split(",")):
        if not part:
            continue
        try:
            networks.append(ipaddress.ip_network(part, strict=False))
            continue
        except ValueError:
            pass
        name = _name(part)
        if not HOSTNAME.fullmatch(name) or all(NUMERIC_LABEL.fullmatch(x) for x in name.split(".")):
            raise ValueError(f"{part!r} is neither a hostname nor a network such as 10.0.0.0/8")
        names.add(name)
    return InternalHosts(frozenset(names), tuple(networks))


def is_private_host(host: str) -> bool:
    """Whether a host names this machine or a private, link-local or other non-public address."""
    name = _name(host)
    if name == LOCALHOST or name.endswith("." + LOCALHOST):
        return True
    address = _address(name)
    if address is not None:
        return not address.is_global or address.is_multicast
    # Spellings such as 2130706433 or 0x7f.1 reach 127.0.0.1 through some resolvers.
    return all(NUMERIC_LABEL.fullmatch(label) for label in name.split("."))


@dataclass(frozen=True)
class UrlShape:
    """A URL split into its parts, or the first rule of shape it breaks."""

    parts: SplitResult | None
    broken: str | None  # NOT_ADDRESS, NOT_HTTP or USER_NAME; None when the shape is fine

    @property
    def host(self) -> str:
        """The host named, when the shape is fine."""
        return "" if self.parts is None else self.parts.hostname or ""


def url_shape(url: str) -> UrlShape:
    """Whether url is an http(s) address with a host, a numeric port and no user name.

    The one judgement every reader of outside URLs (partner feeds, badge checks) starts from.
    """
    try:
        parts = urlsplit(url)
        host = parts.hostname
        _ = parts.port  # a port that is not a number raises here
    except ValueError:
        return UrlShape(None, NOT_ADDRESS)
    if parts.scheme not in READABLE_SCHEMES or not host:
        return UrlShape(parts, NOT_HTTP)
    if parts.username is not None or parts.password is not None:
        return UrlShape(parts, USER_NAME)
    return UrlShape(parts, None)
