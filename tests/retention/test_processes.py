"""Two `colbot privacy purge` processes at once on one database: one warning, one erasure, no error.

On SQLite, and on PostgreSQL with COLBOT_TEST_DATABASE_URL. The processes run on the real clock,
so the profile's last message is moved back in the database instead of moving a clock.
"""

from __future__ import annotations

import asyncio
import os
import sys
from datetime import UTC, datetime, timedelta

from sqlalchemy import select, update

from colbot.app import Colbot
from colbot.storage.models import OutboxMessage, YoungPerson
from tests.retention.test_quiet_profiles import onboarded, profile

CHAT = "two-processes"
PURGE_TIMEOUT_S = 120


async def purge_twice_at_once(colbot: Colbot) -> list[str]:
    """Runs `colbot privacy purge` in two processes side by side; each one's output."""
    env = {
        **os.environ,
        "COLBOT_DATA_DIR": str(colbot.settings.data_dir),
        "COLBOT_DATABASE_URL": colbot.settings.resolved_database_url,
    }

    async def one() -> str:
        process = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "colbot",
            "privacy",
            "purge",
            env=env,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.STDOUT,
        )
        out, _ = await asyncio.wait_for(process.communicate(), PURGE_TIMEOUT_S)
        assert process.returncode == 0, out.decode()
        return out.decode()

    return list(await asyncio.gather(one(), one()))


def counted(outputs: list[str], label: str) -> int:
    """The sum over both processes of one line of their counts."""
    total = 0
    for output in outputs:
        line = next(line for line in output.splitlines() if line.strip().startswith(label))
        total += int(line.rsplit(":", 1)[1])
    return total


async def test_two_purge_processes_at_once_warn_once_and_erase_once(colbot: Colbot) -> None:
    await onboarded(colbot, CHAT)
    now = datetime.now(UTC)
    async with colbot.database.transaction() as session:
        await session.execute(update(YoungPerson).values(last_seen_at=now - timedelta(days=340)))

    outputs = await purge_twice_at_once(colbot)
    assert counted(outputs, "quiet profiles told") == 1, outputs
    async with colbot.database.reading() as session:
        warnings = list(
            await session.scalars(
                select(OutboxMessage.id).where(
                    OutboxMessage.chat_id == CHAT,
                    OutboxMessage.idempotency_key.startswith("retention:"),
                )
            )
        )
    assert len(warnings) == 1
    assert await profile(colbot, CHAT) is not None, "warned, not erased yet"

    # The month's notice has run out, with no reply.
    async with colbot.database.transaction() as session:
        await session.execute(
            update(YoungPerson).values(
                last_seen_at=now - timedelta(days=400),
                retention_warned_at=now - timedelta(days=31),
            )
        )
    outputs = await purge_twice_at_once(colbot)
    assert counted(outputs, "quiet profiles erased") == 1, outputs
    assert await profile(colbot, CHAT) is None
