"""Which URLs a badge check may read, decided before any document source is asked."""

from __future__ import annotations

import pytest

from colbot.badges.reach import Reach
from colbot.domain.internal_hosts import InternalHosts, is_private_host, parse_internal_hosts

PUBLIC = "https://colbot.example.org"
REACH = Reach(PUBLIC, parse_internal_hosts("db.internal, 10.0.0.0/8, 2001:db8::/32"))


@pytest.mark.parametrize(
    "path",
    [
        "/badges/issuers/city",
        "/badges/issuers/partner-kensalfield-museum/keys/2026.jwk",
        "/badges/images/AbC_-1.png",
        "/j/abc/badges/xyz",
        "/j/abc/badges/xyz.png",
    ],
)
def test_colbots_badge_documents_may_be_read(path: str) -> None:
    assert REACH.refusal(PUBLIC + path) is None
    assert REACH.refusal(PUBLIC + path + "#key-1") is None


@pytest.mark.parametrize(
    "path",
    [
        "/metrics",
        "/readyz",
        "/healthz",
        "/dashboard",
        "/dashboard/tables/reach.csv",
        "/chat",
        "/chat/files/token",
        "/telegram/webhook",
        "/verify",
        "/static/site.css",
        "/",
        "",
        "/badges",
        "/badges/../metrics",
        "/badges/./x/../../readyz",
        "/badges/%2e%2e/metrics",
        "/badges//metrics",
        "/badges/issuers/city?next=/metrics",
        "/badges\\..\\metrics",
        "/j/",
        "/jx/metrics",
    ],
)
def test_colbots_other_paths_are_refused(path: str) -> None:
    refusal = REACH.refusal(PUBLIC + path)

    assert refusal is not None and "not one of the badge documents" in refusal


def test_an_upper_case_host_is_still_colbots_own() -> None:
    assert REACH.refusal("https://COLBOT.example.org/metrics") is not None
    assert REACH.refusal("https://COLBOT.example.org/badges/issuers/city") is None


def test_under_a_public_url_with_a_path_only_its_documents_may_be_read() -> None:
    reach = Reach("https://example.org/colbot/")

    assert reach.refusal("https://example.org/colbot/badges/issuers/city") is None
    assert reach.refusal("https://example.org/colbot/metrics") is not None
    assert reach.refusal("https://example.org/colbotx/badges/issuers/city") is not None


@pytest.mark.parametrize(
    "url",
    [
        "http://db.internal/issuer.json",
        "https://keys.db.internal/issuer.json",
        "http://DB.Internal./issuer.json",
        "http://10.1.2.3/issuer.json",
        "http://[2001:db8::7]/issuer.json",
        "http://127.0.0.1:8080/badges/issuers/city",
        "http://localhost/badges/issuers/city",
        "http://api.localhost/x",
        "http://[::1]/x",
        "http://[::ffff:127.0.0.1]/x",
        "http://169.254.169.254/latest/meta-data/",
        "http://192.168.0.1/x",
        "http://172.16.5.4/x",
        "http://100.64.0.1/x",
        "http://0.0.0.0/x",
        "http://[fe80::1]/x",
        "http://224.0.0.1/x",
        "http://2130706433/x",
        "http://0x7f.1/x",
        "http://127.1/x",
    ],
)
def test_internal_and_non_public_addresses_are_refused(url: str) -> None:
    refusal = REACH.refusal(url)

    assert refusal is not None and "never reads internal addresses" in refusal


@pytest.mark.parametrize(
    "url",
    [
        "ftp://colbot.example.org/badges/issuers/city",
        "file:///etc/passwd",
        "https://user:secret@colbot.example.org/badges/issuers/city",
        "https://colbot.example.org@10.0.0.1/badges/issuers/city",
        "https://colbot.example.org:http/badges/issuers/city",
        "not a url",
    ],
)
def test_urls_colbot_cannot_read_safely_are_refused(url: str) -> None:
    assert REACH.refusal(url) is not None


def test_other_public_sites_are_left_to_the_sources() -> None:
    assert REACH.refusal("https://badges.northbridge.example/issuer.json") is None
    assert REACH.refusal("https://db.internal.example/issuer.json") is None


def test_colbots_own_address_is_read_even_when_it_is_private_or_listed() -> None:
    reach = Reach("http://10.0.0.5:8080", parse_internal_hosts("10.0.0.0/8"))

    assert reach.refusal("http://10.0.0.5:8080/badges/issuers/city") is None
    assert reach.refusal("http://10.0.0.5:8080/metrics") is not None
    assert reach.refusal("http://10.0.0.5:8081/badges/issuers/city") is not None


def test_internal_hosts_parse_names_networks_and_single_addresses() -> None:
    hosts = parse_internal_hosts(" Vault.Corp , 192.0.2.7,, 198.51.100.0/24 ")

    assert hosts.covers("vault.corp") and hosts.covers("a.vault.corp")
    assert not hosts.covers("notvault.corp")
    assert hosts.covers("192.0.2.7") and not hosts.covers("192.0.2.8")
    assert hosts.covers("198.51.100.200") and hosts.covers("::ffff:198.51.100.1")
    assert parse_internal_hosts("") == InternalHosts()


@pytest.mark.parametrize("text", ["db internal", "10.0.0.0/33", "http://db.internal", "1.2.3"])
def test_internal_hosts_refuse_what_is_not_a_host_or_network(text: str) -> None:
    with pytest.raises(ValueError, match="neither a hostname nor a network"):
        parse_internal_hosts(text)


def test_public_names_and_addresses_are_not_private() -> None:
    assert not is_private_host("badges.northbridge.example")
    assert not is_private_host("93.184.216.34")
    assert not is_private_host("2606:2800:220:1:248:1893:25c8:1946")
