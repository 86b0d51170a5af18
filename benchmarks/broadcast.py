"""How fast does the delivery engine send a broadcast to 35,000 young people?

Runs the Telegram Bot API test double in its own process (so it does not share colbot's CPU),
seeds 35,000 onboarded young people into a fresh SQLite database, queues one broadcast, and
drains it through colbot's real outbox and Telegram channel (python-telegram-bot over HTTP):

1. With the rate limit lifted (COLBOT_SEND_RATE=0): the engine's own throughput, first with a
   sender that accepts at once (outbox, claims, pacing, group commits: the engine alone), then
   through python-telegram-bot and the double over HTTP (end to end).
   Target: at least 1,000 messages a second.
2. At 25 a second, for --paced-seconds: the achieved rate and the busiest one-second window.
   Target: within 2% of 25/s, and never above 25 in any one-second window.

    python benchmarks/broadcast.py [--people N] [--paced-seconds S]
"""

from __future__ import annotations

import argparse
import asyncio
import bisect
import contextlib
import json
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from harness import serve_double

from colbot.app import build_app
from colbot.chat.messages import Outbound
from colbot.outreach import broadcasts
from colbot.settings import load_settings

YOUNG_PEOPLE = 35_000
PACED_RATE = 25
PACED_SECONDS = 60
FIRST_USER_ID = 1_000_001
TARGET_THROUGHPUT = 1000


def _report_sends(double: Any, line: bytes) -> None:
    """On "report", prints when each message reached the double, and forgets them."""
    if line.strip() == b"report":
        times = [c.at for c in double.calls_to("sendMessage") if c.ok]
        print(json.dumps(times), flush=True)
        double.calls.clear()


class Double:
    """The double's process, seen from the benchmark."""

    def __init__(self, process: asyncio.subprocess.Process, info: dict[str, str]) -> None:
        self.process = process
        self.base_url = info["base_url"]
        self.token = info["token"]

    @classmethod
    async def start(cls, people: int) -> Double:
        process = await asyncio.create_subprocess_exec(
            sys.executable,
            __file__,
            "--double",
            str(people),
            stdin=asyncio.subprocess.PIPE,
            stdout=asyncio.subprocess.PIPE,
            limit=2**26,
        )
        assert process.stdout is not None
        return cls(process, json.loads(await process.stdout.readline()))

    async def send_times(self) -> list[float]:
        assert self.process.stdin is not None and self.process.stdout is not None
        self.process.stdin.write(b"report\n")
        await self.process.stdin.drain()
        return sorted(json.loads(await self.process.stdout.readline()))

    async def stop(self) -> None:
        assert self.process.stdin is not None
        self.process.stdin.close()
        await self.process.wait()


def busiest_window(times: list[float]) -> int:
    """The most sends in any one-second window starting at a send."""
    return max((bisect.bisect_left(times, t + 1.0) - i for i, t in enumerate(times)), default=0)


async def run(
    people: int,
    rate: int,
    folder: Path,
    double: Double,
    seconds: float | None,
    engine_only: bool = False,
) -> None:
    from tests.support.people_seed import seed_people

    settings = load_settings(
        {},
        data_dir=folder,
        telegram_token=double.token,
        telegram_api_url=double.base_url,
        send_rate=rate,
        quiet_hours=None,
    )
    app = build_app(settings)
    await app.prepare()
    assert app.telegram is not None
    await app.telegram.application.initialize()
    stamps: list[float] = []
    if engine_only:

        async def accept(chat_id: str, outbound: Outbound) -> None:
            stamps.append(time.time())

        app.outbox.add_sender("telegram", accept)
    now = app.clock.now()
    # News goes only to those who said yes to colbot messaging them first.
    chat_ids = [FIRST_USER_ID + n for n in range(people)]
    await seed_people(app.database, chat_ids, now, messages_first=True)
    started = time.perf_counter()
    async with app.database.transaction() as session:
        queued = await broadcasts.queue(
            session, "bench", "Hello!", broadcasts.Audience(), now, None
        )
    queue_s = time.perf_counter() - started
    if queued != people:
        raise SystemExit(f"the broadcast reached {queued} of {people} young people")
    started = time.perf_counter()
    if seconds is None:
        await app.outbox.drain()
    else:
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(app.outbox.drain(), seconds)
    elapsed = time.perf_counter() - started
    await app.telegram.application.shutdown()
    await app.database.dispose()
    times = await double.send_times() if not engine_only else stamps
    span = times[-1] - times[0] if len(times) > 1 else 0.0
    label = "engine only, lifted" if engine_only else "lifted" if rate == 0 else f"{rate}/s"
    print(f"[{label}] queued {queued} messages in {queue_s:.2f} s")
    print(f"[{label}] sent {len(times)} in {elapsed:.1f} s: {len(times) / elapsed:.0f} messages/s")
    if rate:
        achieved = (len(times) - 1) / span if span else 0.0
        print(
            f"[{label}] achieved {achieved:.2f}/s ({100 * (achieved - rate) / rate:+.1f}% of the "
            f"limit); busiest one-second window: {busiest_window(times)} (limit {rate})"
        )
    elif len(times) / elapsed < TARGET_THROUGHPUT:
        print(f"[{label}] BELOW the target of {TARGET_THROUGHPUT} messages/s")


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--people", type=int, default=YOUNG_PEOPLE)
    parser.add_argument("--paced-seconds", type=float, default=PACED_SECONDS)
    parser.add_argument("--double", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.double is not None:
        await serve_double(args.double, FIRST_USER_ID, _report_sends)
        return
    double = await Double.start(args.people)
    try:
        with tempfile.TemporaryDirectory() as lifted, tempfile.TemporaryDirectory() as paced:
            await run(args.people, 0, Path(lifted) / "engine", double, None, engine_only=True)
            await run(args.people, 0, Path(lifted), double, None)
            await run(args.people, PACED_RATE, Path(paced), double, args.paced_seconds)
    finally:
        await double.stop()


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    asyncio.run(main())
