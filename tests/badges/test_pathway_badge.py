"""A pathway's city badge is signed like every other: each form verifies, and lists its parts."""

from __future__ import annotations

import html
import json
from pathlib import Path

import aiohttp
from jsonschema import Draft201909Validator
from sqlalchemy import select

from colbot.app import Colbot
from colbot.badges.urls import CITY_ISSUER
from colbot.openbadges import jws
from colbot.storage.models import IssuedBadge, Opportunity
from tests.support.badge_flow import CliRun, badges_of, make_code
from tests.support.oracles import Oracle
from tests.support.talk import Talker

GAME_MAKER = ("library-code-club-1", "pixel-forge-studio-tour", "pixel-forge-pixel-art")


async def opportunity_id(colbot: Colbot, source_id: str) -> int:
    async with colbot.database.transaction() as session:
        found = await session.scalar(
            select(Opportunity.id).where(Opportunity.source_id == source_id)
        )
    assert found is not None, source_id
    return found


async def finish_game_maker(colbot: Colbot) -> tuple[IssuedBadge, list[IssuedBadge]]:
    """Sam does the three Game Maker sessions; the city badge and the partners' badges."""
    sam = Talker(colbot.engine, "sam")
    for source_id in GAME_MAKER:
        code, _ = await make_code(colbot, opportunity_id=await opportunity_id(colbot, source_id))
        await sam.say(code)
    held = await badges_of(colbot)
    (city_badge,) = [b for b in held if b.badge_class_id == "game-maker"]
    return city_badge, [b for b in held if b.issuer_id != CITY_ISSUER]


async def test_the_city_badge_lists_the_badges_that_made_it_up(
    serving_colbot: Colbot, credential_schema: Draft201909Validator
) -> None:
    city_badge, parts = await finish_game_maker(serving_colbot)
    assert city_badge.issuer_id == CITY_ISSUER and city_badge.redemption_id is None
    credential = city_badge.ob3_credential
    assert credential is not None
    assert [e["id"] for e in credential["evidence"]] == [
        f"{serving_colbot.settings.public_url}/badges/credentials/{p.public_id}" for p in parts
    ]
    assert all(e["type"] == ["Evidence"] for e in credential["evidence"])
    assert [e.message for e in credential_schema.iter_errors(credential)] == []
    assert city_badge.ob2_assertion_jws is not None
    assertion = jws.read_compact(city_badge.ob2_assertion_jws).payload
    assert [e["id"] for e in assertion["evidence"]] == [e["id"] for e in credential["evidence"]]
    for part in parts:
        assert part.name in assertion["narrative"]


async def test_every_form_of_the_city_badge_verifies(
    serving_colbot: Colbot, run_cli: CliRun, tmp_path: Path
) -> None:
    city_badge, _ = await finish_game_maker(serving_colbot)
    credential_file = tmp_path / "game-maker.json"
    credential_file.write_text(json.dumps(city_badge.ob3_credential))
    for given in (str(credential_file), city_badge.ob2_assertion_jws, city_badge.ob3_jwt):
        assert given
        code, output = await run_cli("badges", "verify", given)
        assert code == 0 and output.startswith("VALID"), output


async def test_outside_verifiers_accept_the_city_badge(
    oracle: Oracle, serving_colbot: Colbot, http: aiohttp.ClientSession
) -> None:
    city_badge, _ = await finish_game_maker(serving_colbot)
    credential = city_badge.ob3_credential
    assert credential is not None
    issuer_id = credential["issuer"]["id"]
    verdicts = await oracle.verdicts(
        [
            {"name": "credential", "credential": credential},
            {
                "name": "jwt",
                "jwt": city_badge.ob3_jwt,
                "jwks": f"{issuer_id}/jwks.json",
                "issuer": issuer_id,
            },
        ]
    )
    assert verdicts["credential"]["verified"] is True, verdicts["credential"]["errors"]
    assert verdicts["credential"]["status"]["revoked"] is False
    assert verdicts["jwt"]["verified"] is True, verdicts["jwt"]["errors"]


async def test_the_checker_shows_what_the_city_badge_is_made_of(
    serving_colbot: Colbot, http: aiohttp.ClientSession
) -> None:
    city_badge, parts = await finish_game_maker(serving_colbot)
    base = serving_colbot.settings.public_url
    async with http.post(
        f"{base}/verify", data={"badge": json.dumps(city_badge.ob3_credential)}
    ) as response:
        assert response.status == 200
        page = await response.text()
    assert 'data-outcome="valid"' in page
    assert "Made up of" in page
    for part in parts:
        link = f"{base}/badges/credentials/{part.public_id}"
        assert f'<a href="{link}">{html.escape(part.name, quote=False)}</a>' in page
