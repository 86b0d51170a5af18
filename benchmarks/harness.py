"""What the benchmark scripts share: a free port, the Bot API double in a process of its own, and
the options that pick their runs and profile the colbot they start.

The scripts run as `python benchmarks/NAME.py`, so this folder is first on the import path.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import socket
import sys
from collections.abc import Callable, Sequence
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


def add_runs_option(parser: argparse.ArgumentParser, runs: Sequence[str], in_order: bool) -> None:
    """--runs: which of `runs` to measure, comma-separated; a name not among them is refused."""

    def chosen(text: str) -> list[str]:
        names = text.split(",")
        if unknown := set(names) - set(runs):
            raise argparse.ArgumentTypeError(f"unknown runs: {', '.join(sorted(unknown))}")
        return names

    order = ", in order" if in_order else ""
    parser.add_argument(
        "--runs",
        type=chosen,
        default=list(runs),
        help=f"which to measure{order}, comma-separated (default: {','.join(runs)})",
    )


def add_profile_option(parser: argparse.ArgumentParser, which: str) -> None:
    """--profile FILE: the colbot process `which` names runs under cProfile, writing FILE."""
    parser.add_argument(
        "--profile", type=Path, help=f"write cProfile figures of {which} to this file"
    )


def profiled(args: list[str], profile: Path | None) -> list[str]:
    """Python's arguments for a colbot process, under cProfile when a file is given."""
    if profile is None:
        return args
    # cProfile writes its figures when `colbot serve` stops cleanly on SIGTERM.
    return ["-m", "cProfile", "-o", str(profile), *args]
