"""The redemption race across two processes' engines on one database stays exact."""

from __future__ import annotations

import asyncio

from sqlalchemy import func, select

from colbot.app import Colbot, build_app
from colbot.codes import format as code_format
from colbot.storage.models import CompletionCode, Redemption
from tests.support.staff import after_the_session, staff_talker
from tests.support.talk import Talker

USES = 10
RACERS = 50


async def test_fifty_people_on_two_processes_redeem_a_ten_use_code_exactly_ten_times(
    colbot: Colbot,
) -> None:
    staff = await staff_talker(
        colbot, lambda name, first_name="Sam": Talker(colbot.engine, name), "race-staff"
    )
    await staff.say("/newcode")
    await staff.press("·")
    await staff.press("Type a number")
    await staff.say(str(USES))
    replies = await staff.press("Until the end of the day after")
    code = next(
        line.strip()
        for line in replies[0].text.splitlines()
        if code_format.looks_like_code(line.strip())
    )
    await after_the_session(colbot, code)
    other = build_app(colbot.settings, clock=colbot.clock)  # its own engine and connection pool
    try:
        engines = [colbot.engine, other.engine]
        racers = [Talker(engines[i % 2], f"racer-{i}") for i in range(RACERS)]
        results = await asyncio.gather(*(racer.say(code) for racer in racers))
    finally:
        await other.database.dispose()
    won = sum("Brilliant work" in "\n".join(m.text for m in replies) for replies in results)
    assert won == USES
    async with colbot.database.reading() as session:
        assert await session.scalar(select(func.count()).select_from(Redemption)) == USES
        uses = await session.scalar(
            select(CompletionCode.uses).where(CompletionCode.code == code_format.normalise(code))
        )
    assert uses == USES
