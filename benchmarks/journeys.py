"""How fast are shared journey pages, next to a bare aiohttp handler, with a city's worth of badges?

Builds a SQLite database with 100,000 young people, each with a shared journey, and 1,000,000
issued badges (once, cached in the folder given; the signed documents are small fakes, since the
page never verifies them). Then serves colbot's real web app from a second process and, with
the same HTTP client and concurrency, loads random journey pages and, in the same run, a bare
aiohttp handler that returns a fixed page. Prints requests per second and p50/p99 latency.
Target (the journey issue): at least a third of the bare handler's rate, and p99 under 50 ms.

    python benchmarks/journeys.py [--folder DIR] [--seconds S] [--concurrency N]
"""

from __future__ import annotations

import argparse
import asyncio
import multiprocessing
import random
import secrets
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import aiohttp
from aiohttp import web
from harness import free_port
from sqlalchemy import func, insert, select

from colbot.clock import SystemClock
from colbot.journeys import web as journey_pages
from colbot.storage.database import Database
from colbot.storage.models import IssuedBadge, Journey, YoungPerson, YoungPersonPassion
from colbot.web.server import make_web_app
from colbot.web.site import Site

YOUNG_PEOPLE = 100_000
BADGES_PER_PERSON = 10
PASSIONS = ("music", "art", "coding", "science", "sport", "dance", "drama", "writing", "gaming")
CLASSES = ("bike-repair", "game-jam", "first-aid", "radio-show", "street-dance", "code-club")
NOW = datetime(2026, 11, 28, 9, 0, tzinfo=UTC)
BATCH = 20_000
FAKE_JWS = "eyJhbGciOiJSUzI1NiJ9.eyJ0eXBlIjoiQXNzZXJ0aW9uIn0.ZmFrZS1zaWduYXR1cmU"
FAKE_JWT = "eyJhbGciOiJSUzI1NiIsInR5cCI6IkpXVCJ9.eyJ0eXBlIjoiQ3JlZGVudGlhbCJ9.ZmFrZQ"
# About 8 KB, the size of a journey page with ten badges, so both pay the same to send.
BARE_PAGE = b"<!doctype html><title>Bare</title><p>" + b"A fixed page. " * 570 + b"</p>"
WARM_UP_S = 1.0
SERVER_START_TIMEOUT_S = 30.0
TARGET_SHARE = 1 / 3
TARGET_P99_MS = 50.0


def _credential(badge_class: str, number: int) -> dict[str, object]:
    """A small stand-in for a signed credential, with what the page reads from one."""
    name = badge_class.replace("-", " ").title()
    return {
        "issuer": {"name": "Kensalfield City of Learning"},
        "credentialSubject": {
            "achievement": {
                "name": name,
                "description": f"Showed {name.lower()} skills at a City of Learning session.",
                "criteria": {"narrative": "Took part in the whole session."},
            }
        },
        "evidence": [{"narrative": f"Session {number} at a partner venue"}],
        "proof": {"type": "DataIntegrityProof", "proofValue": "zFake"},
    }


async def populate(database: Database) -> None:
    """Fills an empty database with people, shared journeys, passions and badges."""
    rng = random.Random(20261128)
    badge_id = 0
    for start in range(0, YOUNG_PEOPLE, BATCH // BADGES_PER_PERSON):
        stop = min(start + BATCH // BADGES_PER_PERSON, YOUNG_PEOPLE)
        people, journeys, chosen, badges = [], [], [], []
        for i in range(start, stop):
            person_id = i + 1
            people.append(
                {
                    "id": person_id,
                    "public_id": secrets.token_urlsafe(16),
                    "nickname": f"Learner {person_id}",
                    "availability": [],
                    "language": "en",
                    "created_at": NOW,
                    "last_seen_at": NOW,
                }
            )
            journeys.append(
                {
                    "young_person_id": person_id,
                    "slug": secrets.token_urlsafe(24),
                    "sharing": True,
                    "show_nickname": True,
                    "show_passions": True,
                    "hidden_badge_ids": [],
                    "created_at": NOW,
                }
            )
            for passion in rng.sample(PASSIONS, rng.randint(1, 3)):
                chosen.append(
                    {"young_person_id": person_id, "passion_id": passion, "chosen_at": NOW}
                )
            for number in range(BADGES_PER_PERSON):
                badge_id += 1
                badge_class = rng.choice(CLASSES)
                badges.append(
                    {
                        "id": badge_id,
                        "public_id": secrets.token_urlsafe(16),
                        "young_person_id": person_id,
                        "badge_class_id": badge_class,
                        "issuer_id": "kensalfield",
                        "learning_hours": rng.choice((1.0, 2.0, 2.5, 6.0)),
                        "issued_at": NOW - timedelta(days=rng.randint(1, 700)),
                        "status_index": badge_id,
                        "ob2_assertion_jws": FAKE_JWS,
                        "ob3_credential": _credential(badge_class, number + 1),
                        "ob3_jwt": FAKE_JWT,
                    }
                )
        async with database.transaction() as session:
            await session.execute(insert(YoungPerson), people)
            await session.execute(insert(Journey), journeys)
            await session.execute(insert(YoungPersonPassion), chosen)
            await session.execute(insert(IssuedBadge), badges)
        print(f"  {stop:,} young people, {badge_id:,} badges", flush=True)


async def bare(request: web.Request) -> web.Response:
    """The yardstick: aiohttp returning a fixed page and doing nothing else."""
    return web.Response(body=BARE_PAGE, content_type="text/html")


async def _serve(url: str, port: int, ready: multiprocessing.synchronize.Event) -> None:
    database = Database(url)
    app = make_web_app(database)
    site = Site(
        database,
        SystemClock(),
        f"http://127.0.0.1:{port}",
        "Kensalfield",
        ZoneInfo("Europe/London"),
        {passion: passion.title() for passion in PASSIONS},
    )
    site.documents.append(journey_pages.journey_documents(site))
    journey_pages.install(app, site)
    # Only the page measured, beside the bare handler (colbot/routes.py lists the whole app).
    app.router.add_get(journey_pages.JOURNEY, journey_pages.journey_page)
    app.router.add_get("/bare", bare)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", port).start()
    ready.set()
    await asyncio.Event().wait()


def serve(url: str, port: int, ready: multiprocessing.synchronize.Event) -> None:
    """Runs colbot's web app (journeys plus the bare handler) in its own process."""
    asyncio.run(_serve(url, port, ready))


@dataclass(frozen=True)
class Result:
    """What one timed run measured."""

    name: str
    requests: int
    seconds: float
    latencies_ms: list[float]

    @property
    def rate(self) -> float:
        return self.requests / self.seconds

    def percentile(self, share: float) -> float:
        ordered = sorted(self.latencies_ms)
        return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


async def load(
    client: aiohttp.ClientSession, base: str, paths: list[str], seconds: float, workers: int
) -> tuple[int, float, list[float]]:
    """Requests random paths from many workers at once until time is up."""
    rng = random.Random(1)
    latencies: list[float] = []
    deadline = time.perf_counter() + seconds

    async def worker() -> None:
        while time.perf_counter() < deadline:
            path = rng.choice(paths)
            started = time.perf_counter()
            async with client.get(base + path) as response:
                await response.read()
                assert response.status == 200, (path, response.status)
            latencies.append((time.perf_counter() - started) * 1000)

    began = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(workers)))
    return len(latencies), time.perf_counter() - began, latencies


