"""Behind a trusted proxy, a request's address is the one the proxy saw; otherwise its own."""

from __future__ import annotations

from aiohttp import web
from aiohttp.test_utils import make_mocked_request

from colbot.web.ratelimit import TRUSTED_PROXIES_KEY, client_of, parse_networks


def _request(remote: str, forwarded: str | None, trusted: str) -> web.Request:
    app = web.Application()
    app[TRUSTED_PROXIES_KEY] = parse_networks(trusted)
    headers = {"X-Forwarded-For": forwarded} if forwarded is not None else {}
    request = make_mocked_request("GET", "/chat", headers=headers, app=app)
    return request.clone(remote=remote)


def test_only_a_trusted_proxy_is_believed_and_only_about_the_hop_before_it() -> None:
    assert client_of(_request("127.0.0.1", "203.0.113.7", "127.0.0.1")) == "203.0.113.7"
    # A client's own made-up X-Forwarded-For is the leftmost; the proxy's hop is believed.
    assert client_of(_request("127.0.0.1", "1.2.3.4, 203.0.113.7", "127.0.0.1")) == "203.0.113.7"
    assert client_of(_request("10.0.0.5", "203.0.113.7, 10.0.0.9", "10.0.0.0/8")) == "203.0.113.7"
    assert client_of(_request("198.51.100.2", "203.0.113.7", "127.0.0.1")) == "198.51.100.2"
    assert client_of(_request("127.0.0.1", "203.0.113.7", "")) == "127.0.0.1"
    assert client_of(_request("127.0.0.1", None, "127.0.0.1")) == "127.0.0.1"
