"""How fast is one young person's first page of recommendations, with a city-sized catalogue?

Builds a SQLite database with 10,000 opportunities and 100,000 young people (once, cached in
the folder given; --people builds fewer), then times, in-process, what /explore does for a
random young person: read their profile and exclusions, shortlist and rank, and load the five
cards. Prints p50 and p99. Target (issue 3): p50 <= 5 ms, p99 <= 20 ms.

Then the same for 10,000 young people (or all of them, if fewer) who follow some of 50 pathways
(issue 23), beside the same people ranked without pathways: with pathways, p50 and p99 should
stay within 20%.

    python benchmarks/recommendations.py [--folder DIR] [--samples N] [--people N]
"""

from __future__ import annotations

import argparse
import asyncio
import random
import secrets
import statistics
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from sqlalchemy import func, insert, select

from colbot.badges.classes import BadgeClasses
from colbot.explore.ranking import Seeker
from colbot.explore.recommend import PAGE_SIZE, Recommender, card_query
from colbot.pathways.definitions import Pathway, Pathways, Requirement, Step
from colbot.storage.database import Database
from colbot.storage.models import (
    Opportunity,
    OpportunityPassion,
    Partner,
    PathwayFollow,
    YoungPerson,
    YoungPersonPassion,
)

OPPORTUNITIES = 10_000
YOUNG_PEOPLE = 100_000
PARTNERS = 700
PASSIONS = (
    "music",
    "art",
    "coding",
    "science",
    "sport",
    "dance",
    "drama",
    "writing",
    "gaming",
    "nature",
    "cooking",
    "fashion",
    "film",
    "making",
    "enterprise",
    "volunteering",
    "heritage",
    "wellbeing",
)
CENTRE = (52.45, -1.50)
NOW = datetime(2026, 11, 28, 9, 0, tzinfo=UTC)
BATCH = 5_000
PATHWAYS = 50
FOLLOWERS = 10_000
PATHWAY_TARGET = 1.20  # with pathways, within 20% of without


def _jitter(rng: random.Random, spread: float) -> float:
    return rng.uniform(-spread, spread)


async def populate(database: Database, young_people: int) -> None:
    """Fills an empty database with a seeded, city-sized catalogue and population."""
    rng = random.Random(20261128)
    async with database.transaction() as session:
        await session.execute(
            insert(Partner),
            [
                {"slug": f"partner-{i}", "name": f"Partner {i}", "created_at": NOW}
                for i in range(PARTNERS)
            ],
        )
        opportunities, passions = [], []
        for i in range(OPPORTUNITIES):
            start = NOW + timedelta(hours=rng.randint(1, 24 * 90))
            opportunities.append(
                {
                    "id": i + 1,
                    "partner_id": rng.randint(1, PARTNERS),
                    "source_id": f"o{i}",
                    "title": f"Opportunity {i}",
                    "description": "",
                    "starts_at": start,
                    "ends_at": start + timedelta(hours=2),
                    "venue": "Venue",
                    "address": "",
                    "postcode": "KF1 1AA",
                    "latitude": CENTRE[0] + _jitter(rng, 0.08),
                    "longitude": CENTRE[1] + _jitter(rng, 0.12),
                    "min_age": rng.choice((11, 13, 14, 16)),
                    "max_age": rng.choice((16, 18, 19, 25)),
                    "cost_pence": rng.choice((0, 0, 0, 200, 500)),
                    "learning_hours": rng.choice((1.0, 2.0, 3.0, 6.0)),
                    "capacity": rng.choice((None, 10, 20, 30)),
                    "created_at": NOW,
                    "updated_at": NOW,
                }
            )
            for passion in rng.sample(PASSIONS, rng.randint(1, 3)):
                passions.append({"opportunity_id": i + 1, "passion_id": passion})
        await session.execute(insert(Opportunity), opportunities)
        await session.execute(insert(OpportunityPassion), passions)
    for start in range(0, young_people, BATCH):
        async with database.transaction() as session:
            people, chosen = [], []
            for i in range(start, min(start + BATCH, young_people)):
                people.append(
                    {
                        "id": i + 1,
                        "public_id": secrets.token_urlsafe(16),
                        "age": rng.randint(13, 19),
                        "latitude": round(CENTRE[0] + _jitter(rng, 0.06), 2),
                        "longitude": round(CENTRE[1] + _jitter(rng, 0.1), 2),
                        "travel_km": rng.choice((1.0, 3.0, 5.0, None)),
                        "availability": rng.sample(
                            ["weekday_after_school", "weekends", "school_holidays"], 2
                        ),
                        "language": "en",
                        "created_at": NOW,
                        "last_seen_at": NOW,
                        "onboarded_at": NOW,
                    }
                )
                for passion in rng.sample(PASSIONS, rng.randint(1, 4)):
                    chosen.append(
                        {"young_person_id": i + 1, "passion_id": passion, "chosen_at": NOW}
                    )
            await session.execute(insert(YoungPerson), people)
            await session.execute(insert(YoungPersonPassion), chosen)


