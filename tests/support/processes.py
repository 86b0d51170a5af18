"""Several `colbot serve` processes on one database, each on its own port, as a city runs them."""

from __future__ import annotations

import asyncio
import re
import signal
from pathlib import Path

import aiohttp

from tests.support.demo import free_port
from tests.support.process import colbot_env, start_colbot, wait_healthy

STOP_TIMEOUT_S = 30.0


class Processes:
    """colbot processes sharing one database; the first loads the demo city."""

    def __init__(
        self,
        data_dir: Path,
        count: int,
        public_port: int | None = None,
        database_url: str | None = None,
    ) -> None:
        self.data_dir = data_dir
        # None: the test's own database (tests.support.databases); a benchmark names its own.
        self.given_database_url = database_url
        self.ports = [free_port() for _ in range(count)]
        # Where pages are served from: the proxy in front, or else the first process.
        self.public_url = f"http://127.0.0.1:{public_port or self.ports[0]}"
        self.processes: list[asyncio.subprocess.Process] = []

    def env(self, port: int) -> dict[str, str]:
        return colbot_env(
            self.data_dir,
            {
                "COLBOT_PORT": str(port),
                "COLBOT_PUBLIC_URL": self.public_url,
                "COLBOT_TRUSTED_PROXIES": "127.0.0.1",
                "COLBOT_QUIET_HOURS": "",
                "COLBOT_SEND_RATE": "0",
                "COLBOT_LOG_LEVEL": "WARNING",
                **(
                    {"COLBOT_DATABASE_URL": self.given_database_url}
                    if self.given_database_url
                    else {}
                ),
            },
        )

    @property
    def database_url(self) -> str:
        return self.env(self.ports[0])["COLBOT_DATABASE_URL"]

    def url(self, index: int) -> str:
        return f"http://127.0.0.1:{self.ports[index]}"

    async def start(self) -> None:
        for index, port in enumerate(self.ports):
            demo = ["--demo"] if index == 0 else []
            process = await start_colbot("serve", *demo, env=self.env(port))
            self.processes.append(process)
            await wait_healthy(port, process)

    async def stop_one(self, index: int) -> None:
        """SIGTERM, as systemd sends it; the process must stop cleanly."""
        process = self.processes[index]
        process.send_signal(signal.SIGTERM)
        _, stderr = await asyncio.wait_for(process.communicate(), STOP_TIMEOUT_S)
        assert process.returncode == 0, stderr.decode()[-2000:]

    async def restart(self, index: int) -> None:
        """Stops one process and starts it again on its port."""
        await self.stop_one(index)
        process = await start_colbot("serve", env=self.env(self.ports[index]))
        self.processes[index] = process
        await wait_healthy(self.ports[index], process)

    async def run(self, *args: str) -> str:
        """Runs one `colbot` command on the same database; its output."""
        cli = await start_colbot(*args, env=self.env(self.ports[0]))
        out, err = await asyncio.wait_for(cli.communicate(), 60)
        assert cli.returncode == 0, err.decode()
        return out.decode()

    async def metric(self, name: str) -> float:
        """A counter summed over every process."""
        total = 0.0
        async with aiohttp.ClientSession() as client:
            for index in range(len(self.ports)):
                async with client.get(f"{self.url(index)}/metrics") as response:
                    text = await response.text()
                found = re.search(rf"^{name} (\S+)$", text, re.M)
                total += float(found.group(1)) if found else 0.0
        return total

    async def stop(self) -> None:
        for process in self.processes:
            if process.returncode is None:
                process.send_signal(signal.SIGTERM)
        for process in self.processes:
            _, stderr = await asyncio.wait_for(process.communicate(), STOP_TIMEOUT_S)
            assert process.returncode == 0, stderr.decode()[-2000:]
