"""How long each kind of personal data is kept: the one place the pack and /privacy read it from.

The retention job (the COLBOT_RETENTION_* settings) enforces these; when its settings change
a period, change it here too, so the DPO's pack and the young person's page say the same.
"""

from __future__ import annotations

from dataclasses import dataclass

from colbot.channels.webchat.channel import UNSEEN_KEPT
from colbot.storage.models.personal_data import Kept
from colbot.wallet.store import KEPT_AFTER_EXPIRY

# A young person who has not chatted for this long is told, then erased as /delete erases.
PROFILE_MONTHS = 12
PROFILE_WARNING_DAYS = 30
OUTBOX_DAYS = 30
WEB_CHAT_DAYS = 90
LINKS_DAYS = 30
AUDIT_MONTHS = 12
BACKUPS_KEPT = 14
BACKUPS_DAYS = 30


@dataclass(frozen=True)
class Period:
    """One retention rule, in words a DPO can sign off, and the settings that set it."""

    rule: str
    settings: tuple[str, ...] = ()


PERIODS: dict[Kept, Period] = {
    Kept.PROFILE: Period(
        f"Until they send /delete, or {PROFILE_MONTHS} months after their last message: they are "
        f"told {PROFILE_WARNING_DAYS} days before, any reply keeps it, then it is erased exactly "
        "as /delete erases it.",
        ("COLBOT_RETENTION_PROFILE_MONTHS", "COLBOT_RETENTION_WARNING_DAYS"),
    ),
    Kept.CONVERSATION: Period(
        "While the conversation is under way; erased with the profile, and at once when someone "
        "under 13 or without consent is turned away."
    ),
    Kept.OUTBOX: Period(
        f"Until sent; sent, dropped and undeliverable messages are deleted {OUTBOX_DAYS} days "
        "later. Erased at once with the profile.",
        ("COLBOT_RETENTION_OUTBOX_DAYS",),
    ),
    Kept.WEB_CHAT: Period(
        "A message until the page has shown it (one no page came back for is deleted after "
        f"{UNSEEN_KEPT.days} days); kept files (badges, QR codes, /mydata) and the rest of a web "
        f"chat {WEB_CHAT_DAYS} days after the chat was last used; all of it at once with the "
        "profile.",
        ("COLBOT_RETENTION_WEB_CHAT_DAYS",),
    ),
    Kept.LINKS: Period(
        "One-time links and codes work for minutes or days; once used or expired, what names a "
        f"person is deleted {LINKS_DAYS} days later (a wallet link {KEPT_AFTER_EXPIRY.days} day "
        "after it expires).",
        ("COLBOT_RETENTION_LINKS_DAYS",),
    ),
    Kept.AUDIT: Period(
        f"{AUDIT_MONTHS} months, then entries naming a young person are pseudonymised; a call "
        "for help stays with the city team, as safeguarding requires.",
        ("COLBOT_RETENTION_AUDIT_MONTHS",),
    ),
    Kept.BADGES: Period(
        "With the profile. On /delete a badge is withdrawn, unless they chose to keep it "
        "working; completions stay, with nobody named, so partners' counts stay true."
    ),
    Kept.STAFF: Period(
        "While they are on the partner's staff or the city team; removed from the team, they "
        "are kept as removed so past codes can be traced."
    ),
    Kept.PROCESSING: Period(
        "Minutes to hours: only to stop abuse (such as guessing codes), then no longer counted."
    ),
}

BACKUPS = Period(
    f"`colbot db backup` copies hold everything above; the newest {BACKUPS_KEPT}, none older "
    f"than {BACKUPS_DAYS} days, are kept.",
    ("COLBOT_RETENTION_BACKUPS_KEPT", "COLBOT_RETENTION_BACKUPS_DAYS"),
)
