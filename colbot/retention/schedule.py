"""The retention schedule a city sets, and the dates it gives, without I/O."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

DAY = timedelta(days=1)


@dataclass(frozen=True)
class Retention:
    """How long each kind of personal data is kept; the defaults are the README's."""

    # A young person who has not written for this long is erased, as /delete erases.
    inactive: timedelta = 365 * DAY
    # They are told this long before, once; any message from them keeps the profile.
    warning: timedelta = 30 * DAY
    # Messages colbot has finished with (sent, dropped, unreachable, failed), after that.
    outbox: timedelta = 30 * DAY
    # Web chat messages and the pictures and files sent in it, after they were sent.
    webchat: timedelta = 30 * DAY
    # Dashboard sign-in links, sessions and invites, after they were used or ran out.
    sign_in_links: timedelta = 7 * DAY
    # Wallet and move-chat links and wrong move codes, after they were used or ran out.
    personal_links: timedelta = 7 * DAY
    # Audit records naming a young person lose the name after this.
    audit: timedelta = 365 * DAY
    # Backups made by `colbot db backup`: none older than this, and at most this many.
    backups: timedelta = 35 * DAY
    backup_count: int = 14

    def warn_from(self, last_seen_at: datetime) -> datetime:
        """When someone quiet since `last_seen_at` is told their profile is going."""
        return last_seen_at + self.inactive - self.warning

    def erase_on(self, last_seen_at: datetime, warned_at: datetime) -> datetime:
        """When a warned profile is erased: never sooner than the notice they were given."""
        return max(last_seen_at + self.inactive, warned_at + self.warning)
