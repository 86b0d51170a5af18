"""A whole session redeems its code at once, and everyone gets their own badge.

How fast (the issue's 3 seconds for 30) is measured by benchmarks/badges.py, not timed here.
"""

from __future__ import annotations

import asyncio

from sqlalchemy import func, select

from colbot.app import Colbot
from colbot.badges.web import WARMING
from colbot.storage.models import IssuedBadge
from tests.support.badge_flow import handed_badge, make_code
from tests.support.talk import Talker

GROUP = 30


async def test_thirty_young_people_redeeming_one_session_code_at_once_all_get_badges(
    serving_colbot: Colbot,
) -> None:
    await serving_colbot.web_app[WARMING]  # as after `colbot serve` has started
    code, _ = await make_code(serving_colbot, uses=GROUP)
    group = [Talker(serving_colbot.engine, f"group-{n}") for n in range(GROUP)]
    replies = await asyncio.gather(*(person.say(code) for person in group))

    handed = [handed_badge(each) for each in replies]
    assert len({h.credential["id"] for h in handed}) == GROUP
    async with serving_colbot.database.transaction() as session:
        issued = await session.scalar(select(func.count(IssuedBadge.id)))
        indexes = await session.scalar(select(func.count(func.distinct(IssuedBadge.status_index))))
    assert issued == GROUP * 2  # each one's badge, and each one's first-badge milestone
    assert indexes is not None and indexes >= GROUP
