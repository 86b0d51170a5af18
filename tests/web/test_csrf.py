"""Whose page a form came from, and whether it carries this browser's token: pure checks."""

from __future__ import annotations

import secrets

import pytest

from colbot.web.csrf import Refusal, check_origin, check_token, origin

OWN = "https://colbot.example.org/"


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("https://colbot.example.org", "https://colbot.example.org:443"),
        ("HTTPS://Colbot.Example.org:443/dashboard?t=x", "https://colbot.example.org:443"),
        ("http://127.0.0.1:8080/", "http://127.0.0.1:8080"),
        ("http://[::1]:8080/chat", "http://[::1]:8080"),
        ("null", None),
        ("javascript:alert(1)", None),
        ("https://colbot.example.org:99999", None),
        ("https://", None),
    ],
)
def test_an_origin_is_scheme_host_and_port(url: str, expected: str | None) -> None:
    assert origin(url) == expected


@pytest.mark.parametrize(
    ("headers", "expected"),
    [
        ({"Origin": "https://colbot.example.org"}, None),
        ({"Referer": "https://colbot.example.org/dashboard"}, None),
        ({"Origin": "http://colbot.example.org"}, Refusal.ELSEWHERE),  # plain http is not ours
        ({"Origin": "https://colbot.example.org:8443"}, Refusal.ELSEWHERE),
        ({"Origin": "https://colbot.example.org.evil.example"}, Refusal.ELSEWHERE),
        ({"Origin": "null"}, Refusal.ELSEWHERE),
        ({"Origin": "http://evil.example", "Referer": OWN}, Refusal.ELSEWHERE),
        ({"Referer": "http://evil.example/?next=https://colbot.example.org"}, Refusal.ELSEWHERE),
        ({}, Refusal.UNSAID),
        ({"Origin": "", "Referer": ""}, Refusal.UNSAID),
    ],
)
def test_only_colbots_own_origin_passes(headers: dict[str, str], expected: Refusal | None) -> None:
    assert check_origin(headers, OWN) == expected


def test_only_the_cookies_own_token_passes() -> None:
    token = secrets.token_urlsafe(32)
    assert check_token(token, token) is None
    assert check_token(token, secrets.token_urlsafe(32)) is Refusal.UNMATCHED
    assert check_token(token, None) is Refusal.UNMATCHED
    assert check_token(None, token) is Refusal.UNMATCHED
    assert check_token(token, "é" + token[1:]) is Refusal.UNMATCHED
    assert check_token("", "") is Refusal.UNMATCHED
    assert check_token("short", "short") is Refusal.UNMATCHED  # a cookie colbot never gave
