"""How long each kind of personal data is kept, in words: what the pack and /privacy both say.

The retention job (colbot.retention) enforces the COLBOT_RETENTION_* settings; this says the same
schedule in words, so the pack and the page can never disagree with what the job does.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from colbot.channels.webchat.channel import UNSEEN_KEPT
from colbot.retention.schedule import Retention
from colbot.settings import Settings
from colbot.storage.models.personal_data import Kept

DAY = timedelta(days=1)
DAYS_IN_A_YEAR = 365


Schedule = Retention


def schedule_of(settings: Settings) -> Schedule:
    """The schedule this colbot runs with: the one the retention job enforces."""
    return settings.retention


def span(length: timedelta) -> str:
    """A period as people say it: 12 months, 30 days, 1 day."""
    days = length.days
    if days and days % DAYS_IN_A_YEAR == 0:
        return f"{days // DAYS_IN_A_YEAR * 12} months"
    return f"{days} day" if days == 1 else f"{days} days"


@dataclass(frozen=True)
class Period:
    """One retention rule, in words a DPO can sign off, and the settings that set it."""

    rule: str
    settings: tuple[str, ...] = ()


def periods(schedule: Schedule) -> dict[Kept, Period]:
    """Each kind of personal data's retention rule, with the schedule's lengths filled in."""
    return {
        Kept.PROFILE: Period(
            f"Until they send /delete, or {span(schedule.inactive)} after their last message: "
            f"they are told once, {span(schedule.warning)} before, that any reply keeps it; "
            "then it is erased exactly as /delete erases it.",
            ("COLBOT_RETENTION_INACTIVE", "COLBOT_RETENTION_WARNING"),
        ),
        Kept.CONVERSATION: Period(
            "While the conversation is under way; erased with the profile, and at once when "
            "someone under 13 or without consent is turned away."
        ),
        Kept.OUTBOX: Period(
            f"Until sent; messages colbot has finished with are deleted {span(schedule.outbox)} "
            "later, and at once with the profile.",
            ("COLBOT_RETENTION_OUTBOX",),
        ),
        Kept.WEB_CHAT: Period(
            "A message until the page has shown it, and the pictures and files sent in a web chat, "
            f"are deleted {span(schedule.webchat)} after they were sent (one no page came back "
            f"for, after {span(UNSEEN_KEPT)}); all of it at once with the profile.",
            ("COLBOT_RETENTION_WEBCHAT",),
        ),
        Kept.LINKS: Period(
            "One-time links work for minutes or days; dashboard sign-in links, sessions and "
            f"invites are deleted {span(schedule.sign_in_links)} after they were used or ran "
            f"out, wallet and move-chat links and wrong move codes "
            f"{span(schedule.personal_links)} after.",
            ("COLBOT_RETENTION_SIGN_IN_LINKS", "COLBOT_RETENTION_PERSONAL_LINKS"),
        ),
        Kept.AUDIT: Period(
            f"Entries naming a young person lose the name after {span(schedule.audit)}; a call "
            "for help stays with the city team, as safeguarding requires.",
            ("COLBOT_RETENTION_AUDIT",),
        ),
        Kept.BADGES: Period(
            "With the profile. On /delete a badge is withdrawn, unless they chose to keep it "
            "working; completions stay, with nobody named, so partners' counts stay true."
        ),
        Kept.STAFF: Period(
            "While they are on the partner's staff or the city team; removed from the team, they "
            "are kept as removed so past codes can be traced."
        ),
        Kept.CATALOGUE: Period(
            "As long as the partner's feed publishes the item; when the feed deletes it, only "
            "its deletion is kept."
        ),
        Kept.PROCESSING: Period(
            "Minutes to hours: only to stop abuse (such as guessing codes), then no longer counted."
        ),
    }


def backups(schedule: Schedule) -> Period:
    """How long `colbot db backup` copies are kept."""
    return Period(
        f"`colbot db backup` copies hold everything above; the newest {schedule.backup_count}, "
        f"none older than {span(schedule.backups)}, are kept.",
        ("COLBOT_RETENTION_BACKUPS", "COLBOT_RETENTION_BACKUP_COUNT"),
    )
