"""The demo city loads and is rich enough to demo; every data mistake names its file and line."""

from __future__ import annotations

import dataclasses
from collections import Counter
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from colbot.content.city import City, load_city
from colbot.content.passions import Passion, load_passions
from colbot.content.source import ContentError
from colbot.domain.timing import Timing

ROOT = Path(__file__).resolve().parents[2]
PASSIONS_FILE = ROOT / "conversations" / "en" / "passions.yaml"
KENSALFIELD = ROOT / "cities" / "kensalfield"
LONDON = ZoneInfo("Europe/London")

REQUIRED_PASSIONS = {
    "music", "art", "coding", "science", "sport", "dance", "drama", "writing", "gaming",
    "nature", "cooking", "fashion", "film", "making", "enterprise", "volunteering", "heritage",
    "wellbeing",
}  # fmt: skip

A_WEEK_ACROSS_THE_CLOCK_CHANGE = [date(2025, 3, 26) + timedelta(days=n) for n in range(7)]


@pytest.fixture(scope="module")
def passions() -> tuple[Passion, ...]:
    return load_passions(PASSIONS_FILE)


@pytest.fixture(scope="module")
def city(passions: tuple[Passion, ...]) -> City:
    return load_city(KENSALFIELD, {passion.id for passion in passions})


def test_the_passion_list_has_every_required_passion(passions: tuple[Passion, ...]) -> None:
    assert {passion.id for passion in passions} >= REQUIRED_PASSIONS


def test_passion_synonyms_are_generous_lower_case_and_never_shared(
    passions: tuple[Passion, ...],
) -> None:
    owners = Counter(word for passion in passions for word in set(passion.synonyms))
    for passion in passions:
        assert passion.name and passion.emoji
        assert len(passion.synonyms) >= 15, passion.id
        assert all(word == word.lower().strip() for word in passion.synonyms), passion.id
    assert [word for word, count in owners.items() if count > 1] == []


def test_some_everyday_words_find_their_passion(passions: tuple[Passion, ...]) -> None:
    meaning = {word: passion.id for passion in passions for word in passion.words}
    assert meaning["footy"] == "sport"
    assert meaning["sketching"] == "art"
    assert meaning["dj"] == "music"
    assert meaning["python"] == "coding"
    assert meaning["bake off"] == "cooking"


def test_kensalfield_has_its_places_and_people(city: City) -> None:
    assert city.id == "kensalfield"
    assert city.timezone == LONDON
    assert 8 <= len(city.areas) <= 10
    assert sum(area.imd_decile <= 3 for area in city.areas) >= 3
    assert city.safeguarding.phone.startswith("01632")
    assert city.safeguarding.email.endswith("example.org")
    assert len(city.partners) >= 15


def test_kensalfield_has_plenty_to_do_for_every_partner_and_passion(city: City) -> None:
    assert len(city.opportunities) >= 60
    per_passion = Counter(p for opportunity in city.opportunities for p in opportunity.passions)
    assert sum(count >= 3 for count in per_passion.values()) >= 12
    offering = {opportunity.partner for opportunity in city.opportunities}
    assert offering == {partner.id for partner in city.partners}
    assert all(city.area_by_postcode(o.postcode) for o in city.opportunities)


def test_kensalfield_opportunities_mostly_suit_teenagers_and_are_mostly_free(city: City) -> None:
    opportunities = city.opportunities
    assert all(11 <= o.min_age <= o.max_age <= 25 for o in opportunities)
    assert all(o.suits_age(13) or o.suits_age(16) for o in opportunities)
    assert sum(o.min_age >= 13 and o.max_age <= 19 for o in opportunities) > len(opportunities) / 2
    assert sum(o.is_free for o in opportunities) > len(opportunities) / 2
    assert all(o.cost_pence <= 1000 and o.hours > 0 for o in opportunities)


