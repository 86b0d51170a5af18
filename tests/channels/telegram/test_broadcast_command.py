"""/broadcast on Telegram end to end: an admin chats through the double; the scheduler sends."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

from colbot.app import Colbot
from colbot.clock import FrozenClock
from tests.doubles.telegram import TelegramDouble
from tests.support.outreach import delivered
from tests.support.people_seed import seed_people
from tests.support.talk import TelegramTalker

ADMIN_ID = 777_001
DELIVERY_TIMEOUT_S = 15.0
Starter = Callable[..., Awaitable[Colbot]]


async def test_an_admin_previews_confirms_and_everyone_chosen_gets_it_once(
    start_colbot: Starter, double: TelegramDouble, clock: FrozenClock
) -> None:
    colbot = await start_colbot("polling", admins=frozenset({ADMIN_ID}))
    fans = [double.person(f"Fan{n}") for n in range(3)]
    others = [double.person(f"Other{n}") for n in range(2)]
    await seed_people(
        colbot.database, [p.id for p in fans], clock.now(), passions=("music",), messages_first=True
    )
    await seed_people(
        colbot.database,
        [p.id for p in others],
        clock.now(),
        passions=("sport",),
        messages_first=True,
    )
    stranger = TelegramTalker(others[0], colbot)
    refused = await stranger.say("/broadcast")
    assert "only the Kensalfield City of Learning team" in refused[0].text

    admin = TelegramTalker(double.person("Admin", user_id=ADMIN_ID), colbot)
    await admin.say("/broadcast")
    await admin.say("Gig tickets are free this week 🎸")
    await admin.press("By passion")
    await admin.press("Music")
    (preview,) = await admin.press("Done")
    assert "Gig tickets are free this week 🎸" in preview.text
    assert "It will go to 3 young people" in preview.text
    assert preview.button_labels() == ["✅ Send it", "✖️ Cancel"]
    assert not set(delivered(double)) & {p.id for p in fans}  # nothing before the confirmation
    (queued,) = await admin.press("Send it")
    assert "On its way to 3 young people" in queued.text

    deadline = asyncio.get_running_loop().time() + DELIVERY_TIMEOUT_S
    while set(delivered(double)) < {p.id for p in fans}:
        assert asyncio.get_running_loop().time() < deadline, "the broadcast was not delivered"
        await asyncio.sleep(0.1)
    await asyncio.sleep(1.5)  # a further drain or two: still once each
    counts = delivered(double)
    assert {p.id: counts.get(p.id, 0) for p in fans} == {p.id: 1 for p in fans}
    assert counts[others[0].id] == 1  # only the refusal
    assert others[1].id not in counts
    assert fans[0].last.text == "Gig tickets are free this week 🎸"
