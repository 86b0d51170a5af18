"""Each young person is shown the price of the offer for their age, else "see the provider"."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from colbot.app import Colbot
from colbot.catalogue.importers import parse_openactive
from colbot.content.city import City
from colbot.content.passions import Passion
from colbot.domain.prices import price_for
from colbot.explore.ranking import FREE_BONUS, Candidate, Seeker, score
from tests.catalogue.test_import_fixes import SOURCE, event, one, page, run

BANDED = [
    {"@type": "Offer", "name": "Adult", "price": 8, "priceCurrency": "GBP",
     "ageRange": {"@type": "QuantitativeValue", "minValue": 18}},
    {"@type": "Offer", "name": "Junior", "price": 2, "priceCurrency": "GBP",
     "ageRange": {"@type": "QuantitativeValue", "minValue": 11, "maxValue": 17}},
]  # fmt: skip
ADULTS_ONLY = [BANDED[0]]
ALL_AGES = {"@type": "QuantitativeValue", "minValue": 11}


async def test_a_14_year_old_sees_the_junior_price_and_reimporting_changes_nothing(
    colbot: Colbot, passions: tuple[Passion, ...], tmp_path: Path
) -> None:
    path = tmp_path / "feed.json"
    path.write_bytes(page(event(offers=BANDED, ageRange=ALL_AGES)))
    await run(colbot, path, passions)
    again = await run(colbot, path, passions)
    stored = await one(colbot, SOURCE)
    assert again.unchanged == 1 and again.created == again.updated == 0
    assert price_for(stored, 14) == 200
    assert price_for(stored, 30) == 800
    assert price_for(stored, None) == stored.cost_pence == 200, "no known age: youngest band"


async def test_an_adults_only_offer_means_see_the_provider_for_a_14_year_old(
    colbot: Colbot, passions: tuple[Passion, ...], tmp_path: Path
) -> None:
    path = tmp_path / "feed.json"
    path.write_bytes(page(event(offers=ADULTS_ONLY, ageRange=ALL_AGES)))
    await run(colbot, path, passions)
    stored = await one(colbot, SOURCE)
    assert price_for(stored, 14) is None
    assert price_for(stored, 20) == 800


def test_every_offer_is_kept_with_its_band(city: City, passions: tuple[Passion, ...]) -> None:
    (imported,) = parse_openactive(page(event(offers=BANDED)), city, passions, city.timezone)
    assert imported.fields.offers == (
        {"min_age": 18, "max_age": None, "price_pence": 800},
        {"min_age": 11, "max_age": 17, "price_pence": 200},
    )


def test_ranking_never_counts_an_unknown_price_as_free() -> None:
    now = datetime(2027, 1, 1, tzinfo=UTC)
    base = Candidate(1, 1, frozenset(), now + timedelta(days=3), None, None, 11, 99, 0, None)
    adults_only = replace(base, id=2, offers=({"min_age": 18, "max_age": None, "price_pence": 0},))
    seeker = Seeker(frozenset(), 14, None, None, None, frozenset())
    tz = ZoneInfo("Europe/London")
    free, unknown = score(base, seeker, now, tz), score(adults_only, seeker, now, tz)
    assert free.score - unknown.score == FREE_BONUS
