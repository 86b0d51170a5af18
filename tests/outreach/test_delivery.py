"""The delivery engine through the Telegram double: broadcasts, 429, 5xx, 403, quiet hours."""

from __future__ import annotations

import argparse
import asyncio
import io
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from colbot.app import Colbot
from colbot.clock import FrozenClock
from colbot.delivery import drainer, outbox
from colbot.outreach import cli as broadcast
from colbot.storage.models import YoungPerson
from tests.doubles.telegram import TelegramDouble
from tests.support.outreach import Seeder, delivered, outbox_rows


def cli_args(message: str, *, yes: bool = True, no_wait: bool = True, **more: object) -> object:
    values: dict[str, object] = {
        "message": message,
        "passion": [],
        "area": [],
        "yes": yes,
        "safety": False,
    }
    values.update(no_wait=no_wait, **more)
    return argparse.Namespace(**values)


async def run_cli(app: Colbot, args: object) -> tuple[int, str]:
    out = io.StringIO()
    code = await broadcast.run(app, args, out)  # type: ignore[arg-type]
    return code, out.getvalue()


async def test_broadcast_previews_counts_confirms_and_reports(
    sender: Colbot, people: Seeder, double: TelegramDouble, monkeypatch: pytest.MonkeyPatch
) -> None:
    young = await people(3, messages_first=True)
    monkeypatch.setattr("sys.stdin", io.StringIO("y\n"))

    async def keep_open() -> None:
        """The CLI runs in its own process; here it must not close the drainer's connections."""

    # Undone here, not at teardown: the fixture's own dispose must close the connections.
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(sender.database, "dispose", keep_open)
        follower = asyncio.create_task(
            run_cli(sender, cli_args("Festival on Saturday!", yes=False, no_wait=False))
        )
        while not follower.done():
            await sender.outbox.drain()
            await asyncio.sleep(0.05)
    code, printed = follower.result()
    assert code == 0
    assert "Festival on Saturday!" in printed
    assert "It will go to 3 young people" in printed
    assert "Send it to 3 young people? [y/N]" in printed
    assert "Sent 3 · held for quiet hours 0 · unreachable 0" in printed
    assert delivered(double) == {p.id: 1 for p in young}
    assert young[0].last.text == "Festival on Saturday!"


async def test_a_refused_broadcast_sends_nothing(
    sender: Colbot, people: Seeder, double: TelegramDouble, monkeypatch: pytest.MonkeyPatch
) -> None:
    await people(2, messages_first=True)
    monkeypatch.setattr("sys.stdin", io.StringIO("n\n"))
    code, printed = await run_cli(sender, cli_args("Hello", yes=False))
    assert code == 1
    assert "Not sent." in printed
    assert await outbox_rows(sender) == []


async def test_broadcast_reaches_those_with_given_passions_or_areas(
    sender: Colbot, people: Seeder, double: TelegramDouble
) -> None:
    music = await people(2, messages_first=True, passions=("music",), area="kf2")
    north = await people(1, messages_first=True, passions=("sport",), area="kf1")
    await people(2, messages_first=True, passions=("sport",), area="kf3")
    code, printed = await run_cli(sender, cli_args("Open mic", passion=["music"], area=["kf1"]))
    assert code == 0
    assert "It will go to 3 young people" in printed
    await sender.outbox.drain()
    assert delivered(double) == {p.id: 1 for p in [*music, *north]}


async def test_the_same_broadcast_batch_is_queued_once(sender: Colbot, people: Seeder) -> None:
    from colbot.outreach import broadcasts

    await people(4, messages_first=True)
    async with sender.database.transaction() as session:
        for _ in range(2):
            await broadcasts.queue(
                session, "same", "Hi", broadcasts.Audience(), sender.clock.now(), None
            )
    assert len(await outbox_rows(sender)) == 4


async def test_429_retry_after_is_honoured(
    sender: Colbot, people: Seeder, double: TelegramDouble, clock: FrozenClock
) -> None:
    (ada,) = await people(1, messages_first=True)
    # PTB's limiter retries 3 times itself; the 4th 429 comes back to the outbox.
    double.fail_next("sendMessage", 429, retry_after=1, times=4)
    await run_cli(sender, cli_args("Hi"))
    await sender.outbox.drain()
    calls = double.calls_to("sendMessage")
    assert [c.status for c in calls] == [429] * 4
    assert calls[-1].at - calls[0].at >= 3 * 0.95  # waited retry_after between PTB's tries
    (row,) = await outbox_rows(sender)
    assert row.status == outbox.PENDING and row.claimed_at is None
    assert row.not_before == clock.now() + timedelta(seconds=1)
    await sender.outbox.drain()
    assert delivered(double) == {}  # not before retry_after on the injected clock
    clock.advance(timedelta(seconds=1))
    await sender.outbox.drain()
    assert delivered(double) == {ada.id: 1}


@pytest.mark.parametrize("status", [500, 502])
async def test_5xx_is_retried_with_backoff(
    sender: Colbot, people: Seeder, double: TelegramDouble, clock: FrozenClock, status: int
) -> None:
    (ada,) = await people(1, messages_first=True)
    double.fail_next("sendMessage", status, times=2)
    await run_cli(sender, cli_args("Hi"))
    await sender.outbox.drain()
    (row,) = await outbox_rows(sender)
    assert row.not_before == clock.now() + timedelta(seconds=2)
    clock.advance(timedelta(seconds=2))
    await sender.outbox.drain()
    (row,) = await outbox_rows(sender)
    assert row.not_before == clock.now() + timedelta(seconds=4)
    clock.advance(timedelta(seconds=4))
    await sender.outbox.drain()
    assert delivered(double) == {ada.id: 1}
    (row,) = await outbox_rows(sender)
    assert row.status == outbox.SENT and row.attempts == 3