def pathways() -> Pathways:
    """Fifty seeded pathways of three to five steps, some of them "any 2 of these 3"."""
    rng = random.Random(23)
    made = {}
    for i in range(PATHWAYS):
        steps = []
        for number in range(rng.randint(3, 5)):
            if number % 2:
                choices = rng.sample(PASSIONS, 3)
                options = tuple(Requirement(f"A {p} session", "about", p) for p in choices)
                steps.append(Step(f"Try 2 of these ({number})", options, 2))
            else:
                passion = rng.choice(PASSIONS)
                steps.append(
                    Step(f"A {passion} session", (Requirement(passion, "about", passion),))
                )
        steps.append(Step("Add up 10 hours", (Requirement("hours", "hours", count=10),)))
        made[f"pathway-{i}"] = Pathway(
            f"pathway-{i}",
            f"Pathway {i}",
            "",
            f"pathway-{i}",
            tuple(steps),
            (rng.choice(PASSIONS),),
        )
    return Pathways(made)


async def follow(database: Database, known: Pathways, followers: int) -> None:
    """The first `followers` young people each follow one to three of the pathways."""
    rng = random.Random(2023)
    ids = list(known.by_id)
    async with database.transaction() as session:
        if await session.scalar(select(func.count()).select_from(PathwayFollow)):
            return
        rows = [
            {"young_person_id": person, "pathway_id": pathway_id, "followed_at": NOW}
            for person in range(1, followers + 1)
            for pathway_id in rng.sample(ids, rng.randint(1, 3))
        ]
        await session.execute(insert(PathwayFollow), rows)


async def first_page(database: Database, recommender: Recommender, person_id: int) -> int:
    """What /explore computes for one person: profile, exclusions, ranking, the five cards."""
    async with database.reading() as session:
        person = await session.get(YoungPerson, person_id)
        assert person is not None
        seeker: Seeker = await recommender.seeker(session, person)
        ranked = await recommender.ranked(session, seeker, NOW)
        page = [item.candidate.id for item in ranked[:PAGE_SIZE]]
        cards = (await session.execute(card_query(page))).all()
        return len(cards)


def percentile(samples: list[float], share: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


async def timed(
    database: Database, recommender: Recommender, people: list[int]
) -> tuple[float, float, float]:
    """p50, p99 and mean of the first page for each of these people, in order."""
    await first_page(database, recommender, people[0])
    timings = []
    for person_id in people:
        started = time.perf_counter()
        shown = await first_page(database, recommender, person_id)
        timings.append((time.perf_counter() - started) * 1000)
        assert shown > 0
    return percentile(timings, 0.50), percentile(timings, 0.99), statistics.fmean(timings)


def cache_name(young_people: int) -> str:
    """The cached database's file: one per population, the city-sized one as it always was."""
    return (
        "recommend.sqlite3" if young_people == YOUNG_PEOPLE else f"recommend-{young_people}.sqlite3"
    )


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--folder", type=Path, default=Path("benchmarks/.data"))
    parser.add_argument("--samples", type=int, default=2_000)
    parser.add_argument("--people", type=int, default=YOUNG_PEOPLE)
    args = parser.parse_args()
    young_people = args.people
    followers = min(FOLLOWERS, young_people)
    args.folder.mkdir(parents=True, exist_ok=True)
    path = (args.folder / cache_name(young_people)).resolve()
    database = Database(f"sqlite+aiosqlite:///{path}")
    await database.upgrade()
    async with database.transaction() as session:
        have = await session.scalar(select(func.count()).select_from(YoungPerson))
    if have != young_people:
        print(f"building {OPPORTUNITIES:,} opportunities and {young_people:,} young people ...")
        await populate(database, young_people)
    known = pathways()
    await follow(database, known, followers)
    tz = ZoneInfo("Europe/London")
    plain = Recommender(tz, {})
    rng = random.Random(7)
    p50, p99, mean = await timed(
        database, plain, [rng.randint(1, young_people) for _ in range(args.samples)]
    )
    print(
        f"first page of recommendations, {OPPORTUNITIES:,} opportunities, "
        f"{young_people:,} young people, SQLite, {args.samples:,} samples:"
    )
    print(
        f"  p50 {p50:.2f} ms   p99 {p99:.2f} ms   "
        f"mean {mean:.2f} ms   (target p50 <= 5 ms, p99 <= 20 ms)"
    )
    chosen = [rng.randint(1, followers) for _ in range(args.samples)]
    lifted = Recommender(tz, {}, known, BadgeClasses(args.folder))
    without = await timed(database, plain, chosen)
    with_pathways = await timed(database, lifted, chosen)
    await database.dispose()
    print(
        f"the same for {followers:,} followers of {PATHWAYS} pathways, "
        f"{args.samples:,} samples (target: within {PATHWAY_TARGET - 1:.0%} of without):"
    )
    for label, (p50, p99, mean) in (("without", without), ("with   ", with_pathways)):
        print(f"  {label} pathways: p50 {p50:.2f} ms   p99 {p99:.2f} ms   mean {mean:.2f} ms")
    print(
        f"  with / without: p50 {with_pathways[0] / without[0]:.2f}x   "
        f"p99 {with_pathways[1] / without[1]:.2f}x"
    )


if __name__ == "__main__":
    asyncio.run(main())