@pytest.mark.parametrize("today", A_WEEK_ACROSS_THE_CLOCK_CHANGE, ids=str)
def test_every_opportunity_is_upcoming_whatever_day_it_is(city: City, today: date) -> None:
    start_of_today = datetime.combine(today, time(0), tzinfo=LONDON)
    for opportunity in city.opportunities:
        starts = opportunity.starts_at(today, city.timezone)
        ends = opportunity.ends_at(today, city.timezone)
        assert start_of_today <= starts, opportunity.id
        assert starts.date() <= today + timedelta(days=60), opportunity.id
        length = ends.astimezone(UTC) - starts.astimezone(UTC)
        assert length == timedelta(minutes=opportunity.minutes), opportunity.id


@pytest.mark.parametrize("today", A_WEEK_ACROSS_THE_CLOCK_CHANGE, ids=str)
def test_opportunities_happen_at_sensible_times(city: City, today: date) -> None:
    for opportunity in city.opportunities:
        starts = opportunity.starts_at(today, city.timezone)
        if opportunity.weekday is None:
            continue
        assert starts.weekday() == opportunity.weekday, opportunity.id
        if starts.weekday() < 5:
            assert time(16) <= starts.time() <= time(19), opportunity.id
        else:
            assert time(8) <= starts.time() <= time(14), opportunity.id


@pytest.mark.parametrize("today", A_WEEK_ACROSS_THE_CLOCK_CHANGE, ids=str)
def test_weekend_courses_fall_on_one_weekend(city: City, today: date) -> None:
    first = next(o for o in city.opportunities if o.id == "college-film-weekend-1")
    second = next(o for o in city.opportunities if o.id == "college-film-weekend-2")
    assert second.first_date(today) - first.first_date(today) == timedelta(days=1)


def test_something_is_on_today_and_tomorrow(city: City) -> None:
    today = date(2025, 6, 4)
    days = {o.first_date(today) - today for o in city.opportunities}
    assert {timedelta(0), timedelta(1)} <= days


def test_dates_are_relative_to_today_and_move_to_their_weekday(tmp_path: Path) -> None:
    city = load_example(tmp_path)
    trail = city.opportunities[0]
    monday = date(2025, 6, 2)
    assert trail.starts_at(monday, LONDON) == datetime(2025, 6, 7, 10, 0, tzinfo=LONDON)
    assert trail.ends_at(monday, LONDON) == datetime(2025, 6, 7, 12, 0, tzinfo=LONDON)
    drop_in = dataclasses.replace(trail, weekday=None, day=0)
    assert drop_in.starts_at(monday, LONDON) == datetime(2025, 6, 2, 10, 0, tzinfo=LONDON)


def test_an_opportunity_across_the_clock_change_lasts_its_real_length(tmp_path: Path) -> None:
    late = dataclasses.replace(
        load_example(tmp_path).opportunities[0], day=0, weekday=None, start=time(0, 30)
    )
    clocks_go_forward = date(2025, 3, 30)
    ends = late.ends_at(clocks_go_forward, LONDON)
    assert ends == datetime(2025, 3, 30, 3, 30, tzinfo=LONDON)
    assert ends.astimezone(UTC) - late.starts_at(clocks_go_forward, LONDON) == timedelta(hours=2)


@pytest.mark.parametrize(
    ("typed", "area_id"),
    [
        ("KF1", "kf1"),
        ("kf1", "kf1"),
        ("KF1 4", "kf1"),
        ("kf1 4a", "kf1"),
        ("KF1 4AB", "kf1"),
        ("KF14AB", "kf1"),
        ("kf3-2ab", "kf3"),
        ("I live at KF3 2AB thanks", "kf3"),
        ("KF10", "kf10"),
        ("kf10 4", "kf10"),
        ("KF104AB", "kf10"),
        ("KF10 4AB", "kf10"),
        ("KF14", None),
        ("KF11 2AB", None),
        ("KF99", None),
        ("SW1A 1AA", None),
        ("hello", None),
        ("", None),
    ],
)
def test_postcodes_find_their_area(city: City, typed: str, area_id: str | None) -> None:
    area = city.area_by_postcode(typed)
    assert (area.id if area else None) == area_id


