"""Many young people chatting at once, in webhook mode, against one or several `colbot serve`s.

The Telegram Bot API double runs in its own process and takes every API call colbot makes. This
script plays Telegram's side of the webhook: it posts each simulated young person's updates to a
random colbot process's webhook, up to --connections at a time (Telegram allows up to 100), each
person's next message only after the last was answered. colbot handles an update before answering
its webhook call, so the call's round trip is the time from update to reply sent.

Each person onboards by typing (consent, age, nickname, area, distance, passions, free time),
explores, and tries a completion code. Reported: updates a second, p50 and p99 from update to
reply, errors (non-200 answers and errors colbot logged), and lost or duplicated updates (updates
colbot has no record of; updates handled more than once). Beside it, a bare python-telegram-bot
echo bot measured the same way through the same double.

    python benchmarks/load.py --people 10000 [--postgres postgresql+asyncpg://user@host:port/db]
                              [--runs echo,sqlite,pg1,pg3] [--rounds 5]

Without --postgres only the SQLite run and the echo bot are measured; with it (a server on which
the script may create and drop a database), one and three processes on PostgreSQL as well.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import re
import secrets
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import aiohttp
from aiohttp import web
from harness import add_profile_option, add_runs_option, free_port, profiled, serve_double
from sqlalchemy import func, select
from sqlalchemy.engine import make_url
from telegram import Update
from telegram.ext import Application, ContextTypes, MessageHandler, filters

from colbot.storage.database import Database
from colbot.storage.models import TelegramUpdate

FIRST_USER_ID = 2_000_001
RUNS = ("echo", "sqlite", "pg1", "pg3")
SECRET = "load-test-secret"
STARTUP_TIMEOUT_S = 60
ECHO = "bare PTB echo bot"
TARGET_RATIO = 0.5  # of the bare echo bot's updates a second, on the same double and load
SCRIPT = (
    "/start",
    "yes",
    "16",
    "call me {name}",
    "Riverside",
    "up to 5 km",
    "music and football",
    "done",
    "weekends",
    "/explore",
    "7KQ2-M9XD-4",
)


def update(update_id: int, user_id: int, text: str) -> dict[str, object]:
    """A private text message as Telegram posts it to a webhook."""
    person = {"id": user_id, "is_bot": False, "first_name": f"Young{user_id - FIRST_USER_ID}"}
    message: dict[str, object] = {
        "message_id": update_id,
        "date": int(time.time()),
        "chat": {"id": user_id, "type": "private", "first_name": person["first_name"]},
        "from": person,
        "text": text,
    }
    if text.startswith("/"):
        message["entities"] = [{"type": "bot_command", "offset": 0, "length": len(text)}]
    return {"update_id": update_id, "message": message}


@dataclass
class Result:
    name: str
    people: int
    sent: int = 0
    seconds: float = 0.0
    latencies: list[float] = field(default_factory=list)
    errors: int = 0
    lost: int | None = None
    duplicated: int | None = None

    def row(self) -> str:
        ordered = sorted(self.latencies)
        p50 = statistics.median(ordered) * 1000
        p99 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))] * 1000
        lost = "n/a" if self.lost is None else str(self.lost)
        dup = "n/a" if self.duplicated is None else str(self.duplicated)
        return (
            f"| {self.name} | {self.people:,} | {self.sent:,} | {self.sent / self.seconds:,.0f} "
            f"| {p50:.0f} ms | {p99:.0f} ms | {self.errors} | {lost} | {dup} |"
        )


async def drive(name: str, people: int, hooks: list[str], connections: int) -> Result:
    """Every person's script at once, each update to a random webhook; returns the timings."""
    result = Result(name, people)
    gate = asyncio.Semaphore(connections)
    ids = iter(range(1, 10**9))
    chooser = random.Random(9)
    headers = {"X-Telegram-Bot-Api-Secret-Token": SECRET}
    connector = aiohttp.TCPConnector(limit=connections)
    async with aiohttp.ClientSession(
        connector=connector, timeout=aiohttp.ClientTimeout(total=120)
    ) as client:

        async def person(n: int) -> None:
            for line in SCRIPT:
                body = update(next(ids), FIRST_USER_ID + n, line.format(name=f"Young{n}"))
                async with gate:
                    started = time.perf_counter()
                    try:
                        async with client.post(
                            chooser.choice(hooks), json=body, headers=headers
                        ) as answer:
                            await answer.read()
                            ok = answer.status == 200
                    except (aiohttp.ClientError, TimeoutError):
                        ok = False
                    result.latencies.append(time.perf_counter() - started)
                result.sent += 1
                result.errors += not ok

        started = time.perf_counter()
        await asyncio.gather(*(person(n) for n in range(people)))
        result.seconds = time.perf_counter() - started
    return result


