"""A quiet profile is told once, a month before, then erased as /delete erases it; a reply keeps it.

Run on SQLite, and on PostgreSQL with COLBOT_TEST_DATABASE_URL; two runners at once (two apps on
one database, as two processes) warn once and erase once, without an error.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from colbot.app import Colbot, build_app
from colbot.clock import FrozenClock
from colbot.people import store as people
from colbot.storage.models import ChannelIdentity, IssuedBadge, OutboxMessage, YoungPerson
from tests.support.staff import completion_code
from tests.support.talk import Talker

YEAR = timedelta(days=365)
MONTH = timedelta(days=30)


async def onboarded(colbot: Colbot, chat_id: str) -> Talker:
    young = Talker(colbot.engine, chat_id, first_name="Quinn")
    for answer in ("/start", "yes", "16", "Quinn", "kf1 4", "anywhere", "music", "done"):
        await young.say(answer)
    await young.say("weekends")
    await young.say("no")
    assert "All done, Quinn" in young.recent()
    return young


async def profile(colbot: Colbot, chat_id: str) -> YoungPerson | None:
    async with colbot.database.reading() as session:
        found = await people.find_by_identity(session, "console", chat_id)
        if found is not None:
            session.expunge(found)
        return found


async def warnings_to(colbot: Colbot, chat_id: str) -> list[OutboxMessage]:
    async with colbot.database.reading() as session:
        rows = list(
            await session.scalars(
                select(OutboxMessage).where(
                    OutboxMessage.chat_id == chat_id,
                    OutboxMessage.idempotency_key.startswith("retention:"),
                )
            )
        )
        session.expunge_all()
        return rows


async def test_a_quiet_profile_is_warned_once_then_erased_with_its_badges_withdrawn(
    colbot: Colbot, clock: FrozenClock
) -> None:
    young = await onboarded(colbot, "quiet-1")
    await young.say(await completion_code(colbot))
    assert "Brilliant work" in young.recent()
    person = await profile(colbot, "quiet-1")
    assert person is not None
    erase_on = person.last_seen_at + YEAR

    clock.set(erase_on - MONTH - timedelta(minutes=1))
    assert (await colbot.retention().run(clock.now()))["profiles_warned"] == 0
    clock.advance(timedelta(minutes=2))
    assert (await colbot.retention().run(clock.now()))["profiles_warned"] == 1
    (warning,) = await warnings_to(colbot, "quiet-1")
    local = erase_on.astimezone(colbot.city.timezone)
    assert f"{local:%A} {local.day} {local:%B %Y}" in warning.payload["text"]
    assert "send me any message" in warning.payload["text"]
    assert (await colbot.retention().run(clock.now()))["profiles_warned"] == 0  # told once
    assert len(await warnings_to(colbot, "quiet-1")) == 1

    clock.set(erase_on - timedelta(minutes=1))
    assert (await colbot.retention().run(clock.now()))["profiles_erased"] == 0
    clock.advance(timedelta(minutes=2))
    assert (await colbot.retention().run(clock.now()))["profiles_erased"] == 1
    assert await profile(colbot, "quiet-1") is None
    async with colbot.database.reading() as session:
        assert await session.scalar(select(func.count(ChannelIdentity.id))) == 0
        badge = await session.scalar(select(IssuedBadge))
        assert badge is not None and badge.young_person_id is None
        assert badge.revoked_at is not None  # nobody chose to keep it working
    assert await warnings_to(colbot, "quiet-1") == []  # erased with everything sent to them
    again = await colbot.retention().run(clock.now())
    assert (again["profiles_warned"], again["profiles_erased"]) == (0, 0)


async def test_any_reply_keeps_the_profile_and_a_late_notice_still_gives_a_month(
    colbot: Colbot, clock: FrozenClock
) -> None:
    young = await onboarded(colbot, "quiet-2")
    start = clock.now()
    clock.set(start + YEAR - MONTH)
    await colbot.retention().run(clock.now())
    await young.say("hiya")
    person = await profile(colbot, "quiet-2")
    assert person is not None and person.retention_warned_at is None
    clock.set(start + YEAR + timedelta(days=1))
    counts = await colbot.retention().run(clock.now())
    assert (counts["profiles_warned"], counts["profiles_erased"]) == (0, 0)
    assert await profile(colbot, "quiet-2") is not None

    # Quiet for longer than the period before anyone warned them (say, the job was off): they
    # still get the whole month's notice, from the day they are told.
    clock.set(clock.now() + 2 * YEAR)
    told = clock.now()
    assert (await colbot.retention().run(told))["profiles_warned"] == 1
    clock.set(told + MONTH - timedelta(minutes=1))
    assert (await colbot.retention().run(clock.now()))["profiles_erased"] == 0
    clock.set(told + MONTH)
    assert (await colbot.retention().run(clock.now()))["profiles_erased"] == 1


async def test_two_runners_at_once_warn_once_and_erase_once(
    colbot: Colbot, clock: FrozenClock
) -> None:
    for n in range(3):
        await onboarded(colbot, f"pair-{n}")
    other = build_app(colbot.settings, clock=clock)
    try:
        clock.advance(YEAR - MONTH + timedelta(hours=1))
        first, second = await asyncio.gather(
            colbot.retention().run(clock.now()), other.retention().run(clock.now())
        )
        assert first["profiles_warned"] + second["profiles_warned"] == 3
        for n in range(3):
            assert len(await warnings_to(colbot, f"pair-{n}")) == 1
        clock.advance(MONTH)
        first, second = await asyncio.gather(
            colbot.retention().run(clock.now()), other.retention().run(clock.now())
        )
        assert first["profiles_erased"] + second["profiles_erased"] == 3
        for n in range(3):
            assert await profile(colbot, f"pair-{n}") is None
    finally:
        await other.database.dispose()


async def test_the_scheduled_job_runs_in_one_process_of_two(
    colbot: Colbot, clock: FrozenClock
) -> None:
    """The job as `colbot serve` schedules it: a lease each, so only one of two runs it."""
    from colbot.runtime import leases

    await onboarded(colbot, "lease-1")
    other = build_app(colbot.settings, clock=clock)
    try:
        clock.advance(YEAR - MONTH + timedelta(hours=1))
        runs: list[str] = []

        def job(app: Colbot, name: str) -> object:
            async def work() -> None:
                runs.append(name)
                await app.purge_retention()

            once = leases.RunOnce(app.database, clock.now, name)
            return once.job("purge_retention", timedelta(hours=1), work)

        await asyncio.gather(job(colbot, "a")(), job(other, "b")())  # type: ignore[operator]
        assert len(runs) == 1
        assert len(await warnings_to(colbot, "lease-1")) == 1
    finally:
        await other.database.dispose()


async def test_the_job_logs_counts_and_never_whom(
    colbot: Colbot, clock: FrozenClock, caplog: pytest.LogCaptureFixture
) -> None:
    await onboarded(colbot, "logged-4471")
    person = await profile(colbot, "logged-4471")
    assert person is not None
    clock.advance(YEAR - MONTH + timedelta(hours=1))
    with caplog.at_level(logging.INFO, logger="colbot.retention"):
        await colbot.purge_retention()
        clock.advance(MONTH)
        await colbot.purge_retention()
    said = "\n".join(record.getMessage() for record in caplog.records)
    assert "profiles_warned 1" in said and "profiles_erased 1" in said
    assert "logged-4471" not in said and person.public_id not in said and "Quinn" not in said