@pytest.mark.parametrize(
    ("typed", "area_id"),
    [
        ("Riverside", "kf3"),
        ("RIVERSIDE", "kf3"),
        ("town centre", "kf1"),
        ("the wharf", "kf3"),
        ("wharf", "kf3"),
        ("king's mead", "kf10"),
        ("Kings Mead", "kf10"),
        ("I live in Kingsmead", "kf10"),
        ("near the high street", "kf1"),
        ("Ashby Green", "kf8"),
        ("ashby", "kf8"),
        ("eastfield estate", "kf4"),
        ("Narnia", None),
        ("the", None),
        ("", None),
    ],
)
def test_area_names_and_aliases_find_their_area(
    city: City, typed: str, area_id: str | None
) -> None:
    area = city.area_by_name(typed)
    assert (area.id if area else None) == area_id


def test_area_and_partner_lookups(city: City) -> None:
    assert city.area("kf4").name == "Eastfield"
    assert city.partner("pixel-forge").kind == "employer"
    with pytest.raises(KeyError):
        city.area("kf99")


EXAMPLE_PASSIONS = """\
passions:
  - id: music
    name: Music
    emoji: "🎵"
    synonyms: [beats, rap]
  - id: sport
    name: Sport
    emoji: "⚽"
    synonyms:
      - football
      - footy
"""

EXAMPLE_CITY = """\
id: testville
name: Testville
timezone: Europe/London
centre: {lat: 52.45, lon: -1.5}
safeguarding:
  name: Sam Okafor
  phone: "01632 960412"
  email: safeguarding@testville.example.org
areas:
  - id: kf1
    name: Town Centre
    postcode_district: KF1
    lat: 52.4503
    lon: -1.5012
    imd_decile: 4
    aliases: [high street]
  - id: kf2
    name: Northgate
    postcode_district: KF2
    lat: 52.4672
    lon: -1.5041
    imd_decile: 2
    aliases: [north end]
"""

EXAMPLE_PARTNERS = """\
partners:
  - id: museum
    name: Testville Museum
    kind: museum
    description: Old things, well explained.
    website: https://museum.example.org
    email: learn@museum.example.org
    area: kf1
  - id: youth-club
    name: Northgate Youth Club
    kind: youth club
    description: Open most nights.
    website: https://youthclub.example.org
    email: hi@youthclub.example.org
    area: kf2
"""

EXAMPLE_OPPORTUNITIES = """\
opportunities:
  - id: museum-trail
    partner: museum
    title: Heritage trail
    description: Follow the clues around town.
    passions: [music, sport]
    day: 3
    weekday: saturday
    start: "10:00"
    minutes: 120
    venue: Testville Museum
    address: 1 Castle Street
    postcode: KF1 1AD
    lat: 52.4508
    lon: -1.5021
    min_age: 13
    max_age: 19
    cost: 0
    hours: 2
    capacity: 12
    url: https://museum.example.org/trail
  - id: club-night
    partner: youth-club
    title: Games night
    description: Board games and snacks.
    passions: [sport]
    day: 0
    start: "18:00"
    minutes: 90
    venue: Northgate Youth Club
    address: Fenwick Road
    postcode: KF2 6FR
    lat: 52.4681
    lon: -1.5023
    min_age: 11
    max_age: 16
    cost: 2.5
    hours: 1.5
    capacity: null
    timing: drop_in
"""

EXAMPLE_FILES = {
    "passions.yaml": EXAMPLE_PASSIONS,
    "city.yaml": EXAMPLE_CITY,
    "partners.yaml": EXAMPLE_PARTNERS,
    "opportunities.yaml": EXAMPLE_OPPORTUNITIES,
}


def write_example(folder: Path, file_name: str = "", old: str = "", new: str = "") -> str:
    """Writes the example content with one change, returning the changed file's text."""
    changed = ""
    for name, text in EXAMPLE_FILES.items():
        if name == file_name:
            assert text.count(old) == 1, f"{old!r} should appear once in {name}"
            text = changed = text.replace(old, new)
        (folder / name).write_text(text, encoding="utf-8")
    return changed


