"""How long does following a big OpenActive feed take, and how much database does it need?

A loopback feed server serves 10,000 ScheduledSession items (each with its SessionSeries
embedded) over 100 pages. colbot follows it (every page harvested), then one more item is
published and colbot polls once more, reading only from its stored position.

    python benchmarks/feeds.py [--items N] [--pages N]
"""

from __future__ import annotations

import argparse
import asyncio
import tempfile
import time
from pathlib import Path
from typing import Any

from aiohttp import web
from aiohttp.test_utils import TestServer

from colbot.app import build_app
from colbot.catalogue import feeds
from colbot.clock import FrozenClock
from colbot.settings import load_settings
from tests.support.demo import TEST_NOW

ITEMS = 10_000
PAGES = 100
PARTNER = "Eastfield Youth Centre"


def item(number: int) -> dict[str, Any]:
    """One session, a week apart per 100, with its series embedded."""
    start = f"2027-{1 + number % 12:02d}-{1 + number % 28:02d}T10:00:00Z"
    return {
        "state": "updated",
        "kind": "ScheduledSession",
        "id": f"s{number}",
        "modified": number,
        "data": {
            "@type": "ScheduledSession",
            "@id": f"https://opendata.example.org/scheduled-sessions/s{number}",
            "startDate": start,
            "endDate": start.replace("T10:", "T11:"),
            "superEvent": {
                "@type": "SessionSeries",
                "name": f"Football skills {number % 50}",
                "organizer": {"@type": "Organization", "name": PARTNER},
                "activity": [{"@type": "Concept", "prefLabel": "Football"}],
                "location": {
                    "@type": "Place",
                    "name": "Eastfield Sports Centre",
                    "address": {"@type": "PostalAddress", "postalCode": "KF4 3CD"},
                },
                "ageRange": {"@type": "QuantitativeValue", "minValue": 11, "maxValue": 17},
                "offers": [{"@type": "Offer", "price": 1.5, "priceCurrency": "GBP"}],
            },
        },
    }


async def main(items: int, pages: int) -> None:
    published = [item(n) for n in range(1, items + 1)]
    per_page = max(1, items // pages)
    base = ""

    async def page(request: web.Request) -> web.Response:
        after = int(request.query.get("afterTimestamp", "0"))
        chosen = [i for i in published if i["modified"] > after][:per_page]
        last = chosen[-1]["modified"] if chosen else after
        next_url = f"{base}/feed?afterTimestamp={last}&afterId=s{last}"
        return web.json_response({"items": chosen, "next": next_url})

    app = web.Application()
    app.router.add_get("/feed", page)
    server = TestServer(app, host="127.0.0.1")
    await server.start_server()
    base = str(server.make_url("")).rstrip("/")
    with tempfile.TemporaryDirectory() as folder:
        settings = load_settings({"COLBOT_FEEDS_ALLOW_PRIVATE": "1"}, data_dir=Path(folder))
        colbot = build_app(settings, clock=FrozenClock(TEST_NOW), demo=True)
        await colbot.prepare()
        now = colbot.clock.now()
        await feeds.follow(colbot.database, f"{base}/feed", PARTNER, now, allow_private=True)
        started = time.perf_counter()
        first = await feeds.poll_due(colbot.feeds(), now)
        harvest_s = time.perf_counter() - started
        published.append(item(items + 1))
        started = time.perf_counter()
        second = await feeds.poll_due(colbot.feeds(), now)
        poll_s = time.perf_counter() - started
        await colbot.database.dispose()
        size_mb = (Path(folder) / "colbot.sqlite3").stat().st_size / 2**20
    await server.close()
    print(f"first harvest: {items} items over {pages} pages in {harvest_s:.1f} s "
          f"({items / harvest_s:.0f} items/s): {next(iter(first.values()))}")  # fmt: skip
    print(f"incremental poll: {poll_s * 1000:.0f} ms: {next(iter(second.values()))}")
    print(f"database (SQLite, with the demo city): {size_mb:.1f} MB")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--items", type=int, default=ITEMS)
    parser.add_argument("--pages", type=int, default=PAGES)
    arguments = parser.parse_args()
    asyncio.run(main(arguments.items, arguments.pages))
