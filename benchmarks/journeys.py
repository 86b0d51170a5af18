"""How fast are shared journey pages, next to a bare aiohttp handler, with a city's worth of badges?

Builds a SQLite database with 100,000 young people (--people), each with a shared journey, and
ten issued badges each (once, cached in the folder given; the signed documents are small fakes,
since the page never verifies them). Then serves colbot's real web app from a second process
and, with the same HTTP client and concurrency, in the same run, loads:

- a bare aiohttp handler that returns a fixed page of the same size (the yardstick);
- first visits to journeys never shown before (each rendered for the first time);
- first visits to random journeys (a browser without the page; colbot may have rendered it);
- re-visits: each request carries the ETag the page came with (If-None-Match), and gets 304;
- the page's QR code (its own resource, /j/<slug>/qr.svg): first fetches of codes never drawn
  (segno choosing a mask), fetches of codes drawn before, and re-fetches with the ETag (304).

Prints requests per second, p50/p99 latency, each rate as a share of the bare handler's and the
target (issue 18) for pages: at least a third of the bare handler's rate, and p99 under 50 ms.
The QR code has no target of its own; its rows say what a browser's second request costs.

    python benchmarks/journeys.py [--folder DIR] [--people N] [--seconds S] [--concurrency N]
"""

from __future__ import annotations

import argparse
import asyncio
import multiprocessing
import random
import secrets
import time
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from http import HTTPStatus
from pathlib import Path
from zoneinfo import ZoneInfo

import aiohttp
from aiohttp import web
from harness import free_port
from sqlalchemy import func, insert, select

from colbot.badges.classes import cached_classes
from colbot.clock import SystemClock
from colbot.content.locations import badges_dir, conversations_dir
from colbot.content.passions import load_passions
from colbot.journeys import web as journey_pages
from colbot.pathways.definitions import cached_pathways
from colbot.storage.database import Database
from colbot.storage.models import IssuedBadge, Journey, YoungPerson, YoungPersonPassion
from colbot.web.artwork import Artwork
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
WARM_UP_PATHS = 500  # unseen journeys spent warming up, so the timed ones are still unseen
REVISITED = 2_000  # journeys visited at random and re-visited: all fit colbot's page cache
QR_DRAWN = 500  # QR codes drawn before their timed fetches: all fit colbot's QR cache


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


async def populate(database: Database, young_people: int) -> None:
    """Fills an empty database with people, shared journeys, passions and badges."""
    rng = random.Random(20261128)
    badge_id = 0
    for start in range(0, young_people, BATCH // BADGES_PER_PERSON):
        stop = min(start + BATCH // BADGES_PER_PERSON, young_people)
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


async def _no_drawing(*_: object) -> None:
    """Stands in for artwork lookups, which the journey page never makes."""


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
        # The page only links to artwork; nothing here is drawn.
        Artwork(database, _no_drawing, _no_drawing),
    )
    site.documents.append(journey_pages.journey_documents(site))
    # The city's pathways as colbot serve has them, so each page works out the same parts.
    passions = frozenset(p.id for p in load_passions(conversations_dir() / "en" / "passions.yaml"))
    journey_pages.install(
        app,
        site,
        journey_pages.JourneyPathways(
            cached_pathways(badges_dir(), passions), cached_classes(badges_dir(), passions)
        ),
    )
    # Only the page measured, beside the bare handler (colbot/routes.py lists the whole app).
    app.router.add_get(journey_pages.JOURNEY, journey_pages.journey_page)
    app.router.add_get(journey_pages.JOURNEY_QR, journey_pages.journey_qr)
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
        if not ordered:
            return float("nan")
        return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


@dataclass(frozen=True)
class Visits:
    """Which pages a run asks for: at random, or each once in turn; with ETags, as re-visits."""

    paths: list[str]
    etags: dict[str, str] | None = None
    once: bool = False

    @property
    def spare(self) -> int:
        """How many unseen pages go to warming up: never more than half, so some are timed."""
        return min(WARM_UP_PATHS, len(self.paths) // 2)

    def warming(self) -> Visits:
        """The visits spent warming up: for unseen pages, ones the timed run will not ask for."""
        return replace(self, paths=self.paths[-self.spare :]) if self.once else self

    def timed(self) -> Visits:
        return replace(self, paths=self.paths[: -self.spare]) if self.once else self


async def load(
    client: aiohttp.ClientSession, base: str, visits: Visits, seconds: float, workers: int
) -> tuple[int, float, list[float]]:
    """Requests the visits' pages from many workers at once until time is up."""
    rng = random.Random(1)
    latencies: list[float] = []
    deadline = time.perf_counter() + seconds
    turn = iter(visits.paths)
    etags = visits.etags
    expected = HTTPStatus.NOT_MODIFIED if etags is not None else HTTPStatus.OK

    async def worker() -> None:
        while time.perf_counter() < deadline:
            path = next(turn, None) if visits.once else rng.choice(visits.paths)
            if path is None:
                return
            headers = {"If-None-Match": etags[path]} if etags is not None else {}
            started = time.perf_counter()
            async with client.get(base + path, headers=headers) as response:
                await response.read()
                assert response.status == expected, (path, response.status)
            latencies.append((time.perf_counter() - started) * 1000)

    began = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(workers)))
    return len(latencies), time.perf_counter() - began, latencies


async def measure(name: str, base: str, visits: Visits, seconds: float, workers: int) -> Result:
    """Warms up, then times one kind of request with the shared client settings."""
    connector = aiohttp.TCPConnector(limit=workers)
    async with aiohttp.ClientSession(connector=connector) as client:
        await load(client, base, visits.warming(), WARM_UP_S, workers)
        count, took, latencies = await load(client, base, visits.timed(), seconds, workers)
    return Result(name, count, took, latencies)


