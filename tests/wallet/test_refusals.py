"""Exchanges refuse kindly: used once, gone after ten minutes, a wallet that lies, too many asks."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from typing import Any

import aiohttp
import pytest
from cryptography.hazmat.primitives.asymmetric import ed25519

from colbot.app import Colbot
from colbot.clock import FrozenClock
from colbot.wallet.web import REQUESTS_PER_CLIENT
from tests.doubles.learner_credential_wallet import (
    LearnerCredentialWallet,
    WalletError,
    did_key_of,
)
from tests.wallet.conftest import Offer, earn_and_offer


async def refused(wallet: LearnerCredentialWallet, link: str) -> tuple[int | None, Any]:
    with pytest.raises(WalletError) as raised:
        await wallet.request(link)
    return raised.value.status, raised.value.body


async def test_a_used_link_is_refused_however_the_wallet_comes_back(
    offer: Offer, wallet: LearnerCredentialWallet, http: aiohttp.ClientSession
) -> None:
    await wallet.request(offer.request_link)

    status, body = await refused(LearnerCredentialWallet(http), offer.request_link)
    assert (status, body["error"]) == (410, "exchange-used")
    assert "already collected" in body["detail"]
    with pytest.raises(WalletError) as again:
        await wallet.exchange(offer.interaction_url)
    assert again.value.status == 410 and again.value.body["error"] == "exchange-used"
    async with http.get(offer.exchange_url, headers={"Accept": "text/html"}) as page:
        assert page.status == 410 and "This link has been used" in await page.text()


async def test_a_link_older_than_ten_minutes_has_expired(
    offer: Offer, wallet: LearnerCredentialWallet, clock: FrozenClock, http: aiohttp.ClientSession
) -> None:
    clock.advance(timedelta(minutes=10, seconds=1))

    status, body = await refused(wallet, offer.request_link)
    assert (status, body["error"]) == (410, "exchange-expired")
    async with http.post(offer.exchange_url, json={}) as response:
        assert response.status == 410 and (await response.json())["error"] == "exchange-expired"
    async with http.get(offer.exchange_url, headers={"Accept": "text/html"}) as page:
        text = await page.text()
    assert page.status == 410 and "expired" in text and "/wallet" in text


async def test_just_inside_ten_minutes_it_still_works(
    offer: Offer, wallet: LearnerCredentialWallet, clock: FrozenClock
) -> None:
    clock.advance(timedelta(minutes=9, seconds=59))

    (copy,) = (await wallet.request(offer.request_link)).credentials
    assert copy["credentialSubject"]["id"] == wallet.did


def _flip_signature(presentation: dict[str, Any]) -> None:
    value = presentation["proof"]["proofValue"]
    presentation["proof"]["proofValue"] = (
        value[:-2] + ("1" if value[-2] != "1" else "2") + value[-1]
    )


@pytest.mark.parametrize(
    ("liar", "why"),
    [
        ({"signs_challenge": "4adfe67b-58b3-45d0-8043-cc3f11f75513"}, "another challenge"),
        ({"spoil": _flip_signature}, "signature does not match"),
        (
            {"claims_did": did_key_of(ed25519.Ed25519PrivateKey.generate())},
            "not by the key of the holder",
        ),
    ],
    ids=["wrong-challenge", "bad-signature", "someone-elses-did"],
)
async def test_a_didauth_that_does_not_check_out_is_refused_and_the_link_kept(
    offer: Offer,
    http: aiohttp.ClientSession,
    liar: dict[str, Any],
    why: str,
) -> None:
    status, body = await refused(LearnerCredentialWallet(http, **liar), offer.request_link)

    assert (status, body["error"]) == (400, "bad-didauth")
    assert "sign-in didn't check out" in body["detail"] and why in body["detail"]
    honest = LearnerCredentialWallet(http)
    (copy,) = (await honest.request(offer.request_link)).credentials
    assert copy["credentialSubject"]["id"] == honest.did


async def test_a_vc_api_answer_must_sign_colbots_domain(
    offer: Offer, http: aiohttp.ClientSession
) -> None:
    wallet = LearnerCredentialWallet(http)
    async with http.post(offer.exchange_url, json={}) as started:
        request = (await started.json())["verifiablePresentationRequest"]
    elsewhere = wallet.signed_presentation(request["challenge"], "https://attacker.example")
    async with http.post(offer.exchange_url, json={"verifiablePresentation": elsewhere}) as answer:
        body = await answer.json()
    assert answer.status == 400 and "attacker.example" in body["detail"]
    undomained = wallet.signed_presentation(request["challenge"], None)
    async with http.post(offer.exchange_url, json={"verifiablePresentation": undomained}) as answer:
        assert answer.status == 400 and (await answer.json())["error"] == "bad-didauth"


async def test_each_client_gets_a_fair_share_of_requests(
    offer: Offer, http: aiohttp.ClientSession
) -> None:
    for _ in range(REQUESTS_PER_CLIENT):
        async with http.post(offer.exchange_url, json={}) as response:
            assert response.status == 200

    async with http.post(offer.exchange_url, json={}) as response:
        body = await response.json()
        assert response.status == 429 and int(response.headers["Retry-After"]) > 0
    assert body["error"] == "too-many-requests"
    async with http.get(offer.exchange_url, headers={"Accept": "text/html"}) as page:
        assert page.status == 429 and "try again" in await page.text()


async def test_unknown_links_and_other_messages_are_refused(
    offer: Offer, http: aiohttp.ClientSession
) -> None:
    unknown = offer.exchange_url[:-4] + "AAAA"
    async with http.post(unknown, json={}) as response:
        assert response.status == 404 and (await response.json())["error"] == "unknown-exchange"
    async with http.get(unknown, headers={"Accept": "text/html"}) as page:
        assert page.status == 404 and "Page not found" in await page.text()
    async with http.post(offer.exchange_url, json={"hello": "there"}) as response:
        assert response.status == 400 and (await response.json())["error"] == "unexpected-message"
    async with http.post(offer.exchange_url, data=b"{not json") as response:
        assert response.status == 400
    async with http.post(offer.exchange_url, data=b"[" * 70_000) as response:
        assert response.status == 413 and (await response.json())["error"] == "too-large"


async def test_nobody_can_open_a_link_for_someone_elses_badge(serving_colbot: Colbot) -> None:
    mine = await earn_and_offer(serving_colbot, who="mine")
    theirs = await earn_and_offer(serving_colbot, who="theirs")
    own_button = next(b for row in mine.handed.message.buttons for b in row if b.data)

    replies = await theirs.talker.press_data(own_button.data)

    assert "didn't understand that button" in replies[0].text
    assert not any(b.url for m in replies for row in m.buttons for b in row)


async def test_of_two_wallets_racing_with_one_link_only_one_gets_the_badge(
    offer: Offer, http: aiohttp.ClientSession
) -> None:
    racers = [LearnerCredentialWallet(http), LearnerCredentialWallet(http)]

    results = await asyncio.gather(
        *(racer.request(offer.request_link) for racer in racers), return_exceptions=True
    )

    won = [result for result in results if not isinstance(result, BaseException)]
    lost = [result for result in results if isinstance(result, WalletError)]
    assert len(won) == 1 and len(lost) == 1, results
    assert lost[0].status == 410 and lost[0].body["error"] == "exchange-used"
