"""A badge goes into the Learner Credential Wallet, in the wallet's own name, both ways it asks."""

from __future__ import annotations

from typing import Any

import aiohttp
from jsonschema import Draft201909Validator
from sqlalchemy import select

from colbot.app import Colbot
from colbot.badges import store as badges
from colbot.storage.models import IssuedBadge, WalletExchange
from colbot.wallet.store import id_hash
from tests.doubles.learner_credential_wallet import LearnerCredentialWallet
from tests.support.badge_world import SHARED, load_json
from tests.wallet.conftest import Offer, verdict_of


def assert_reissued_copy(
    copy: dict[str, Any], original: dict[str, Any], wallet: LearnerCredentialWallet
) -> None:
    """The badge's own credential, but about the wallet's DID and newly signed."""
    assert copy["credentialSubject"]["id"] == wallet.did
    assert copy["credentialSubject"]["achievement"] == original["credentialSubject"]["achievement"]
    for kept in ("id", "issuer", "validFrom", "credentialStatus", "name"):
        assert copy[kept] == original[kept], kept
    (proof,) = copy["proof"]
    assert proof["type"] == "DataIntegrityProof" and proof["cryptosuite"] == "eddsa-rdfc-2022"
    # The key's own URL, as the badge's proof names it (wallets fetch it for the key itself).
    assert proof["verificationMethod"] == original["proof"][0]["verificationMethod"]
    assert proof["verificationMethod"].startswith(original["issuer"]["id"] + "/keys/")
    assert proof["proofValue"] != original["proof"][0]["proofValue"]
    schema = load_json(SHARED / "schemas" / "achievementcredential.json")
    assert not list(Draft201909Validator(schema).iter_errors(copy))


async def test_the_request_link_puts_the_badge_in_the_wallet_under_its_own_did(
    serving_colbot: Colbot, offer: Offer, wallet: LearnerCredentialWallet
) -> None:
    assert offer.request_link.startswith("https://lcw.app/request.html?issuer=")
    assert "auth_type=bearer" in offer.request_link and "&vc_request_url=http" in offer.request_link

    seen = await wallet.request(offer.request_link)

    (copy,) = seen.credentials
    assert seen.status == 200 and seen.response == copy, "a bare credential, as the app takes"
    assert "domain" not in seen.sent["proof"]
    assert_reissued_copy(copy, offer.handed.credential, wallet)
    verdict = await verdict_of(serving_colbot, copy)
    assert verdict.valid, verdict.reason


async def test_the_vc_api_interaction_url_runs_the_whole_exchange(
    serving_colbot: Colbot, offer: Offer, wallet: LearnerCredentialWallet
) -> None:
    seen = await wallet.exchange(offer.interaction_url)

    assert seen.request is not None
    assert seen.request["query"][0]["type"] == "DIDAuthentication"
    assert seen.request["domain"] == serving_colbot.settings.public_url
    assert seen.request["interact"]["service"][0]["serviceEndpoint"] == offer.exchange_url
    assert seen.sent is not None
    signed = seen.sent["verifiablePresentation"]["proof"]
    assert signed["challenge"] == seen.request["challenge"]
    assert signed["domain"] == seen.request["domain"]
    assert seen.status == 200
    (copy,) = seen.credentials
    assert_reissued_copy(copy, offer.handed.credential, wallet)
    verdict = await verdict_of(serving_colbot, copy)
    assert verdict.valid, verdict.reason


async def test_only_a_hash_of_the_exchange_id_is_kept_and_it_is_spent_once_used(
    serving_colbot: Colbot, offer: Offer, wallet: LearnerCredentialWallet
) -> None:
    exchange_id = offer.exchange_url.rsplit("/", 1)[1]
    kept = select(WalletExchange.id_hash, WalletExchange.expires_at, WalletExchange.used_at)
    async with serving_colbot.database.reading() as session:
        (row,) = (await session.execute(kept)).all()
    assert row.id_hash == id_hash(exchange_id) != exchange_id
    assert row.used_at is None
    assert (row.expires_at - serving_colbot.clock.now()).total_seconds() == 600

    await wallet.request(offer.request_link)

    async with serving_colbot.database.reading() as session:
        (row,) = (await session.execute(kept)).all()
    assert row.used_at == serving_colbot.clock.now()


async def test_revoking_the_badge_revokes_the_wallet_copy_too(
    serving_colbot: Colbot, offer: Offer, wallet: LearnerCredentialWallet
) -> None:
    (copy,) = (await wallet.request(offer.request_link)).credentials

    async with serving_colbot.database.transaction() as session:
        public_id = offer.handed.credential["id"].rsplit("/", 1)[1]
        assert await badges.revoke(
            session, public_id, "issued by mistake", serving_colbot.clock.now()
        )

    verdict = await verdict_of(serving_colbot, copy)
    assert not verdict.valid and "revoked" in verdict.reason


async def test_wallet_lists_recent_badges_each_with_its_own_link(
    serving_colbot: Colbot, offer: Offer, http: aiohttp.ClientSession
) -> None:
    listed = await offer.talker.say("/wallet")
    async with serving_colbot.database.reading() as session:
        newest = select(IssuedBadge.name).order_by(IssuedBadge.id.desc())
        names = list(await session.scalars(newest))
    assert len(names) >= 1
    assert [b.label for row in listed[-1].buttons for b in row] == [f"👛 {n}" for n in names]
    name = offer.handed.credential["name"]

    again = await offer.talker.press(name)

    link = Offer(offer.talker, offer.handed, again[-1]).request_link
    assert link != offer.request_link, "each press opens a new one-time exchange"
    wallet = LearnerCredentialWallet(http)
    (copy,) = (await wallet.request(link)).credentials
    assert copy["credentialSubject"]["id"] == wallet.did


async def test_a_browser_gets_a_page_that_opens_the_app(
    offer: Offer, http: aiohttp.ClientSession
) -> None:
    async with http.get(offer.exchange_url, headers={"Accept": "text/html"}) as response:
        page = await response.text()
        assert response.status == 200 and response.content_type == "text/html"
        assert response.headers["Cache-Control"] == "no-store"
    assert "Open in Learner Credential Wallet" in page
    assert offer.request_link.replace("&", "&amp;") in page
    assert "10 minutes" in page