async def etags_of(base: str, paths: list[str], workers: int) -> dict[str, str]:
    """Each page's ETag, as a browser keeps it from its first visit."""
    etags: dict[str, str] = {}
    connector = aiohttp.TCPConnector(limit=workers)
    async with aiohttp.ClientSession(connector=connector) as client:

        async def visit(path: str) -> None:
            async with client.get(base + path) as response:
                await response.read()
                etags[path] = response.headers["ETag"]

        for start in range(0, len(paths), workers):
            await asyncio.gather(*(visit(path) for path in paths[start : start + workers]))
    return etags


async def prepare(folder: Path, young_people: int) -> tuple[str, list[str]]:
    """The cached database's URL and every journey's path."""
    url = f"sqlite+aiosqlite:///{folder / f'journeys-{young_people}.sqlite3'}"
    database = Database(url)
    await database.upgrade()
    async with database.reading() as session:
        have = await session.scalar(select(func.count()).select_from(IssuedBadge))
    if have != young_people * BADGES_PER_PERSON:
        print(
            f"building {young_people:,} young people and {young_people * BADGES_PER_PERSON:,} "
            "badges (once) ..."
        )
        await populate(database, young_people)
    async with database.reading() as session:
        slugs = list(await session.scalars(select(Journey.slug)))
    await database.dispose()
    return url, [f"/j/{slug}" for slug in slugs]


async def run(args: argparse.Namespace) -> None:
    """Builds or reuses the database, then measures every kind of request and prints the figures."""
    url, journeys = await prepare(args.folder, args.people)
    random.Random(2).shuffle(journeys)
    half = len(journeys) // 2
    rest = journeys[half:]
    unseen, seen = journeys[:half], rest[: min(REVISITED, len(rest) // 2)]
    # Codes of journeys no run visits, so none was drawn: the page never draws its code.
    undrawn = [f"{path}/qr.svg" for path in rest[len(seen) :]]
    drawn = [f"{path}/qr.svg" for path in seen[:QR_DRAWN]]
    port = free_port()
    context = multiprocessing.get_context("spawn")
    ready = context.Event()
    server = context.Process(target=serve, args=(url, port, ready), daemon=True)
    server.start()
    try:
        if not await asyncio.to_thread(ready.wait, SERVER_START_TIMEOUT_S):
            raise SystemExit("the server did not start")
        base = f"http://127.0.0.1:{port}"
        workers, seconds = args.concurrency, args.seconds
        bare_run = await measure("bare aiohttp handler", base, Visits(["/bare"]), seconds, workers)
        cold = await measure(
            "first visits, unseen", base, Visits(unseen, once=True), seconds, workers
        )
        etags = await etags_of(base, seen, workers)
        results = [
            bare_run,
            cold,
            await measure("first visits, random", base, Visits(seen), seconds, workers),
            await measure("re-visits (304)", base, Visits(seen, etags), seconds, workers),
        ]
        cold_qr = await measure(
            "QR, never drawn", base, Visits(undrawn, once=True), seconds, workers
        )
        qr_etags = await etags_of(base, drawn, workers)
        qr_results = [
            cold_qr,
            await measure("QR, drawn before", base, Visits(drawn), seconds, workers),
            await measure("QR re-fetch (304)", base, Visits(drawn, qr_etags), seconds, workers),
        ]
    finally:
        server.terminate()
        server.join()
    print(
        f"journey pages: {args.people:,} young people, {args.people * BADGES_PER_PERSON:,} "
        f"badges, SQLite; one server process, {workers} concurrent clients, "
        f"{seconds:g} s each; random visits and re-visits over {len(seen):,} journeys:"
    )
    bare_rate = results[0].rate
    for result in results:
        share = result.rate / bare_rate
        verdict = "" if result is bare_run else _verdict(share, result.percentile(0.99))
        _print(result, bare_rate, verdict)
    if cold.requests >= len(unseen) - Visits(unseen, once=True).spare:
        print("  (every unseen journey was visited before time was up: use more --people)")
    print(
        f"  target for pages: at least {TARGET_SHARE:.2f}x the bare handler's rate and p99 under"
        f" {TARGET_P99_MS:g} ms"
    )
    print(
        "  its QR code, which the page loads as a print-only image (a browser fetches it with the"
        " page, after it, and keeps it a day):"
    )
    for result in qr_results:
        _print(result, bare_rate, "")
    if cold_qr.requests >= len(undrawn) - Visits(undrawn, once=True).spare:
        print("  (every undrawn QR code was fetched before time was up: use more --people)")


def _print(result: Result, bare_rate: float, verdict: str) -> None:
    """One row of figures: rate, p50, p99, share of the bare handler's rate."""
    print(
        f"  {result.name:22} {result.rate:8,.0f} req/s   p50 {result.percentile(0.5):6.2f} ms"
        f"   p99 {result.percentile(0.99):6.2f} ms   {result.rate / bare_rate:5.2f}x bare"
        f"   ({result.requests:,} requests){verdict}"
    )


def _verdict(share: float, p99_ms: float) -> str:
    """pass or miss against the target, saying which part missed."""
    misses = [
        part
        for part, missed in (("rate", share < TARGET_SHARE), ("p99", p99_ms >= TARGET_P99_MS))
        if missed
    ]
    return "   pass" if not misses else f"   miss ({', '.join(misses)})"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--folder", type=Path, default=Path("benchmarks/.data"))
    parser.add_argument("--people", type=int, default=YOUNG_PEOPLE)
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--concurrency", type=int, default=16)
    args = parser.parse_args()
    args.folder = args.folder.resolve()
    args.folder.mkdir(parents=True, exist_ok=True)
    asyncio.run(run(args))


if __name__ == "__main__":
    main()