async def measure(name: str, base: str, paths: list[str], seconds: float, workers: int) -> Result:
    """Warms up, then times one kind of request with the shared client settings."""
    connector = aiohttp.TCPConnector(limit=workers)
    async with aiohttp.ClientSession(connector=connector) as client:
        await load(client, base, paths, WARM_UP_S, workers)
        count, took, latencies = await load(client, base, paths, seconds, workers)
    return Result(name, count, took, latencies)


async def prepare(folder: Path) -> tuple[str, list[str]]:
    """The cached database's URL and every journey's path."""
    url = f"sqlite+aiosqlite:///{folder / 'journeys.sqlite3'}"
    database = Database(url)
    await database.upgrade()
    async with database.reading() as session:
        have = await session.scalar(select(func.count()).select_from(IssuedBadge))
    if have != YOUNG_PEOPLE * BADGES_PER_PERSON:
        print(
            f"building {YOUNG_PEOPLE:,} young people and {YOUNG_PEOPLE * BADGES_PER_PERSON:,} "
            "badges (once) ..."
        )
        await populate(database)
    async with database.reading() as session:
        slugs = list(await session.scalars(select(Journey.slug)))
    await database.dispose()
    return url, [f"/j/{slug}" for slug in slugs]


async def run(args: argparse.Namespace) -> None:
    """Builds or reuses the database, then measures both handlers and prints the figures."""
    url, journeys = await prepare(args.folder)
    port = free_port()
    context = multiprocessing.get_context("spawn")
    ready = context.Event()
    server = context.Process(target=serve, args=(url, port, ready), daemon=True)
    server.start()
    try:
        if not await asyncio.to_thread(ready.wait, SERVER_START_TIMEOUT_S):
            raise SystemExit("the server did not start")
        base = f"http://127.0.0.1:{port}"
        results = [
            await measure("bare aiohttp handler", base, ["/bare"], args.seconds, args.concurrency),
            await measure("journey page", base, journeys, args.seconds, args.concurrency),
        ]
    finally:
        server.terminate()
        server.join()
    print(
        f"journey pages: {YOUNG_PEOPLE:,} young people, {YOUNG_PEOPLE * BADGES_PER_PERSON:,} "
        f"badges, SQLite; one server process, {args.concurrency} concurrent clients, "
        f"{args.seconds:g} s each:"
    )
    for result in results:
        print(
            f"  {result.name:22} {result.rate:8,.0f} req/s   p50 {result.percentile(0.5):6.2f} ms"
            f"   p99 {result.percentile(0.99):6.2f} ms   ({result.requests:,} requests)"
        )
    share = results[1].rate / results[0].rate
    print(
        f"  journey pages run at {share:.0%} of the bare handler's rate "
        f"(target >= {TARGET_SHARE:.0%}); p99 target < {TARGET_P99_MS:g} ms"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--folder", type=Path, default=Path("benchmarks/.data"))
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--concurrency", type=int, default=16)
    args = parser.parse_args()
    args.folder = args.folder.resolve()
    args.folder.mkdir(parents=True, exist_ok=True)
    asyncio.run(run(args))


if __name__ == "__main__":
    main()