async def wait_healthy(port: int, process: asyncio.subprocess.Process) -> None:
    deadline = time.monotonic() + STARTUP_TIMEOUT_S
    async with aiohttp.ClientSession() as client:
        while time.monotonic() < deadline:
            if process.returncode is not None:
                raise RuntimeError(f"a process exited with {process.returncode}")
            try:
                async with client.get(f"http://127.0.0.1:{port}/readyz") as response:
                    if response.status == 200:
                        return
            except aiohttp.ClientError:
                pass
            await asyncio.sleep(0.2)
    raise RuntimeError("not ready in time")


async def metric(port: int, name: str) -> float:
    async with (
        aiohttp.ClientSession() as client,
        client.get(f"http://127.0.0.1:{port}/metrics") as response,
    ):
        text = await response.text()
    return sum(float(v) for v in re.findall(rf"^{name}(?:{{[^}}]*}})? (\S+)$", text, re.M))


def colbot_env(
    data_dir: Path, port: int, public_port: int, double: dict[str, str], database_url: str | None
) -> dict[str, str]:
    """The environment of one `colbot serve` on the double by webhook, nothing else inherited."""
    base = {k: v for k, v in os.environ.items() if not k.startswith("COLBOT_")}
    return {
        **base,
        "COLBOT_DATA_DIR": str(data_dir),
        "COLBOT_PORT": str(port),
        "COLBOT_PUBLIC_URL": f"http://127.0.0.1:{public_port}",
        "COLBOT_TELEGRAM_TOKEN": double["token"],
        "COLBOT_TELEGRAM_API_URL": double["base_url"],
        "COLBOT_WEBHOOK_SECRET": SECRET,
        "COLBOT_SEND_RATE": "0",
        "COLBOT_LOG_LEVEL": "ERROR",
        **({"COLBOT_DATABASE_URL": database_url} if database_url else {}),
    }


async def colbot_run(
    name: str,
    people: int,
    processes: int,
    database_url: str | None,
    double: dict[str, str],
    profile: Path | None = None,
) -> Result:
    """Starts `processes` colbots on one database, drives them, and counts what they handled."""
    data_dir = Path(tempfile.mkdtemp(prefix="colbot-load-"))
    ports = [free_port() for _ in range(processes)]
    started = []
    try:
        for index, port in enumerate(ports):
            env = colbot_env(data_dir, port, ports[0], double, database_url)
            args = ["-m", "colbot", "serve", *(["--demo"] if index == 0 else [])]
            args = profiled(args, profile if index == 0 else None)
            process = await asyncio.create_subprocess_exec(
                sys.executable, *args, env=env, stderr=asyncio.subprocess.DEVNULL
            )
            started.append(process)
            await wait_healthy(port, process)
        hooks = [f"http://127.0.0.1:{port}/telegram/webhook" for port in ports]
        result = await drive(name, people, hooks, connections=64)
        handled = sum([await metric(port, "colbot_updates_handled_total") for port in ports])
        result.errors += int(sum([await metric(port, "colbot_errors_total") for port in ports]))
        database = Database(database_url or f"sqlite+aiosqlite:///{data_dir / 'colbot.sqlite3'}")
        async with database.reading() as session:
            recorded = await session.scalar(select(func.count()).select_from(TelegramUpdate)) or 0
        await database.dispose()
        result.lost = result.sent - recorded
        result.duplicated = int(handled) - recorded
        return result
    finally:
        for process in started:
            if process.returncode is None:
                process.send_signal(signal.SIGTERM)
        for process in started:
            await process.wait()


