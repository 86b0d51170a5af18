"""What the benchmark scripts share: a free port, and the Bot API double in a process of its own.

The scripts run as `python benchmarks/NAME.py`, so this folder is first on the import path.
"""

from __future__ import annotations

import asyncio
import json
import socket
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

REPOSITORY = Path(__file__).resolve().parents[1]


def free_port() -> int:
    """A loopback port nobody is listening on just now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


async def serve_double(
    people: int, first_user_id: int, on_line: Callable[[Any, bytes], None] | None = None
) -> None:
    """The double's process: knows `people` private chats, prints where it listens, then serves
    until its standard input closes, handing each line it reads to `on_line`."""
    sys.path.insert(0, str(REPOSITORY))
    from tests.doubles.telegram import TelegramDouble

    async with TelegramDouble() as double:
        for n in range(people):
            double.person(f"Young{n}", user_id=first_user_id + n)
        print(json.dumps({"base_url": double.base_url, "token": double.token}), flush=True)
        loop = asyncio.get_running_loop()
        reader = asyncio.StreamReader()
        await loop.connect_read_pipe(lambda: asyncio.StreamReaderProtocol(reader), sys.stdin)
        while line := await reader.readline():
            if on_line is not None:
                on_line(double, line)
