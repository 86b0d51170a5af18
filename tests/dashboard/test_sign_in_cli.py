"""`colbot dashboard link`: the city dashboard from the command line, with no chat at all."""

from __future__ import annotations

import argparse

import pytest

from colbot.app import Colbot
from colbot.dashboard import access, sign_in_cli
from colbot.team.actors import CityTeam


async def test_the_printed_link_signs_in_once_to_the_city_view(
    colbot: Colbot, capsys: pytest.CaptureFixture[str]
) -> None:
    assert await sign_in_cli.run(colbot, argparse.Namespace(dashboard_command="link")) == 0
    link = capsys.readouterr().out.strip().splitlines()[-1]
    assert link.startswith(f"{colbot.settings.public_url}/dashboard/sign-in?t=")
    secret = link.partition("?t=")[2]
    async with colbot.database.transaction() as session:
        cookie, problem = await access.use_link(session, secret, colbot.clock.now())
    assert problem is None and cookie
    async with colbot.database.transaction() as session:
        again, problem = await access.use_link(session, secret, colbot.clock.now())
    assert again is None and problem is not None
    async with colbot.database.reading() as session:
        team = CityTeam(colbot.settings.admins)
        viewer = await access.viewer(session, cookie, colbot.clock.now(), team.still_admin)
    assert viewer is not None and viewer.partner_id is None  # the city's view
