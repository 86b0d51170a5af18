"""kill -9 of `colbot serve` in the middle of a broadcast to 5,000, then a restart.

Counted at the Telegram double: everyone gets it (none missing); nobody gets it three times; the
only ones who may get it twice are those whose API call had reached Telegram but whose
confirmation was not yet committed at the kill. Telegram has no idempotency key, so those cannot
be known to be sent or not and are sent again (at-least-once); the drainer holds a send slot until
the confirmation is committed, so there are at most MAX_IN_FLIGHT of them. Everyone else gets it
exactly once.
"""

from __future__ import annotations

import asyncio
import signal
from pathlib import Path

from sqlalchemy import select

from colbot.clock import SystemClock
from colbot.delivery.outbox import CLAIM_CHUNK, MAX_IN_FLIGHT, PENDING, SENT
from colbot.storage.database import Database
from colbot.storage.models import OutboxMessage
from tests.doubles.telegram import TelegramDouble
from tests.support.demo import free_port
from tests.support.outreach import delivered
from tests.support.people_seed import seed_people
from tests.support.process import colbot_env, start_colbot, wait_healthy

YOUNG_PEOPLE = 5000
KILL_AFTER = 1717  # not a multiple of BATCH_SIZE or CLAIM_CHUNK, so the kill lands mid-batch
FINISH_TIMEOUT_S = 180.0
MESSAGE = "The Kensalfield festival is on this Saturday! 🎉"


async def _wait_for(condition: object, timeout: float) -> None:
    deadline = asyncio.get_running_loop().time() + timeout
    while not condition():  # type: ignore[operator]
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError("timed out waiting")
        await asyncio.sleep(0.02)


async def _rows(database: Database) -> list[tuple[str, str, object]]:
    async with database.reading() as session:
        return [
            (chat, status, claimed)
            for chat, status, claimed in await session.execute(
                select(OutboxMessage.chat_id, OutboxMessage.status, OutboxMessage.claimed_at)
            )
        ]


async def test_a_broadcast_survives_sigkill_and_reaches_everyone_once(tmp_path: Path) -> None:
    port = free_port()
    data_dir = tmp_path / "data"
    data_dir.mkdir()
    async with TelegramDouble() as double:
        env = colbot_env(
            data_dir,
            {
                "COLBOT_PORT": str(port),
                "COLBOT_PUBLIC_URL": f"http://127.0.0.1:{port}",
                "COLBOT_TELEGRAM_TOKEN": double.token,
                "COLBOT_TELEGRAM_API_URL": double.base_url,
                "COLBOT_SEND_RATE": "0",
                "COLBOT_QUIET_HOURS": "",
            },
        )
        database = Database(
            env.get("COLBOT_DATABASE_URL")
            or f"sqlite+aiosqlite:///{(data_dir / 'colbot.sqlite3').resolve()}"
        )
        await database.upgrade()
        chats = [double.person(f"Young{i}").id for i in range(YOUNG_PEOPLE)]
        await seed_people(database, chats, SystemClock().now(), messages_first=True)

        cli = await start_colbot("broadcast", "--yes", "--no-wait", MESSAGE, env=env)
        out, err = await asyncio.wait_for(cli.communicate(), 60)
        assert cli.returncode == 0, err.decode()
        assert f"It will go to {YOUNG_PEOPLE} young people" in out.decode()

        serve = await start_colbot("serve", env=env)
        await wait_healthy(port, serve)
        await _wait_for(lambda: len(delivered(double)) >= KILL_AFTER, 60)
        serve.send_signal(signal.SIGKILL)
        await serve.wait()
        assert serve.returncode == -signal.SIGKILL

        at_kill = await _rows(database)
        in_flight = {chat for chat, status, claimed in at_kill if status == PENDING and claimed}
        confirmed = {chat for chat, status, _ in at_kill if status == SENT}
        assert KILL_AFTER - CLAIM_CHUNK - MAX_IN_FLIGHT <= len(confirmed) < YOUNG_PEOPLE
        assert len(in_flight) <= CLAIM_CHUNK + MAX_IN_FLIGHT

        restarted = await start_colbot("serve", env=env)
        await wait_healthy(port, restarted)

        async def all_sent() -> bool:
            return all(status == SENT for _, status, _ in await _rows(database))

        deadline = asyncio.get_running_loop().time() + FINISH_TIMEOUT_S
        while not await all_sent():
            assert asyncio.get_running_loop().time() < deadline, "broadcast did not finish"
            await asyncio.sleep(0.2)
        restarted.send_signal(signal.SIGTERM)
        await asyncio.wait_for(restarted.communicate(), 30)
        await database.dispose()

        counts = delivered(double)
        twice = {str(chat) for chat, n in counts.items() if n > 1}
        assert set(counts) == set(chats), "someone never got the broadcast"
        assert max(counts.values()) <= 2
        assert twice <= in_flight, "only messages in flight at the kill may arrive twice"
        assert len(twice) <= MAX_IN_FLIGHT, "more were in doubt than could be in flight"
        assert sum(counts.values()) == YOUNG_PEOPLE + len(twice)
        once = [chat for chat in chats if str(chat) not in in_flight]
        assert all(counts[chat] == 1 for chat in once)
        print(
            f"\n{YOUNG_PEOPLE} young people; {len(confirmed)} confirmed before kill -9, "
            f"{len(in_flight)} in flight at the kill, {len(twice)} got it twice, "
            f"{YOUNG_PEOPLE - len(twice)} exactly once"
        )
