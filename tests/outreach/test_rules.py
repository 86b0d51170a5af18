"""The pure time rules: quiet hours, reminder lead times, nudge eligibility, pacing, backoff."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from colbot.delivery.outbox import backoff
from colbot.delivery.pacing import SPACING_MARGIN, SendPacer
from colbot.domain.quiet_hours import QuietHours, parse_quiet_hours, release_time
from colbot.outreach.leads import Lead, parse_leads, reminder_times
from colbot.outreach.nudge_rules import NudgeHistory, NudgeMode, may_nudge
from colbot.settings import SettingsError, load_settings

LONDON = ZoneInfo("Europe/London")
NIGHT = QuietHours(time(21, 0), time(8, 0))


def at(day: int, hour: int, minute: int = 0) -> datetime:
    """A November 2026 moment in London (which is UTC then)."""
    return datetime(2026, 11, day, hour, minute, tzinfo=LONDON).astimezone(UTC)


@pytest.mark.parametrize(
    ("moment", "quiet"),
    [
        (at(28, 20, 59), False),
        (at(28, 21, 0), True),
        (at(28, 23, 30), True),
        (at(29, 3, 0), True),
        (at(29, 7, 59), True),
        (at(29, 8, 0), False),
        (at(29, 12, 0), False),
    ],
)
def test_quiet_hours_wrap_past_midnight(moment: datetime, quiet: bool) -> None:
    assert NIGHT.contains(moment, LONDON) is quiet


def test_a_message_due_at_night_waits_until_morning() -> None:
    assert release_time(at(28, 22, 0), NIGHT, LONDON) == at(29, 8, 0)
    assert release_time(at(29, 6, 0), NIGHT, LONDON) == at(29, 8, 0)
    assert release_time(at(29, 9, 0), NIGHT, LONDON) == at(29, 9, 0)
    assert release_time(at(28, 22, 0), None, LONDON) == at(28, 22, 0)


def test_quiet_hours_follow_local_time_in_summer() -> None:
    summer_night = datetime(2026, 7, 1, 20, 30, tzinfo=UTC)  # 21:30 in London
    assert NIGHT.contains(summer_night, LONDON)
    assert release_time(summer_night, NIGHT, LONDON) == datetime(2026, 7, 2, 7, 0, tzinfo=UTC)


def test_daytime_quiet_hours_do_not_wrap() -> None:
    school = parse_quiet_hours("09:00-15:30")
    assert school is not None
    assert school.contains(at(30, 10, 0), LONDON)
    assert not school.contains(at(30, 16, 0), LONDON)
    assert school.release(at(30, 10, 0), LONDON) == at(30, 15, 30)


@pytest.mark.parametrize("text", ["", "  ", "none"])
def test_empty_quiet_hours_mean_none(text: str) -> None:
    assert parse_quiet_hours(text) is None


@pytest.mark.parametrize("text", ["21-8", "21:00", "25:00-08:00", "21:00-8:0"])
def test_bad_quiet_hours_are_refused(text: str) -> None:
    with pytest.raises(ValueError):
        parse_quiet_hours(text)


def test_leads_parse_units_and_a_time_of_day() -> None:
    assert parse_leads("1d@17:00,2h, 30m,45s") == (
        Lead(timedelta(days=1), time(17, 0)),
        Lead(timedelta(hours=2)),
        Lead(timedelta(minutes=30)),
        Lead(timedelta(seconds=45)),
    )
    assert parse_leads("") == ()


@pytest.mark.parametrize("text", ["2", "h", "0h", "2w", "1d@5pm", "-1h"])
def test_bad_leads_are_refused(text: str) -> None:
    with pytest.raises(ValueError):
        parse_leads(text)


def test_default_reminders_are_the_day_before_at_five_and_two_hours_before() -> None:
    starts = at(30, 10, 0)
    leads = parse_leads("1d@17:00,2h")
    assert reminder_times(starts, at(28, 9, 0), leads, LONDON) == [at(29, 17, 0), at(30, 8, 0)]


def test_reminders_already_past_are_left_out() -> None:
    starts = at(30, 10, 0)
    leads = parse_leads("1d@17:00,2h")
    assert reminder_times(starts, at(29, 18, 0), leads, LONDON) == [at(30, 8, 0)]
    assert reminder_times(starts, at(30, 9, 0), leads, LONDON) == []


def test_a_reminder_moved_to_after_the_start_is_left_out() -> None:
    starts = at(30, 9, 0)
    late = (Lead(timedelta(hours=1), time(23, 0)),)
    assert reminder_times(starts, at(28, 9, 0), late, LONDON) == []


def history(**changes: object) -> NudgeHistory:
    values: dict[str, object] = {
        "mode": NudgeMode.NORMAL,
        "last_seen_at": at(1, 12),
        "last_nudged_at": None,
        "unanswered": 0,
    }
    values.update(changes)
    return NudgeHistory(**values)  # type: ignore[arg-type]


def test_a_nudge_only_after_fourteen_quiet_days() -> None:
    assert not may_nudge(history(), at(15, 11))
    assert may_nudge(history(), at(15, 12))


def test_at_most_one_nudge_a_week() -> None:
    nudged = history(last_nudged_at=at(15, 12), unanswered=1)
    assert not may_nudge(nudged, at(22, 11))
    assert may_nudge(nudged, at(22, 12))


def test_no_nudges_after_three_unanswered_until_they_write() -> None:
    assert not may_nudge(history(last_nudged_at=at(1, 12), unanswered=3), at(30, 12))


def test_nudges_off_paused_or_unreachable_mean_none() -> None:
    assert not may_nudge(history(mode=NudgeMode.OFF), at(30, 12))
    assert not may_nudge(history(paused=True), at(30, 12))
    assert not may_nudge(history(unreachable=True), at(30, 12))


def test_backoff_doubles_and_is_capped() -> None:
    assert [backoff(n).total_seconds() for n in (1, 2, 3)] == [2, 4, 8]
    assert backoff(20) == timedelta(minutes=5)


class FakeTime:
    """Monotonic time that only moves when the pacer sleeps."""

    def __init__(self) -> None:
        self.now = 0.0

    def monotonic(self) -> float:
        return self.now

    def sleeper(self) -> Callable[[float], Awaitable[None]]:
        async def sleep(seconds: float) -> None:
            self.now += seconds

        return sleep


async def test_the_pacer_never_exceeds_the_rate_in_any_one_second_window() -> None:
    fake = FakeTime()
    pacer = SendPacer(25, monotonic=fake.monotonic, sleep=fake.sleeper())
    stamps = []
    for n in range(200):
        await pacer.acquire(f"chat{n}")
        stamps.append(fake.now)
    for i, start in enumerate(stamps):
        assert sum(1 for s in stamps[i:] if s < start + 1.0) <= 25
    assert stamps[-1] == pytest.approx(199 * SPACING_MARGIN / 25)


async def test_the_pacer_keeps_one_second_between_messages_to_one_chat() -> None:
    fake = FakeTime()
    pacer = SendPacer(25, monotonic=fake.monotonic, sleep=fake.sleeper())
    await pacer.acquire("ada")
    assert pacer.chat_wait("ada") == pytest.approx(1.0)
    await pacer.acquire("ada")
    assert fake.now == pytest.approx(1.0)


async def test_the_pacer_pauses_for_retry_after() -> None:
    fake = FakeTime()
    pacer = SendPacer(25, monotonic=fake.monotonic, sleep=fake.sleeper())
    pacer.pause(3)
    await pacer.acquire("ada")
    assert fake.now == pytest.approx(3.0)


def test_settings_read_leads_quiet_hours_and_rate() -> None:
    settings = load_settings(
        {
            "COLBOT_REMINDER_LEADS": "3h",
            "COLBOT_QUIET_HOURS": "",
            "COLBOT_SEND_RATE": "10",
        }
    )
    assert settings.reminder_leads == (Lead(timedelta(hours=3)),)
    assert settings.quiet_hours is None
    assert settings.send_rate == 10
    assert str(load_settings({}).quiet_hours) == "21:00-08:00"


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("COLBOT_REMINDER_LEADS", "tomorrow"),
        ("COLBOT_QUIET_HOURS", "late"),
        ("COLBOT_SEND_RATE", "31"),
        ("COLBOT_SEND_RATE", "fast"),
    ],
)
def test_bad_delivery_settings_fail_with_one_line(name: str, value: str) -> None:
    with pytest.raises(SettingsError, match=name) as caught:
        load_settings({name: value})
    assert "\n" not in str(caught.value)
