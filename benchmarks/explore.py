"""/explore as five card messages or as one paged message: the same young people, the same double.

Issue 18 asks whether /explore's seven messages (an intro, five cards with their buttons, a
footer) should be one message turned with ◀ ▶ (COLBOT_EXPLORE_LAYOUT=paged). This script runs
`colbot serve --demo` by webhook once with each layout, and the bare python-telegram-bot echo bot
as the floor, one after the other in one run, against one Telegram Bot API double.

The double runs in this process with the driver, which reads what each bot sent straight from it
(message ids and buttons, as a person's phone would) and plays Telegram's side of the webhook: up
to --connections calls at a time, each person's next update only after the last was answered.
Every bot runs in a process of its own. Each person types through onboarding (which ends with
the first ideas, in the layout under test), sends /explore,
then looks through the first five ideas and acts on three: "Not for me" on the first (and taps
a reason), saves the second, asks for a reminder about the third. With cards that is five
updates; paged, four ▶ presses more to reach the same five ideas. The echo bot gets the paged
script's updates (a button press is answered, a text echoed): one Bot API call each.

Printed: updates a second, p50 and p99 of every update and of /explore alone, each person's
explore session (from /explore to the last press, the time spent waiting for the bot), the Bot
API calls each made (counted at the double, by chat, inside the update's own round trip), the
new messages a session puts in the chat (edits are not new), and the ratios between them.

    python benchmarks/explore.py [--people 200] [--runs echo,cards,paged] [--connections 64]
"""

from __future__ import annotations

import argparse
import asyncio
import copy
import itertools
import json
import os
import signal
import statistics
import sys
import tempfile
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import aiohttp
from aiohttp import web
from harness import REPOSITORY, add_runs_option, free_port
from load import ECHO, FIRST_USER_ID, SCRIPT, SECRET, colbot_env, echo_bot, metric, wait_healthy
from telegram import Update
from telegram.ext import CallbackQueryHandler, ContextTypes

sys.path.insert(0, str(REPOSITORY))
from tests.doubles.telegram import Person, SentMessage, TelegramDouble

RUNS = ("echo", "cards", "paged")
# load.py's onboarding, finished ("may I message you first?"): its ideas come straight after.
ONBOARDING = (*SCRIPT[: SCRIPT.index("/explore")], "no thanks")
PEOPLE_PER_RUN = 1_000_000  # each run meets new people, so no run sees another's messages
SAVE, REMIND, NOT_FOR_ME = "⭐ Save", "⏰ Remind me", "🙅 Not for me"
REASON, NEXT = "Too far", "Next ▶"

# A step: text to type, or (button label, which message): the nth idea shown since /explore, or
# "last" for the bot's newest message. Paged, every idea is on message 0, turned in place.
Step = str | tuple[str, int | str]
SESSIONS: dict[str, tuple[Step, ...]] = {
    "cards": ("/explore", (NOT_FOR_ME, 0), (REASON, "last"), (SAVE, 1), (REMIND, 2)),
    "paged": (
        "/explore",
        (NOT_FOR_ME, 0),
        (REASON, "last"),
        (NEXT, 0),
        (SAVE, 0),
        (NEXT, 0),
        (REMIND, 0),
        (NEXT, 0),
        (NEXT, 0),
    ),
}
SESSIONS["echo"] = SESSIONS["paged"]


def percentile(values: Sequence[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * share))] if ordered else float("nan")


@dataclass
class Window:
    """One update's round trip: whose, which step, and when it went and was answered."""

    chat_id: int
    step: int
    started: float
    ended: float
    calls: Counter[str] = field(default_factory=Counter)