def load_example(folder: Path) -> City:
    write_example(folder)
    return load_everything(folder)


def load_everything(folder: Path) -> City:
    passions = load_passions(folder / "passions.yaml")
    return load_city(folder, {passion.id for passion in passions})


def test_the_example_content_loads(tmp_path: Path) -> None:
    city = load_example(tmp_path)
    assert [area.id for area in city.areas] == ["kf1", "kf2"]
    club_night = city.opportunities[1]
    assert club_night.cost_pence == 250
    assert club_night.capacity is None
    assert club_night.hours == 1.5
    assert club_night.weekday is None
    assert club_night.timing is Timing.DROP_IN
    assert city.opportunities[0].weekday == 5
    assert city.opportunities[0].timing is Timing.SESSION


MISTAKES = [
    # (file, old text, new text, text on the line the error must point at, words in the error)
    ("city.yaml", "timezone: Europe/London", "timezone: Europe/Kensal", "timezone:",
     "not a timezone"),
    ("city.yaml", "name: Testville\n", "", "id: testville", "missing 'name'"),
    ("city.yaml", "name: Testville\n", "name: Testville\nname: Again\n", "name: Again",
     "appears twice"),
    ("city.yaml", "centre: {lat: 52.45, lon: -1.5}", "centre: 52.45", "centre:",
     "block of 'key: value'"),
    ("city.yaml", '"01632 960412"', "1632960412", "phone:", "phone number"),
    ("city.yaml", "email: safeguarding@", "email: safeguarding-at-", "email:",
     "not an email address"),
    ("city.yaml", "imd_decile: 2", "imd_decile: 11", "imd_decile: 11", "from 1 to 10"),
    ("city.yaml", "imd_decile: 4", "imd_decil: 4", "imd_decil:", "unknown key 'imd_decil'"),
    ("city.yaml", "lat: 52.4672", "lat: 152.4672", "lat: 152.4672", "at most 90"),
    ("city.yaml", "lon: -1.5041", "lon: 1.5041", "lat: 52.4672", "km from the city centre"),
    ("city.yaml", "- id: kf2", "- id: kf1", "- id: kf1", "already used at line 10"),
    ("city.yaml", "postcode_district: KF2", "postcode_district: 2KF", "postcode_district: 2KF",
     "first half of a postcode"),
    ("city.yaml", "[north end]", "[north end, High Street]", "[north end, High Street]",
     "already names area 'kf1'"),
    ("city.yaml", EXAMPLE_CITY[EXAMPLE_CITY.index("areas:") :], "areas: []\n", "areas:",
     "at least one"),
    ("partners.yaml", "area: kf2", "area: kf9", "area: kf9", "no area 'kf9'"),
    ("partners.yaml", "https://youthclub", "http://youthclub", "website:", "https://"),
    ("partners.yaml", "- id: youth-club", "- id: museum", "- id: museum", "already used"),
    ("partners.yaml", "kind: youth club", "kind: 42", "kind: 42", "should be some text"),
    ("partners.yaml", "id: youth-club", "id: Youth Club", "id: Youth Club", "a-z, 0-9"),
    ("opportunities.yaml", "partner: youth-club", "partner: yuoth-club", "partner:",
     "no partner 'yuoth-club'"),
    ("opportunities.yaml", "passions: [music, sport]", "passions: [music, sprot]", "sprot",
     "no passion 'sprot'"),
    ("opportunities.yaml", "passions: [sport]", "passions: sport", "passions: sport",
     "should be a list"),
    ("opportunities.yaml", "min_age: 13", "min_age: 0", "min_age: 0", "from 1 to 120"),
    ("opportunities.yaml", "max_age: 16", "max_age: 10", "max_age: 10", "below min_age 11"),
    ("opportunities.yaml", "cost: 2.5", "cost: -2", "cost: -2", "at least 0"),
    ("opportunities.yaml", "cost: 2.5", "cost: 2.555", "cost: 2.555", "pounds and pence"),
    ("opportunities.yaml", "hours: 1.5", "hours: 0", "hours: 0", "more than 0"),
    ("opportunities.yaml", '"18:00"', '"25:00"', "start:", "24-hour time"),
    ("opportunities.yaml", '"18:00"', "18:00", "start: 18:00", "in quotes"),
    ("opportunities.yaml", "day: 0", "day: -1", "day: -1", "from 0 to 366"),
    ("opportunities.yaml", "weekday: saturday", "weekday: funday", "weekday:", "a day like"),
    ("opportunities.yaml", "capacity: 12", "capacity: 0", "capacity: 0", "from 1 to"),
    ("opportunities.yaml", "- id: club-night", "- id: museum-trail", "- id: museum-trail",
     "already used at line 2"),
    ("opportunities.yaml", "    title: Games night\n", "", "- id: club-night", "missing 'title'"),
    ("opportunities.yaml", "KF2 6FR", "KF26FR", "postcode:", "full postcode"),
    ("opportunities.yaml", "lat: 52.4681", "lat: 25.4681", "lat: 25.4681", "km from"),
    ("opportunities.yaml", "https://museum.example.org/trail", "museum.example.org/trail",
     "url:", "https://"),
    ("opportunities.yaml", "capacity: null\n", "capacity: null\n    bagde: x\n", "bagde:",
     "unknown key 'bagde'"),
    ("opportunities.yaml", "timing: drop_in", "timing: dropin", "timing: dropin",
     "one of session, drop_in, online, ongoing"),
    ("passions.yaml", "- footy", "- beats", "- beats", "already means 'music' (line 5)"),
    ("passions.yaml", "- footy", "- music", "- music", "already means 'music'"),
    ("passions.yaml", "- footy", "- Footy", "- Footy", "write synonym 'Footy' as 'footy'"),
    ("passions.yaml", "- footy", "- football", "- football", "listed twice"),
    ("passions.yaml", "id: sport", "id: music", "- id: music", "already used at line 2"),
    ("passions.yaml", '    emoji: "⚽"\n', "", "- id: sport", "missing 'emoji'"),
]  # fmt: skip


