"""Three `colbot serve` processes on one PostgreSQL database behave like one colbot.

The Bot API double posts every update to one webhook URL, as Telegram does; a little load
balancer in front spreads them over the three processes at random and, for about one update in
three, also delivers a copy to another process at the same moment (as Telegram does when it
retries). Every young person then onboards by pressing buttons, each press reaching any process.
"""

from __future__ import annotations

import asyncio
import random
import re
import signal
from collections import Counter
from pathlib import Path

import aiohttp
from aiohttp import web

from tests.doubles.telegram import Person, TelegramDouble
from tests.support import databases
from tests.support.demo import free_port
from tests.support.process import colbot_env, start_colbot, wait_healthy

pytestmark = databases.SEVERAL_PROCESSES

PROCESSES = 3
PEOPLE = 12
SECRET = "several-processes"
DUPLICATE_SHARE = 0.35
SCRIPT = ("Yes, that's OK", "17", "Call me {name}", "Riverside", "Up to 5 km", "🎵 Music")


class Spreader:
    """The load balancer: each webhook call to a random process, some also to a second one."""

    def __init__(self, backends: list[str], seed: int) -> None:
        self.backends = backends
        self.random = random.Random(seed)
        self.sent_to: Counter[str] = Counter()
        self.duplicates = 0
        self.port = free_port()
        self._runner: web.AppRunner | None = None
        self._client: aiohttp.ClientSession | None = None

    async def _forward(self, backend: str, body: bytes, headers: dict[str, str]) -> web.Response:
        assert self._client is not None
        self.sent_to[backend] += 1
        async with self._client.post(
            f"{backend}/telegram/webhook", data=body, headers=headers
        ) as reply:
            return web.Response(status=reply.status, text=await reply.text())

    async def handle(self, request: web.Request) -> web.Response:
        body = await request.read()
        headers = {
            "Content-Type": "application/json",
            "X-Telegram-Bot-Api-Secret-Token": request.headers.get(
                "X-Telegram-Bot-Api-Secret-Token", ""
            ),
        }
        first, second = self.random.sample(self.backends, 2)
        if self.random.random() >= DUPLICATE_SHARE:
            return await self._forward(first, body, headers)
        self.duplicates += 1
        replies = await asyncio.gather(
            self._forward(first, body, headers), self._forward(second, body, headers)
        )
        return replies[0]

    async def __aenter__(self) -> Spreader:
        app = web.Application()
        app.router.add_post("/telegram/webhook", self.handle)
        self._client = aiohttp.ClientSession()
        self._runner = web.AppRunner(app)
        await self._runner.setup()
        await web.TCPSite(self._runner, "127.0.0.1", self.port).start()
        return self

    async def __aexit__(self, *_: object) -> None:
        assert self._runner is not None and self._client is not None
        await self._runner.cleanup()
        await self._client.close()


async def _onboard(person: Person) -> None:
    """Onboards by buttons, waiting for each reply as a person would."""
    await person.ask("/start", timeout=30)
    for label in SCRIPT:
        await person.replies_to(
            person.press(label.format(name=person.first_name)),
            timeout=30,
            min_messages=0 if "Music" in label else 1,
        )
    await person.replies_to(person.press("Done ✅"), timeout=30)
    await person.replies_to(person.press("Skip"), timeout=30)
    await person.replies_to(person.press("No, only when I ask"), timeout=30)


async def _metric(port: int, name: str) -> float:
    async with (
        aiohttp.ClientSession() as client,
        client.get(f"http://127.0.0.1:{port}/metrics") as response,
    ):
        text = await response.text()
    return sum(float(v) for v in re.findall(rf"^{name}(?:{{[^}}]*}})? (\S+)$", text, re.M))


async def test_three_processes_handle_each_update_once_and_in_order(tmp_path: Path) -> None:
    ports = [free_port() for _ in range(PROCESSES)]
    processes = []
    async with (
        # A person reads every reply before pressing on: replies to a press may come from a
        # duplicate delivery still running in another process, so wait for a quiet second.
        TelegramDouble(quiet_period=1.0, webhook_timeout=30) as double,
        Spreader([f"http://127.0.0.1:{port}" for port in ports], seed=9) as spreader,
    ):
        try:
            for index, port in enumerate(ports):
                env = colbot_env(
                    tmp_path / "data",
                    {
                        "COLBOT_PORT": str(port),
                        "COLBOT_PUBLIC_URL": f"http://127.0.0.1:{spreader.port}",
                        "COLBOT_TELEGRAM_TOKEN": double.token,
                        "COLBOT_TELEGRAM_API_URL": double.base_url,
                        "COLBOT_WEBHOOK_SECRET": SECRET,
                        "COLBOT_LOG_LEVEL": "WARNING",
                    },
                )
                # The first migrates and loads the demo city; the others join it.
                process = await start_colbot("serve", *(["--demo"] if index == 0 else []), env=env)
                processes.append(process)
                await wait_healthy(port, process)

            people = [double.person(f"Person{i:02d}") for i in range(PEOPLE)]
            await asyncio.gather(*(_onboard(person) for person in people))
            await double.wait_delivered(timeout=30)
            await asyncio.sleep(1.0)
            transcripts = [
                [m.text.replace(p.first_name, "NAME") for m in p.messages] for p in people
            ]

            assert "All done, NAME" in "\n".join(transcripts[0])
            for transcript in transcripts[1:]:
                assert transcript == transcripts[0], "every person saw the same, once, in order"
            delivered = len(double.updates)
            handled = [await _metric(port, "colbot_updates_handled_total") for port in ports]
            skipped = [await _metric(port, "colbot_duplicate_updates_total") for port in ports]
            assert sum(handled) == delivered, (handled, delivered)
            assert spreader.duplicates > 0
            assert sum(skipped) == spreader.duplicates
            assert all(count > 0 for count in handled), "every process took a share"
        finally:
            for process in processes:
                if process.returncode is None:
                    process.send_signal(signal.SIGTERM)
            for process in processes:
                _, stderr = await asyncio.wait_for(process.communicate(), 30)
                assert process.returncode == 0, stderr.decode()[-2000:]
