"""The funnel's counts come from what young people do in the chat, and name nobody."""

from __future__ import annotations

from typing import Any

from sqlalchemy import event, func, select

from colbot.app import Colbot
from colbot.storage.models import CardShown, FunnelCount
from tests.support.talk import Talker


async def stage_counts(colbot: Colbot) -> dict[str, int]:
    async with colbot.database.reading() as session:
        rows = await session.execute(
            select(FunnelCount.stage, func.sum(FunnelCount.count)).group_by(FunnelCount.stage)
        )
        return {stage: int(total) for stage, total in rows.tuples()}


async def onboard(colbot: Colbot, chat_id: str) -> Talker:
    young = Talker(colbot.engine, chat_id)
    for answer in ("/start", "yes", "17", "Sam", "kf1 4", "anywhere", "music and coding"):
        await young.say(answer)
    await young.say("done")
    await young.say("weekends")
    await young.say("no")
    return young


async def test_recommended_saved_and_reminded_are_counted_once_each(colbot: Colbot) -> None:
    young = await onboard(colbot, "fun-1")
    async with colbot.database.reading() as session:
        shown = await session.scalar(select(func.count(func.distinct(CardShown.opportunity_id))))
    assert shown and (await stage_counts(colbot))["recommended"] == shown
    card = next(
        m for m in reversed(young.history) if any("Save" in b.label for r in m.buttons for b in r)
    )
    await young.press("Save", on=card)
    await young.press("Save", on=card)  # saving again is not a second save
    await young.press("Remind me", on=card)
    await young.press("Remind me", on=card)
    await young.say("/explore")  # the same cards again are not new recommendations
    counts = await stage_counts(colbot)
    async with colbot.database.reading() as session:
        shown_now = await session.scalar(
            select(func.count(func.distinct(CardShown.opportunity_id)))
        )
    assert counts == {"recommended": shown_now, "saved": 1, "reminded": 1}


async def test_the_counts_outlive_a_young_persons_delete(colbot: Colbot) -> None:
    young = await onboard(colbot, "fun-2")
    await young.press("Save")
    before = await stage_counts(colbot)
    await young.say("/delete")
    await young.press("Yes")
    assert "deleted" in young.recent(3).lower()
    assert await stage_counts(colbot) == before


async def test_a_count_holds_its_shared_row_for_one_statement_or_the_commit(
    colbot: Colbot,
) -> None:
    young = await onboard(colbot, "fun-3")
    statements: list[str] = []

    @event.listens_for(colbot.database.engine.sync_engine, "before_cursor_execute")
    def seen(*args: Any) -> None:
        statements.append(" ".join(args[2].split()[:3]))

    @event.listens_for(colbot.database.engine.sync_engine, "commit")
    def committed(*_args: Any) -> None:
        statements.append("COMMIT")

    await young.press("Save")
    counted = [i for i, s in enumerate(statements) if "funnel_counts" in s]
    assert len(counted) == 1, statements
    # Everyone saving this card today writes the same row. On SQLite the count is the turn's
    # last write; on PostgreSQL it comes after the turn's commit, committing by itself.
    if colbot.database.is_sqlite:
        assert statements[counted[0] + 1] == "COMMIT", statements
    else:
        assert statements[counted[0] - 1] == "COMMIT", statements
        assert "COMMIT" not in statements[counted[0] :], "autocommit: no COMMIT of its own"
    assert (await stage_counts(colbot))["saved"] == 1
