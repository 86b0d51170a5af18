"""One address per badge: a verifier gets the credential, a browser gets the check page."""

from __future__ import annotations

import aiohttp
from sqlalchemy import select

from colbot.app import Colbot
from colbot.storage.models import IssuedBadge
from colbot.web.negotiation import accepted, weight_of
from tests.support.badge_flow import make_code, redeem

BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,*/*;q=0.8"


def test_weights_follow_the_most_specific_range() -> None:
    ranges = accepted(BROWSER)
    assert weight_of("text/html", ranges) == 1.0
    assert weight_of("application/ld+json", ranges) == 0.8
    assert weight_of("application/ld+json", accepted("application/*;q=0.5, */*;q=0.1")) == 0.5
    assert weight_of("text/html", accepted("text/html;q=0")) == 0.0


async def test_the_credential_url_serves_each_asker_its_own_form(serving_colbot: Colbot) -> None:
    code, _ = await make_code(serving_colbot)
    await redeem(serving_colbot, code)
    async with serving_colbot.database.reading() as session:
        public_id = await session.scalar(select(IssuedBadge.public_id).limit(1))
    url = f"{serving_colbot.settings.public_url}/badges/credentials/{public_id}"
    async with aiohttp.ClientSession() as http:
        for accept, kind in (
            (None, "application/ld+json"),
            ("application/ld+json", "application/ld+json"),
            ("application/json", "application/ld+json"),
            ("application/vc+jwt", "application/vc+jwt"),
            (BROWSER, "text/html"),
        ):
            headers = {"Accept": accept} if accept else {}
            async with http.get(url, headers=headers) as response:
                assert response.status == 200, accept
                served = response.headers["Content-Type"]
                wanted = "json" if kind == "application/ld+json" else kind
                assert wanted in served, (accept, served)
                assert response.headers["Vary"] == "Accept"
                body = await response.text()
            if kind == "text/html":
                assert "This badge is valid" in body and "Awarded to" in body
            elif kind == "application/vc+jwt":
                assert body.count(".") == 2
            else:
                assert public_id in body and '"proof"' in body
        async with http.get(url, headers={"Accept": "image/png"}) as response:
            assert response.status == 406
