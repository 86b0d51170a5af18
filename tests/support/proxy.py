"""Debian's Caddy in front of colbot processes, started with deploy/Caddyfile as it ships."""

from __future__ import annotations

import asyncio
import os
import shutil
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from pathlib import Path

from tests.support.process import wait_answering

CADDYFILE = Path(__file__).parents[2] / "deploy" / "Caddyfile"
STOP_TIMEOUT_S = 20.0


@asynccontextmanager
async def caddy(port: int, upstreams: Sequence[int], home: Path) -> AsyncIterator[str]:
    """Runs Caddy on loopback (plain HTTP) spreading over the given ports; yields its address."""
    binary = shutil.which("caddy")
    assert binary, "Caddy is needed for this test: apt-get install caddy (.ci/run does)"
    home.mkdir(parents=True, exist_ok=True)
    env = {
        **os.environ,
        "HOME": str(home),
        "XDG_DATA_HOME": str(home),
        "XDG_CONFIG_HOME": str(home),
        "COLBOT_SITE": f"http://127.0.0.1:{port}",
        "COLBOT_UPSTREAMS": " ".join(f"127.0.0.1:{upstream}" for upstream in upstreams),
    }
    process = await asyncio.create_subprocess_exec(
        binary,
        "run",
        "--config",
        str(CADDYFILE),
        "--adapter",
        "caddyfile",
        env=env,
        stdout=asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.PIPE,
    )
    address = f"http://127.0.0.1:{port}"
    try:
        try:
            await wait_answering(address, process, "Caddy")
        except AssertionError as error:
            said = b""
            if process.returncode is not None and process.stderr is not None:
                said = await process.stderr.read()  # why it exited: a port taken, a bad Caddyfile
            raise AssertionError(f"{error}: {said.decode(errors='replace')[-2000:]}") from None
        yield address
    finally:
        if process.returncode is None:
            process.terminate()
        await asyncio.wait_for(process.communicate(), STOP_TIMEOUT_S)