async def test_a_message_that_keeps_failing_is_given_up(
    sender: Colbot, people: Seeder, double: TelegramDouble, clock: FrozenClock
) -> None:
    await people(1, messages_first=True)
    double.fail_next("sendMessage", 500, times=outbox.MAX_ATTEMPTS)
    await run_cli(sender, cli_args("Hi"))
    for _ in range(outbox.MAX_ATTEMPTS):
        await sender.outbox.drain()
        clock.advance(timedelta(minutes=10))
    (row,) = await outbox_rows(sender)
    assert row.status == outbox.FAILED
    assert len(double.calls_to("sendMessage")) == outbox.MAX_ATTEMPTS


async def test_a_timeout_is_retried(sender: Colbot, people: Seeder, clock: FrozenClock) -> None:
    attempts: list[str] = []

    async def slow_then_fine(chat_id: str, _: object) -> None:
        attempts.append(chat_id)
        if len(attempts) == 1:
            raise TimeoutError("timed out")

    sender.outbox.add_sender("telegram", slow_then_fine)
    await people(1, messages_first=True)
    await run_cli(sender, cli_args("Hi"))
    await sender.outbox.drain()
    clock.advance(timedelta(seconds=2))
    await sender.outbox.drain()
    assert len(attempts) == 2
    (row,) = await outbox_rows(sender)
    assert row.status == outbox.SENT


async def test_403_marks_them_unreachable_until_they_write_again(
    sender: Colbot, people: Seeder, double: TelegramDouble, clock: FrozenClock
) -> None:
    ada, bo = await people(2, messages_first=True)
    double.block(ada)
    _code, printed = await run_cli(sender, cli_args("First"))
    await sender.outbox.drain()
    assert delivered(double) == {bo.id: 1}
    async with sender.database.reading() as session:
        person = await session.scalar(select(YoungPerson).order_by(YoungPerson.id.desc()).offset(1))
        session.expunge_all()
    assert person is not None and person.unreachable_since == clock.now()
    _code, printed = await run_cli(sender, cli_args("Second"))
    assert "It will go to 1 young people" in printed
    await sender.outbox.drain()
    assert len(double.calls_to("sendMessage")) == 3  # nothing more tried for Ada
    from colbot.people import store as people_service

    async with sender.database.transaction() as session:
        await people_service.touch(session, person, clock.now())
    _code, printed = await run_cli(sender, cli_args("Third"))
    assert "It will go to 2 young people" in printed


async def test_a_broadcast_at_night_waits_for_the_morning(
    sender: Colbot, people: Seeder, double: TelegramDouble, clock: FrozenClock
) -> None:
    clock.set(datetime(2026, 11, 28, 22, 0, tzinfo=UTC))
    night_owl, early = (
        await people(1, messages_first=True, quiet_hours=""),
        await people(1, messages_first=True),
    )
    _code, _ = await run_cli(sender, cli_args("Tomorrow's festival"))
    await sender.outbox.drain()
    assert delivered(double) == {night_owl[0].id: 1}
    rows = await outbox_rows(sender)
    held = next(r for r in rows if r.chat_id == str(early[0].id))
    assert held.deferred and held.not_before == datetime(2026, 11, 29, 8, 0, tzinfo=UTC)
    clock.set(datetime(2026, 11, 29, 7, 59, tzinfo=UTC))
    await sender.outbox.drain()
    assert early[0].id not in delivered(double)
    clock.set(datetime(2026, 11, 29, 8, 0, tzinfo=UTC))
    await sender.outbox.drain()
    assert delivered(double) == {night_owl[0].id: 1, early[0].id: 1}


async def test_a_crash_between_claim_and_confirm_resends_only_that_message(
    sender: Colbot, people: Seeder, double: TelegramDouble
) -> None:
    young = await people(3, messages_first=True)
    await run_cli(sender, cli_args("Hi"))
    rows = await outbox_rows(sender)
    await sender.outbox._claim(drainer.Due.of(rows[0]), sender.clock.now())  # as if killed mid-call
    await sender.outbox.drain()
    assert delivered(double) == {young[1].id: 1, young[2].id: 1}
    assert await sender.outbox.recover() == 1
    await sender.outbox.drain()
    assert delivered(double) == {p.id: 1 for p in young}


async def test_one_chat_gets_at_most_one_message_a_second(
    sender: Colbot, people: Seeder, double: TelegramDouble
) -> None:
    sender.outbox.per_chat_gap_s = 1.0
    (ada,) = await people(1, messages_first=True)
    await run_cli(sender, cli_args("One"))
    await run_cli(sender, cli_args("Two"))
    await sender.outbox.drain()
    assert delivered(double) == {ada.id: 1}
    await asyncio.sleep(1.0)
    await sender.outbox.drain()
    first, second = double.calls_to("sendMessage")
    assert second.at - first.at >= 1.0
    assert [m.text for m in ada.messages] == ["One", "Two"]


async def test_stop_pauses_everything_until_they_write_again(
    sender: Colbot, people: Seeder, double: TelegramDouble
) -> None:
    from colbot.chat.messages import Inbound, InboundKind

    ada, _ = await people(2, messages_first=True)
    replies = await sender.engine.handle(
        Inbound("telegram", str(ada.id), InboundKind.COMMAND, text="/stop", command="stop")
    )
    assert "paused everything" in replies[0].text
    _code, printed = await run_cli(sender, cli_args("News"))
    assert "It will go to 1 young people" in printed
    await sender.engine.handle(Inbound("telegram", str(ada.id), InboundKind.TEXT, text="hi"))
    _code, printed = await run_cli(sender, cli_args("More news"))
    assert "It will go to 2 young people" in printed
