"""Every turn starts by reading its chat once: the conversation, the young person, the speaker."""

from __future__ import annotations

from typing import Any

from sqlalchemy import event

from colbot.app import Colbot
from tests.support.staff import invite_payload
from tests.support.talk import Talker

ONBOARDING = ("/start", "yes", "17", "Sam", "kf1 4", "anywhere", "music and coding", "done")


async def test_a_turn_reads_its_conversation_person_and_speaker_in_one_statement(
    colbot: Colbot,
) -> None:
    young = Talker(colbot.engine, "read-1")
    for answer in (*ONBOARDING, "weekends", "no"):
        await young.say(answer)
    selects: list[str] = []

    @event.listens_for(colbot.database.engine.sync_engine, "before_cursor_execute")
    def seen(_conn: Any, _cursor: Any, statement: str, *_rest: Any) -> None:
        # On PostgreSQL the chat's lock is a SELECT too, and reads nothing.
        if statement.lstrip().upper().startswith("SELECT") and "advisory" not in statement:
            selects.append(statement)

    await young.say("/help")
    assert "/explore" in young.recent(1)
    assert len(selects) == 1, selects
    for table in ("conversation_states", "young_people", "staff_members", "city_admins"):
        assert table in selects[0]


async def test_the_one_read_finds_each_part_whichever_is_missing(colbot: Colbot) -> None:
    newcomer = Talker(colbot.engine, "read-2")
    await newcomer.say("/help")  # no conversation row, no profile: a young person all the same
    assert "/newcode" not in newcomer.recent(1)
    staff = Talker(colbot.engine, "read-3", first_name="Priya")
    await staff.say(f"/start {await invite_payload(colbot, 'pixel-forge')}")
    assert "Welcome to" in staff.recent(3)
    await staff.say("/help")  # partner staff with no young person's profile
    assert "/newcode" in staff.recent(1)
    menu = dict(await colbot.engine.menu_of("console", "read-3"))
    assert "newcode" in menu
    assert "newcode" not in dict(await colbot.engine.menu_of("console", "read-2"))