@dataclass
class Run:
    name: str
    people: int
    seconds: float = 0.0
    windows: list[Window] = field(default_factory=list)
    errors: int = 0
    missing_buttons: int = 0
    api_errors: int = 0

    @property
    def updates(self) -> int:
        return len(self.windows)

    @property
    def rate(self) -> float:
        return self.updates / self.seconds

    def latencies(self, steps: Callable[[int], bool] = lambda step: True) -> list[float]:
        return [w.ended - w.started for w in self.windows if steps(w.step)]

    def calls(self, steps: Callable[[int], bool]) -> tuple[float, Counter[str]]:
        """Bot API calls per person over the chosen steps, and the methods called."""
        methods: Counter[str] = Counter()
        for window in self.windows:
            if steps(window.step):
                methods.update(window.calls)
        return sum(methods.values()) / self.people, methods

    def sessions(self) -> list[float]:
        """Each person's time waiting for the bot from /explore to their last press."""
        waited: dict[int, float] = defaultdict(float)
        for window in self.windows:
            if window.step >= len(ONBOARDING):
                waited[window.chat_id] += window.ended - window.started
        return list(waited.values())


class Driver:
    """Plays Telegram for many people at once, reading the bot's messages from the double."""

    def __init__(self, double: TelegramDouble, connections: int) -> None:
        self.double = double
        self.connections = connections
        self.update_ids = itertools.count(1)
        # Who pressed each button: a callback answer names no chat.
        self.pressed_by: dict[str, int] = {}

    def text_update(self, person: Person, text: str) -> dict[str, Any]:
        content: dict[str, Any] = {"from": person.user, "text": text}
        if text.startswith("/"):
            content["entities"] = [{"type": "bot_command", "offset": 0, "length": len(text)}]
        return {"update_id": next(self.update_ids), "message": person.chat.new_message(content)}

    def press_update(self, person: Person, sent: SentMessage, data: str) -> dict[str, Any]:
        query_id = self.double.new_callback_query(person, data, sent.message_id)
        self.pressed_by[query_id] = person.id
        query = {
            "id": query_id,
            "from": person.user,
            "message": copy.deepcopy(sent.raw),
            "chat_instance": sent.chat.instance,
            "data": data,
        }
        return {"update_id": next(self.update_ids), "callback_query": query}

    def step_update(
        self, run: Run, person: Person, step: Step, since: int, echo: bool
    ) -> dict[str, Any] | None:
        """The update a step sends, pressing on what the bot showed; None if it is not there."""
        if isinstance(step, str):
            return self.text_update(person, step)
        label, which = step
        messages = person.chat.messages
        if echo:  # the echo bot shows no buttons: press on its last message all the same
            return self.press_update(person, messages[-1], label) if messages else None
        if which == "last":
            shown = messages[-1:]
        else:
            ideas = [m for m in messages[since:] if SAVE in m.labels]
            shown = ideas[which : which + 1] if isinstance(which, int) else []
        target = next((b for m in shown for row in m.buttons for b in row if b.text == label), None)
        if target is None or target.data is None:
            run.missing_buttons += 1
            return None
        return self.press_update(person, shown[0], target.data)

    async def drive(self, name: str, people: int, first_id: int, hook: str) -> Run:
        """Every person's onboarding and explore session at once, against one webhook."""
        run = Run(name, people)
        steps = (*ONBOARDING, *SESSIONS[name])
        echo = name == "echo"
        gate = asyncio.Semaphore(self.connections)
        headers = {"X-Telegram-Bot-Api-Secret-Token": SECRET}
        persons = [self.double.person(f"Young{n}", user_id=first_id + n) for n in range(people)]
        calls_before = len(self.double.calls)
        connector = aiohttp.TCPConnector(limit=self.connections)
        timeout = aiohttp.ClientTimeout(total=120)
        async with aiohttp.ClientSession(connector=connector, timeout=timeout) as client:

            async def one(person: Person) -> None:
                since = 0
                for index, step in enumerate(steps):
                    if step == "/explore":
                        since = len(person.chat.messages)
                    body = self.step_update(run, person, step, since, echo)
                    if body is None:
                        continue
                    async with gate:
                        started = time.time()
                        try:
                            async with client.post(hook, json=body, headers=headers) as answer:
                                await answer.read()
                                ok = answer.status == 200
                        except (aiohttp.ClientError, TimeoutError):
                            ok = False
                        run.windows.append(Window(person.id, index, started, time.time()))
                    run.errors += not ok

            started = time.perf_counter()
            await asyncio.gather(*(one(person) for person in persons))
            run.seconds = time.perf_counter() - started
        self.attribute(run, calls_before)
        return run

    def attribute(self, run: Run, calls_before: int) -> None:
        """Gives each Bot API call to the update whose round trip it fell in, by chat."""
        by_chat: dict[int, list[Window]] = defaultdict(list)
        for window in run.windows:
            by_chat[window.chat_id].append(window)
        for call in self.double.calls[calls_before:]:
            run.api_errors += call.status != 200
            chat_id = call.chat.id if call.chat is not None else None
            if chat_id is None and call.method == "answerCallbackQuery":
                chat_id = self.pressed_by.get(str(call.params.get("callback_query_id")))
            window = next(
                (w for w in by_chat.get(chat_id or 0, ()) if w.started <= call.at <= w.ended),
                None,
            )
            if window is not None:
                window.calls[call.method] += 1


