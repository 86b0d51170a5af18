"""A weekly club from a calendar is one card with its next date and the dates after it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import select

from colbot.app import Colbot
from colbot.catalogue.imports import import_file
from colbot.chat.messages import Outbound
from colbot.clock import FrozenClock
from colbot.content.locations import conversations_dir
from colbot.content.passions import load_passions
from colbot.storage.models import Opportunity, Reminder, SavedItem
from tests.explore.test_chat import card_id, cards, onboard
from tests.support.talk import AnyTalker, Talk

WEEKLY = Path(__file__).parent.parent / "fixtures" / "calendars" / "weekly.ics"
TITLE = "Tuesday band practice"


async def band_cards(talker: AnyTalker) -> list[Outbound]:
    """Every card for the band practice, over every page of /explore."""
    found: list[Outbound] = []
    replies = await talker.say("/explore")
    for _ in range(20):
        found += [c for c in cards(replies) if TITLE in c.text]
        more = [b for r in replies for row in r.buttons for b in row if "Show me more" in b.label]
        if not more:
            break
        replies = await talker.press_data(more[0].data)
    return found


async def test_a_weekly_calendar_club_is_one_card_with_its_other_dates(
    channel_colbot: Colbot, clock: FrozenClock, talk: Talk
) -> None:
    passions = load_passions(conversations_dir() / "en" / "passions.yaml")
    await import_file(channel_colbot.database, WEEKLY, channel_colbot.city, passions, clock.now())
    talker = await onboard(talk, "band", travel="Anywhere")

    shown = await band_cards(talker)
    assert len(shown) == 1, [c.text for c in shown]
    card = shown[0]
    assert "Tuesday 1 December, 17:00" in card.text
    # 8 December is an EXDATE: not among the dates.
    assert "🔁 Also on Tue 15 Dec, Tue 22 Dec, Tue 29 Dec\n" in card.text

    async with channel_colbot.database.transaction() as session:
        rows = list(
            await session.scalars(
                select(Opportunity)
                .where(Opportunity.title == TITLE)
                .order_by(Opportunity.starts_at)
            )
        )
    assert [o.starts_at.astimezone(UTC).day for o in rows] == [1, 15, 22, 29, 5, 12, 19]
    assert len({o.id for o in rows}) == len({o.source_id for o in rows}) == 7
    assert card_id(card) == rows[0].id, "the buttons act on the date shown"

    await talker.press("Remind me", on=card)
    assert "Tuesday 1 December" in talker.last_text()
    async with channel_colbot.database.transaction() as session:
        reminded = set(await session.scalars(select(Reminder.opportunity_id)))
        saved = set(await session.scalars(select(SavedItem.opportunity_id)))
    assert reminded == saved == {rows[0].id}

    clock.advance(timedelta(days=4))  # Wednesday 2 December: the first date has passed
    shown = await band_cards(talker)
    assert len(shown) == 1
    assert "Tuesday 15 December, 17:00" in shown[0].text
    assert "Also on Tue 22 Dec, Tue 29 Dec, Tue 5 Jan" in shown[0].text
    assert card_id(shown[0]) == rows[1].id
    assert datetime(2026, 12, 2, tzinfo=UTC) < clock.now()


async def test_not_for_me_on_a_weekly_club_hides_every_date_of_it(
    channel_colbot: Colbot, clock: FrozenClock, talk: Talk
) -> None:
    passions = load_passions(conversations_dir() / "en" / "passions.yaml")
    await import_file(channel_colbot.database, WEEKLY, channel_colbot.city, passions, clock.now())
    talker = await onboard(talk, "band", travel="Anywhere")
    (card,) = await band_cards(talker)
    await talker.press("Not for me", on=card)
    assert "won't show you that one again" in talker.last_text()

    assert await band_cards(talker) == [], "not the next Tuesday's date either"
    clock.advance(timedelta(days=4))  # after the dismissed date: the later ones stay hidden too
    assert await band_cards(talker) == []
