"""kill -9 of `colbot serve` while web chat pages are busy, then a restart.

Each page behaves as the real one does: it numbers its messages, resends any the server has not
said it took, and acknowledges the replies it shows. After the restart every message sent has
been answered exactly once: none lost (the page's number is noted in the same transaction as the
handling), none answered twice (a resend of a handled message is known by its number).
"""

from __future__ import annotations

import asyncio
import os
import random
import signal
from pathlib import Path

from tests.support import pages
from tests.support.demo import free_port
from tests.support.process import colbot_env, start_colbot, wait_healthy

PAGES = 15
MESSAGES_PER_PAGE = 8


class Page(pages.Page):
    """A page that talks through a kill -9 of its only process."""

    async def talk(self, upto: int) -> None:
        """Sends messages up to number `upto`, resending first any not yet taken."""
        while self.next_seq <= upto:
            seq = self.next_seq
            await self.send(seq)
            await self.read_until_taken(seq)
            self.next_seq += 1
            await asyncio.sleep(random.uniform(0.01, 0.05))

    async def catch_up(self) -> None:
        """After a reconnect: anything shown late arrives with the hello; the resend is taken."""
        pending = self.next_seq
        if pending <= MESSAGES_PER_PAGE and pending not in self.taken:
            await self.send(pending)
            await self.read_until_taken(pending)
            self.next_seq += 1


async def test_web_chat_messages_survive_kill_9_and_are_answered_exactly_once(
    tmp_path: Path,
) -> None:
    seed = int(os.environ.get("COLBOT_KILL_SEED") or random.randrange(1_000_000))
    random.seed(seed)
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    data_dir = tmp_path / "data"
    data_dir.mkdir()
    env = colbot_env(data_dir, {"COLBOT_PORT": str(port), "COLBOT_PUBLIC_URL": base})
    serve = await start_colbot("serve", "--demo", env=env)
    await wait_healthy(port, serve)
    pages = [Page(base, n) for n in range(PAGES)]
    for page in pages:
        await page.connect()
    kill_after = random.uniform(0.1, 0.5)
    talking = [asyncio.create_task(page.talk(MESSAGES_PER_PAGE)) for page in pages]
    await asyncio.sleep(kill_after)
    serve.send_signal(signal.SIGKILL)
    await serve.wait()
    await asyncio.gather(*talking, return_exceptions=True)
    sent_before = sum(page.next_seq - 1 for page in pages)
    in_doubt = sum(1 for page in pages if page.next_seq not in page.taken)

    restarted = await start_colbot("serve", env=env)
    try:
        await wait_healthy(port, restarted)
        for page in pages:
            await page.connect()
            await page.catch_up()
        await asyncio.gather(*(page.talk(MESSAGES_PER_PAGE) for page in pages))
        for page in pages:
            await page.send(page.next_seq)  # one more, so every late reply is surely shown
            await page.read_until_taken(page.next_seq)
    finally:
        for page in pages:
            await page.close()
        restarted.send_signal(signal.SIGTERM)
        await asyncio.wait_for(restarted.communicate(), 30)
    for page in pages:
        answered = len(page.shown)
        assert answered == MESSAGES_PER_PAGE + 1, (
            f"seed {seed}: page {page.number} sent {MESSAGES_PER_PAGE + 1} messages and was "
            f"answered {answered} times"
        )
    print(
        f"\nseed {seed}: kill -9 after {kill_after:.2f} s, with {sent_before} messages taken and "
        f"{in_doubt} in flight; after the restart all {PAGES * (MESSAGES_PER_PAGE + 1)} "
        "were answered exactly once"
    )
