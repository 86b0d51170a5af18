"""How long does the dashboard page take with a city's worth of young people and badges?

Builds a SQLite database (once, cached in the folder given) with 100,000 onboarded young people
over two years in the demo city's areas, 20 partners with 2,000 opportunities, 1,000,000
redemptions each with its badge (small fake signed documents, as a real badge row carries), and a
day-by-day funnel; --people builds fewer, with the opportunities and the funnel scaled to them.
Then serves colbot's real web app in this process, signs in as a city admin and times GET
/dashboard from cold (the minute-long report cache emptied before each request) for the default
twelve weeks and for the whole two years, then the seven charts. Prints the median and the worst.
Target (the dashboard issue): the page in under a second.

    python benchmarks/dashboard.py [--folder DIR] [--runs N] [--people N]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import secrets
import sqlite3
import statistics
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import aiohttp
from aiohttp import web

from colbot.app import build_app
from colbot.clock import FrozenClock
from colbot.dashboard import access as dashboard_access
from colbot.dashboard.chat import dashboard_user
from colbot.dashboard.web import COOKIE, DASHBOARD_KEY
from colbot.settings import load_settings
from colbot.storage.database import Database

YOUNG_PEOPLE = 100_000
REDEMPTIONS_PER_PERSON = 10
PARTNERS = 20
OPPORTUNITIES = 2_000
DAYS = 730
FUNNEL_OPPORTUNITIES_A_DAY = 100
NOW = datetime(2026, 11, 28, 9, 0, tzinfo=UTC)
AREAS = ("kf1", "kf2", "kf3", "kf4", "kf5", "kf6", "kf7", "kf8", "kf9", "kf10")
PASSIONS = ("music", "art", "coding", "science", "sport", "dance", "drama", "writing", "gaming")
BATCH = 50_000
ADMIN = 1
TARGET_S = 1.0
CHARTS = ("weekly", "hours-by-passion", "funnel", "demand-supply", "areas", "deciles", "partners")
FAKE_JWS = "eyJhbGciOiJSUzI1NiJ9.eyJ0eXBlIjoiQXNzZXJ0aW9uIn0.ZmFrZS1zaWduYXR1cmU"


@dataclass(frozen=True)
class City:
    """How big the built city is: young people, and the opportunities and funnel scaled to them."""

    people: int

    @property
    def opportunities(self) -> int:
        scaled = OPPORTUNITIES * self.people // YOUNG_PEOPLE
        return max(REDEMPTIONS_PER_PERSON, scaled)

    @property
    def funnel_a_day(self) -> int:
        return min(FUNNEL_OPPORTUNITIES_A_DAY, self.opportunities)

    @property
    def badges(self) -> int:
        return self.people * REDEMPTIONS_PER_PERSON

    @property
    def file(self) -> str:
        """One cached database per size, the city-sized one as it always was."""
        suffix = "" if self.people == YOUNG_PEOPLE else f"-{self.people}"
        return f"dashboard{suffix}.sqlite3"


def _at(moment: datetime) -> str:
    """An instant as SQLAlchemy stores it in SQLite: naive UTC text."""
    return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")


def _credential(number: int) -> str:
    return json.dumps(
        {
            "issuer": {"name": "Kensalfield City of Learning"},
            "credentialSubject": {"achievement": {"name": f"Badge {number % 40}"}},
            "proof": {"type": "DataIntegrityProof", "proofValue": "zFake" + "x" * 200},
        }
    )


def populate(path: Path, city: City) -> None:
    """Fills the migrated, empty database with plain sqlite3, which is many times faster."""
    rng = random.Random(20261128)
    db = sqlite3.connect(path)
    db.execute("PRAGMA synchronous=OFF")
    created = _at(NOW - timedelta(days=DAYS + 30))
    db.executemany(
        "INSERT INTO partners (id, slug, name, created_at) VALUES (?, ?, ?, ?)",
        [(p, f"partner-{p}", f"Partner {p}", created) for p in range(1, PARTNERS + 1)],
    )
    opportunities, passions_of, codes = [], [], []
    for o in range(1, city.opportunities + 1):
        starts = NOW - timedelta(days=DAYS) + timedelta(days=rng.uniform(0, DAYS + 60))
        opportunities.append(
            (
                o,
                1 + o % PARTNERS,
                f"s{o}",
                f"Session {o}",
                _at(starts),
                _at(starts + timedelta(hours=2)),
                rng.choice(AREAS),
                13,
                19,
                0,
                rng.choice((1.0, 2.0, 2.5, 6.0)),
                rng.choice((None, 12, 20, 30)),
                created,
                created,
            )
        )
        for passion in rng.sample(PASSIONS, rng.randint(1, 2)):
            passions_of.append((o, passion))
        codes.append((o, f"CODE{o:06d}", o, 1000, 0, created, _at(NOW + timedelta(days=30))))
    db.executemany(
        "INSERT INTO opportunities (id, partner_id, source_id, title, starts_at, ends_at, area_id,"
        " min_age, max_age, cost_pence, learning_hours, capacity, created_at, updated_at,"
        " description, venue, address, postcode) VALUES"
        " (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, '', '', '', '')",
        opportunities,
    )
    db.executemany("INSERT INTO opportunity_passions VALUES (?, ?)", passions_of)
    db.executemany(
        "INSERT INTO completion_codes (id, code, opportunity_id, max_uses, uses, created_at,"
        " expires_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
        codes,
    )
    hours = {row[0]: row[10] for row in opportunities}
    redemption = 0
    for start in range(0, city.people, BATCH // REDEMPTIONS_PER_PERSON):
        stop = min(start + BATCH // REDEMPTIONS_PER_PERSON, city.people)
        people, chosen, redeemed, badges = [], [], [], []
        for person in range(start + 1, stop + 1):
            # Redemptions spread evenly over the two years; each person joined a little before
            # their first.
            times = sorted(
                NOW - timedelta(days=rng.uniform(0, DAYS)) for _ in range(REDEMPTIONS_PER_PERSON)
            )
            joined = times[0] - timedelta(days=rng.uniform(0, 30))
            seen = times[-1] + (NOW - times[-1]) * rng.random()
            people.append(
                (
                    person,
                    secrets.token_hex(8),
                    rng.choice(AREAS),
                    "[]",
                    "en",
                    _at(joined),
                    _at(joined),
                    _at(joined),
                    _at(seen),
                )
            )
            for passion in rng.sample(PASSIONS, rng.randint(1, 3)):
                chosen.append((person, passion, _at(joined)))
            everything = range(1, city.opportunities + 1)
            chosen_opportunities = rng.sample(everything, REDEMPTIONS_PER_PERSON)
            for opportunity, at in zip(chosen_opportunities, times, strict=True):
                redemption += 1
                redeemed.append(
                    (redemption, opportunity, person, opportunity, hours[opportunity], _at(at))
                )
                badges.append(
                    (
                        redemption,
                        secrets.token_hex(10),
                        person,
                        redemption,
                        "demo",
                        "city",
                        hours[opportunity],
                        _at(at),
                        redemption,
                        FAKE_JWS,
                        _credential(redemption),
                    )
                )
        db.executemany(
            "INSERT INTO young_people (id, public_id, area_id, availability, language,"
            " consented_at, onboarded_at, created_at, last_seen_at, nudges, unanswered_nudges)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 'normal', 0)",
            people,
        )
        db.executemany("INSERT INTO young_person_passions VALUES (?, ?, ?)", chosen)
        db.executemany(
            "INSERT INTO redemptions (id, code_id, young_person_id, opportunity_id,"
            " learning_hours, channel, redeemed_at) VALUES (?, ?, ?, ?, ?, 'telegram', ?)",
            redeemed,
        )
        db.executemany(
            "INSERT INTO issued_badges (id, public_id, young_person_id, redemption_id,"
            " badge_class_id, issuer_id, learning_hours, issued_at, status_index,"
            " ob2_assertion_jws, ob3_credential, name, artwork) VALUES"
            " (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, '', '')",
            badges,
        )
        db.commit()
        print(f"  {stop:,} young people, {redemption:,} redemptions and badges", flush=True)
    funnel = []
    for day in range(DAYS):
        date = (NOW - timedelta(days=day)).date().isoformat()
        for opportunity in rng.sample(range(1, city.opportunities + 1), city.funnel_a_day):
            shown = rng.randint(5, 60)
            saved = rng.randint(0, shown // 2)
            funnel += [
                (date, opportunity, "recommended", shown),
                (date, opportunity, "saved", saved),
                (date, opportunity, "reminded", rng.randint(0, saved)),
            ]
    db.executemany("INSERT INTO funnel_counts VALUES (?, ?, ?, ?)", funnel)
    db.commit()
    db.execute("ANALYZE")
    db.close()


async def prepare(folder: Path, city: City) -> Path:
    """The cached database, built on first use."""
    path = folder / city.file
    database = Database(f"sqlite+aiosqlite:///{path}")
    await database.upgrade()
    await database.dispose()
    with sqlite3.connect(path) as db:
        have = db.execute("SELECT count(*) FROM issued_badges").fetchone()[0]
    if have != city.badges:
        print(
            f"building {city.people:,} young people and {have or 0:,} -> {city.badges:,} badges"
            " (once)"
        )
        started = time.perf_counter()
        await asyncio.to_thread(populate, path, city)
        print(f"  built in {time.perf_counter() - started:.0f} s")
    return path


async def timed(client: aiohttp.ClientSession, url: str, clear: object | None) -> float:
    if clear is not None:
        clear.clear()  # type: ignore[attr-defined]
    started = time.perf_counter()
    async with client.get(url) as response:
        await response.read()
        assert response.status == 200, (url, response.status)
    return time.perf_counter() - started


async def run(args: argparse.Namespace) -> None:
    city = City(args.people)
    path = await prepare(args.folder, city)
    settings = load_settings(
        {},
        data_dir=args.folder,
        database_url=f"sqlite+aiosqlite:///{path}",
        admins=frozenset({ADMIN}),
        port=0,
    )
    colbot = build_app(settings, clock=FrozenClock(NOW))
    app: web.Application = colbot.web_app
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    base = f"http://127.0.0.1:{port}"
    async with colbot.database.transaction() as session:
        secret = await dashboard_access.create_link(
            session, dashboard_user("telegram", str(ADMIN)), "telegram", NOW
        )
        cookie, _ = await dashboard_access.use_link(session, secret, NOW)
    board = app[DASHBOARD_KEY]
    periods = {
        "default (12 weeks)": "",
        "two years": f"?from={(NOW - timedelta(days=DAYS)).date()}&to={NOW.date()}",
    }
    print(
        f"dashboard: {city.people:,} young people, {city.badges:,} "
        f"redemptions and badges, {city.opportunities:,} opportunities, SQLite; "
        f"{args.runs} cold runs each:"
    )
    async with aiohttp.ClientSession(cookies={COOKIE: cookie or ""}) as client:
        await timed(client, f"{base}/dashboard", board._cache)  # warm the OS's page cache
        for name, query in periods.items():
            pages = [
                await timed(client, f"{base}/dashboard{query}", board._cache)
                for _ in range(args.runs)
            ]
            charts = []
            for _ in range(args.runs):
                board._cache.clear()
                await timed(client, f"{base}/dashboard{query}", None)
                started = time.perf_counter()
                for chart in CHARTS:
                    await timed(client, f"{base}/dashboard/charts/{chart}.svg{query}", None)
                charts.append(time.perf_counter() - started)
            print(
                f"  {name:20} page median {statistics.median(pages) * 1000:6.0f} ms, worst "
                f"{max(pages) * 1000:6.0f} ms; then its 7 charts "
                f"{statistics.median(charts) * 1000:5.0f} ms"
                f" (target: page < {TARGET_S * 1000:.0f} ms)"
            )
    await runner.cleanup()
    await colbot.database.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--folder", type=Path, default=Path("benchmarks/.data"))
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--people", type=int, default=YOUNG_PEOPLE)
    args = parser.parse_args()
    args.folder = args.folder.resolve()
    args.folder.mkdir(parents=True, exist_ok=True)
    asyncio.run(run(args))


if __name__ == "__main__":
    main()
