"""/delete deletes: after it, a scan of every table finds nothing that names the young person,
except the one documented record, a call for help, which never names their chat account."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

from sqlalchemy import select

from colbot.app import Colbot
from colbot.delivery import outbox
from colbot.people.privacy import ERASED
from colbot.storage.models import ChannelIdentity, OutboxMessage, YoungPerson
from colbot.storage.models.base import Base
from colbot.team import store as team
from tests.support.staff import completion_code
from tests.support.talk import Talk

NICKNAME = "Zebediah"
WORDS = "i am scared of the quokka man"


async def _every_row(colbot: Colbot) -> list[tuple[str, dict[str, Any]]]:
    rows: list[tuple[str, dict[str, Any]]] = []
    async with colbot.database.reading() as session:
        for table in Base.metadata.sorted_tables:
            for row in (await session.execute(select(table))).mappings():
                rows.append((table.name, dict(row)))
    return rows


def _mentions(row: dict[str, Any], needle: str) -> bool:
    return needle.lower() in json.dumps(row, default=str, ensure_ascii=False).lower()


async def test_delete_leaves_nothing_that_names_them_but_the_safeguarding_record(
    channel_colbot: Colbot, talk: Talk
) -> None:
    async with channel_colbot.database.transaction() as session:
        payload = await team.create_invite(session, "Lead", channel_colbot.clock.now(), "test")
        await team.accept_invite(
            session, payload, "webchat", "lead-device", channel_colbot.clock.now()
        )
    person = talk("erasee-7731", first_name=NICKNAME)
    await person.say("/start")
    await person.say("yes")
    await person.say("17")
    await person.say(f"call me {NICKNAME}")
    await person.say("riverside")
    await person.say("3km")
    await person.say("music")
    await person.press("Done")
    await person.say("weekends")
    await person.say("/pathways")
    await person.press("Into Film")
    await person.press("Follow this pathway")
    code = await completion_code(channel_colbot)
    await person.say(code)
    await person.say(WORDS)
    async with channel_colbot.database.transaction() as session:
        me = await session.scalar(select(YoungPerson).where(YoungPerson.nickname == NICKNAME))
        assert me is not None
        public_id = me.public_id
        chat_ids = list(
            await session.scalars(
                select(ChannelIdentity.external_id).where(ChannelIdentity.young_person_id == me.id)
            )
        )
        now = channel_colbot.clock.now()
        for chat in chat_ids:
            await outbox.enqueue(
                session,
                person.channel,
                chat,
                "The festival is on! (held by quiet hours)",
                key=f"held-announcement:{chat}",
                now=now,
                not_before=now + timedelta(hours=10),
            )
    mydata = await person.say("/mydata")
    exported = json.loads(next(m.file for m in mydata if m.file).content)
    assert exported["calls_for_help"] and exported["messages_waiting_for_you"]
    assert exported["records"], "the audit records naming them are shown too"
    assert [f["pathway"] for f in exported["pathways"]] == ["into-film"]
    before = await _every_row(channel_colbot)
    assert any(_mentions(row, chat_ids[0]) for _, row in before)

    await person.say("/delete")
    await person.press("Yes, delete everything")
    assert "All deleted" in person.last_text()

    farewell = person.last_text()
    kept_alerts = 0
    for table, row in await _every_row(channel_colbot):
        if table == "webchat_messages" and row["payload"].get("text") == farewell:
            continue  # "All deleted", waiting for the page to show it; gone once it is seen
        for chat in chat_ids:
            assert not _mentions(row, chat), f"{table} still names chat {chat}: {row}"
        if table == "webchat_messages" and row["chat_id"] == "lead-device":
            continue  # the alert as the lead's own page received it
        is_alert = table == "outbox" and str(row["idempotency_key"]).startswith(f"{ERASED}:")
        if is_alert:
            kept_alerts += 1
            assert WORDS in json.dumps(row, default=str, ensure_ascii=False)
            continue
        for needle in (public_id, NICKNAME, WORDS):
            assert not _mentions(row, needle), f"{table} still holds {needle!r}: {row}"
    assert kept_alerts == 1, "the call for help stays as the safeguarding lead's record"
    async with channel_colbot.database.reading() as session:
        queued = await session.scalars(
            select(OutboxMessage).where(OutboxMessage.chat_id.in_(chat_ids))
        )
        assert not list(queued), "nothing queued for them is sent after /delete"
