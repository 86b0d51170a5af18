"""Running `colbot` as a real subprocess, the way a newcomer or a server would."""

from __future__ import annotations

import asyncio
import os
import sys
from collections.abc import Mapping
from pathlib import Path

import aiohttp

from tests.support.databases import database_url_for

STARTUP_TIMEOUT_S = 30.0


def colbot_env(data_dir: Path, extra: Mapping[str, str] | None = None) -> dict[str, str]:
    """A clean environment: only PATH-like basics plus the given colbot settings."""
    keep = {k: v for k, v in os.environ.items() if not k.startswith("COLBOT_")}
    database = {"COLBOT_DATABASE_URL": url} if (url := database_url_for(data_dir)) else {}
    return {**keep, "COLBOT_DATA_DIR": str(data_dir), **database, **(extra or {})}


async def start_colbot(*args: str, env: Mapping[str, str]) -> asyncio.subprocess.Process:
    """Starts `python -m colbot ARGS` with its output piped."""
    return await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "colbot",
        *args,
        env=dict(env),
        stdin=asyncio.subprocess.PIPE,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )


async def wait_healthy(port: int, process: asyncio.subprocess.Process) -> None:
    """Waits until /healthz answers, failing early if the process dies."""
    await wait_answering(f"http://127.0.0.1:{port}", process, "colbot")


async def wait_answering(base: str, process: asyncio.subprocess.Process, name: str) -> None:
    """Waits until BASE/healthz answers 200 (colbot's, or through a proxy to it)."""
    deadline = asyncio.get_running_loop().time() + STARTUP_TIMEOUT_S
    async with aiohttp.ClientSession() as client:
        while asyncio.get_running_loop().time() < deadline:
            if process.returncode is not None:
                raise AssertionError(f"{name} exited with {process.returncode}")
            try:
                async with client.get(f"{base}/healthz") as response:
                    if response.status == 200:
                        return
            except aiohttp.ClientConnectionError:
                pass
            await asyncio.sleep(0.1)
    raise AssertionError(f"{name} did not become healthy in time")