@pytest.mark.parametrize(
    ("file_name", "old", "new", "line_text", "words"),
    MISTAKES,
    ids=[f"{m[0]}:{m[4]}" for m in MISTAKES],
)
def test_each_mistake_is_reported_at_its_file_and_line(
    tmp_path: Path, file_name: str, old: str, new: str, line_text: str, words: str
) -> None:
    text = write_example(tmp_path, file_name, old, new)
    lines = text.splitlines()
    line = max(number for number, content in enumerate(lines, 1) if line_text in content)
    with pytest.raises(ContentError) as caught:
        load_everything(tmp_path)
    message = str(caught.value)
    assert message.startswith(f"{tmp_path / file_name}:{line}: "), message
    assert words in message


def test_a_file_that_is_not_a_mapping_is_reported_at_line_one(tmp_path: Path) -> None:
    write_example(tmp_path, "partners.yaml", EXAMPLE_PARTNERS, "- museum\n- youth-club\n")
    with pytest.raises(ContentError, match=r"partners\.yaml:1: .*'partners:'"):
        load_everything(tmp_path)


def test_a_missing_file_is_named(tmp_path: Path) -> None:
    write_example(tmp_path)
    (tmp_path / "opportunities.yaml").unlink()
    with pytest.raises(ContentError) as caught:
        load_everything(tmp_path)
    assert str(caught.value).startswith(f"{tmp_path / 'opportunities.yaml'}: ")


def test_a_passion_missing_from_the_list_given_to_the_city_is_reported(tmp_path: Path) -> None:
    write_example(tmp_path)
    with pytest.raises(ContentError) as caught:
        load_city(tmp_path, {"music"})
    assert str(caught.value).startswith(f"{tmp_path / 'opportunities.yaml'}:6: ")
