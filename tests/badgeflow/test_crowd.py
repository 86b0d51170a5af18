"""A whole session redeems its code at once, and everyone has their badge within 3 seconds."""

from __future__ import annotations

import asyncio
import time

from sqlalchemy import func, select

from colbot.app import Colbot
from colbot.storage.models import IssuedBadge
from colbot.web.badges import WARMING
from tests.badgeflow.conftest import handed_badge, make_code
from tests.engine.talk import Talker

GROUP = 30
WITHIN_S = 3.0


async def test_thirty_young_people_redeeming_one_session_code_all_get_badges_in_3_seconds(
    served: Colbot,
) -> None:
    await served.web_app[WARMING]  # as after `colbot serve` has started
    code, _ = await make_code(served, uses=GROUP)
    group = [Talker(served.engine, f"group-{n}") for n in range(GROUP)]

    started = time.perf_counter()
    replies = await asyncio.gather(*(person.say(code) for person in group))
    elapsed = time.perf_counter() - started

    handed = [handed_badge(each) for each in replies]
    assert len({h.credential["id"] for h in handed}) == GROUP
    assert elapsed < WITHIN_S, f"{GROUP} badges took {elapsed:.2f}s"
    async with served.database.transaction() as session:
        issued = await session.scalar(select(func.count(IssuedBadge.id)))
        indexes = await session.scalar(select(func.count(func.distinct(IssuedBadge.status_index))))
    assert issued == GROUP * 2  # each one's badge, and each one's first-badge milestone
    assert indexes is not None and indexes >= GROUP