def echo_bot(double: dict[str, str]) -> tuple[Application, web.Application]:
    """A bare python-telegram-bot echo bot behind a webhook that answers after handling, as
    colbot's does; returns the bot (to add handlers to) and its web app."""
    application = (
        Application.builder()
        .token(double["token"])
        .base_url(double["base_url"])
        .updater(None)
        .build()
    )

    async def echo(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        assert update.message is not None and update.message.text is not None
        await update.message.reply_text(update.message.text)

    application.add_handler(MessageHandler(filters.TEXT, echo))

    async def webhook(request: web.Request) -> web.Response:
        await application.process_update(Update.de_json(await request.json(), application.bot))
        return web.Response(text="ok")

    app = web.Application()
    app.router.add_post("/telegram/webhook", webhook)
    return application, app


async def echo_run(people: int, double: dict[str, str]) -> Result:
    """The bare echo bot in this process, driven like colbot."""
    application, app = echo_bot(double)
    runner = web.AppRunner(app, access_log=None)
    port = free_port()
    async with application:
        await runner.setup()
        await web.TCPSite(runner, "127.0.0.1", port).start()
        try:
            return await drive(ECHO, people, [f"http://127.0.0.1:{port}/telegram/webhook"], 64)
        finally:
            await runner.cleanup()


def pg_database(server: str, action: str, name: str) -> None:
    """Creates or drops one database on the given server, through psql."""
    admin = make_url(server).set(drivername="postgresql").render_as_string(hide_password=False)
    sql = f"CREATE DATABASE {name}" if action == "create" else f"DROP DATABASE {name} WITH (FORCE)"
    subprocess.run(["psql", "--no-psqlrc", "-q", admin, "-c", sql], check=True)


async def one_round(args: argparse.Namespace, double: dict[str, str]) -> list[Result]:
    """Each chosen run once, in order, the echo bot first."""
    results: list[Result] = []
    if "echo" in args.runs:
        results.append(await echo_run(args.people, double))
        print(results[-1].row(), flush=True)
    if "sqlite" in args.runs:
        results.append(
            await colbot_run(
                "colbot, 1 process, SQLite", args.people, 1, None, double, profile=args.profile
            )
        )
        print(results[-1].row(), flush=True)
    wanted = [int(run[2:]) for run in args.runs if run.startswith("pg")]
    if args.postgres:
        for processes in wanted:
            name = f"colbot_load_{secrets.token_hex(4)}"
            pg_database(args.postgres, "create", name)
            url = make_url(args.postgres).set(database=name).render_as_string(hide_password=False)
            try:
                results.append(
                    await colbot_run(
                        f"colbot, {processes} process{'es' if processes > 1 else ''}, PostgreSQL",
                        args.people,
                        processes,
                        url,
                        double,
                    )
                )
                print(results[-1].row(), flush=True)
            finally:
                pg_database(args.postgres, "drop", name)
    return results


def ratios(results: list[Result]) -> dict[str, float]:
    """Each colbot run's rate over the echo bot's in the same round."""
    echo = next((r for r in results if r.name == ECHO), None)
    if echo is None:
        return {}
    return {
        r.name: (r.sent / r.seconds) / (echo.sent / echo.seconds) for r in results if r is not echo
    }


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=10_000)
    parser.add_argument("--postgres", help="a PostgreSQL server URL the script may use")
    parser.add_argument(
        "--rounds",
        type=int,
        default=1,
        help="measure the runs this many times over, each ratio against its own round's echo "
        "bot, and judge the median: on a shared machine one round's rates swing by a third",
    )
    add_runs_option(parser, RUNS, in_order=True)
    add_profile_option(parser, "the (first) SQLite colbot process")
    parser.add_argument("--double", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.double is not None:
        await serve_double(args.double, FIRST_USER_ID)
        return
    child = await asyncio.create_subprocess_exec(
        sys.executable,
        __file__,
        "--double",
        str(args.people),
        stdin=asyncio.subprocess.PIPE,
        stdout=asyncio.subprocess.PIPE,
    )
    assert child.stdout is not None and child.stdin is not None
    double = json.loads(await child.stdout.readline())
    load_at_start = os.getloadavg()[0]
    rounds = [await one_round(args, double) for _ in range(max(1, args.rounds))]
    child.stdin.close()
    await child.wait()
    print()
    print(f"{args.people:,} young people, {len(SCRIPT)} updates each, 64 webhook connections")
    print(f"load average {load_at_start:.1f} at the start")
    print("| run | people | updates | updates/s | p50 | p99 | errors | lost | duplicated |")
    print("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
    for results in rounds:
        for result in results:
            print(result.row())
    print(f"load average {os.getloadavg()[0]:.1f} at the end")
    by_run: dict[str, list[float]] = {}
    for results in rounds:
        for name, ratio in ratios(results).items():
            by_run.setdefault(name, []).append(ratio)
    for name, each in by_run.items():
        ratio = statistics.median(each)
        verdict = "pass" if ratio >= TARGET_RATIO else "miss"
        spread = f" (median of {len(each)} rounds: {', '.join(f'{r:.2f}' for r in each)})"
        print(
            f"{name}: {ratio:.2f}x the bare echo bot (target >= {TARGET_RATIO}x): {verdict}"
            + (spread if len(each) > 1 else "")
        )


if __name__ == "__main__":
    asyncio.run(main())