async def start_colbot(
    layout: str, double: dict[str, str], data_dir: Path
) -> tuple[asyncio.subprocess.Process, int]:
    port = free_port()
    env = {**colbot_env(data_dir, port, port, double, None), "COLBOT_EXPLORE_LAYOUT": layout}
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "colbot",
        "serve",
        "--demo",
        env=env,
        stderr=asyncio.subprocess.DEVNULL,
    )
    await wait_healthy(port, process)
    return process, port


async def start_echo(double: dict[str, str]) -> tuple[asyncio.subprocess.Process, int]:
    port = free_port()
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        __file__,
        "--echo",
        json.dumps({**double, "port": port}),
        stdin=asyncio.subprocess.PIPE,
        stdout=asyncio.subprocess.PIPE,
    )
    assert process.stdout is not None
    await process.stdout.readline()
    return process, port


async def serve_echo(config: dict[str, Any]) -> None:
    """The echo bot's own process: texts echoed, presses answered, until stdin closes."""
    application, app = echo_bot(config)

    async def answer(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        assert update.callback_query is not None
        await update.callback_query.answer()

    application.add_handler(CallbackQueryHandler(answer))
    runner = web.AppRunner(app, access_log=None)
    async with application:
        await runner.setup()
        await web.TCPSite(runner, "127.0.0.1", int(config["port"])).start()
        print("ready", flush=True)
        await asyncio.get_running_loop().run_in_executor(None, sys.stdin.read)
        await runner.cleanup()


async def measure(name: str, driver: Driver, people: int, first_id: int) -> Run:
    """One bot in its own process, driven; then stopped."""
    double = {"base_url": driver.double.base_url, "token": driver.double.token}
    with tempfile.TemporaryDirectory(prefix="colbot-explore-") as data_dir:
        if name == "echo":
            process, port = await start_echo(double)
            hook = f"http://127.0.0.1:{port}/telegram/webhook"
        else:
            process, port = await start_colbot(name, double, Path(data_dir))
            hook = f"http://127.0.0.1:{port}/telegram/webhook"
        try:
            run = await driver.drive(name, people, first_id, hook)
            if name != "echo":
                run.errors += int(await metric(port, "colbot_errors_total"))
            return run
        finally:
            if name == "echo":
                assert process.stdin is not None
                process.stdin.close()
            else:
                process.send_signal(signal.SIGTERM)
            await process.wait()


def explore_step(step: int) -> bool:
    return step == len(ONBOARDING)


def in_session(step: int) -> bool:
    return step >= len(ONBOARDING)


def report(runs: list[Run], people: int, connections: int, load: tuple[float, float]) -> None:
    print()
    print(f"{people:,} young people, {connections} webhook connections; one double, one run")
    print(f"load average {load[0]:.1f} at the start, {load[1]:.1f} at the end (1 min)")
    print(
        "| run | updates | updates/s | p50 | p99 | /explore p50 | /explore p99 "
        "| session p50 | session p99 | calls per /explore | calls per session | new messages "
        "per session | calls per person | errors |"
    )
    print("| --- |" + " ---: |" * 13)
    for run in runs:
        every, explore, sessions = run.latencies(), run.latencies(explore_step), run.sessions()
        per_explore, _ = run.calls(explore_step)
        per_session, methods = run.calls(in_session)
        per_person, _ = run.calls(lambda step: True)
        new = sum(n for method, n in methods.items() if method.startswith("send")) / run.people
        name = ECHO if run.name == "echo" else f"colbot, {run.name}"
        print(
            f"| {name} | {run.updates:,} | {run.rate:,.1f} "
            f"| {statistics.median(every) * 1000:,.0f} ms "
            f"| {percentile(every, 0.99) * 1000:,.0f} ms "
            f"| {statistics.median(explore) * 1000:,.0f} ms "
            f"| {percentile(explore, 0.99) * 1000:,.0f} ms "
            f"| {statistics.median(sessions) * 1000:,.0f} ms "
            f"| {percentile(sessions, 0.99) * 1000:,.0f} ms "
            f"| {per_explore:.1f} | {per_session:.1f} | {new:.1f} | {per_person:.1f} "
            f"| {run.errors + run.missing_buttons + run.api_errors} |"
        )
    print()
    for run in runs:
        _, methods = run.calls(in_session)
        print(f"{run.name}: session calls by method: {dict(sorted(methods.items()))}")
        if run.missing_buttons or run.api_errors or run.errors:
            print(
                f"{run.name}: {run.errors} failed updates, {run.missing_buttons} buttons not "
                f"found, {run.api_errors} Bot API calls refused"
            )
    by_name = {run.name: run for run in runs}
    echo = by_name.get("echo")
    for run in runs:
        if echo is not None and run is not echo:
            print(f"{run.name}: {run.rate / echo.rate:.2f}x the echo bot's updates/s")
    cards, paged = by_name.get("cards"), by_name.get("paged")
    if cards is not None and paged is not None:
        ratios = {
            "Bot API calls per /explore": (
                paged.calls(explore_step)[0] / cards.calls(explore_step)[0]
            ),
            "Bot API calls per explore session": (
                paged.calls(in_session)[0] / cards.calls(in_session)[0]
            ),
            "/explore p50": (
                statistics.median(paged.latencies(explore_step))
                / statistics.median(cards.latencies(explore_step))
            ),
            "/explore p99": (
                percentile(paged.latencies(explore_step), 0.99)
                / percentile(cards.latencies(explore_step), 0.99)
            ),
            "session p50 (waiting for the bot)": (
                statistics.median(paged.sessions()) / statistics.median(cards.sessions())
            ),
            "updates/s": paged.rate / cards.rate,
        }
        for what, ratio in ratios.items():
            print(f"paged / cards, {what}: {ratio:.2f}x")


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=200)
    parser.add_argument("--connections", type=int, default=64)
    add_runs_option(parser, RUNS, in_order=True)
    parser.add_argument("--echo", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.echo is not None:
        await serve_echo(json.loads(args.echo))
        return
    load_at_start = os.getloadavg()[0]
    runs: list[Run] = []
    async with TelegramDouble(quiet_period=0) as double:
        driver = Driver(double, args.connections)
        for number, name in enumerate(args.runs):
            first_id = FIRST_USER_ID + (number + 1) * PEOPLE_PER_RUN
            runs.append(await measure(name, driver, args.people, first_id))
            run = runs[-1]
            print(f"{name}: {run.updates:,} updates in {run.seconds:.1f} s", flush=True)
    report(runs, args.people, args.connections, (load_at_start, os.getloadavg()[0]))


if __name__ == "__main__":
    asyncio.run(main())
