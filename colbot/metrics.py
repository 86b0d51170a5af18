"""What colbot counts for Prometheus: this process's events, and totals read from the database."""

from __future__ import annotations

import logging

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram

REGISTRY = CollectorRegistry(auto_describe=True)

UPDATES = Counter(
    "colbot_updates_handled",
    "Telegram updates this process handled, by how they arrived",
    ["mode"],
    registry=REGISTRY,
)
UPDATE_SECONDS = Histogram(
    "colbot_update_seconds",
    "From starting to handle an update to its replies sent, in seconds",
    buckets=(0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
    registry=REGISTRY,
)
DUPLICATE_UPDATES = Counter(
    "colbot_duplicate_updates",
    "Telegram updates delivered again and not handled twice",
    registry=REGISTRY,
)
MESSAGES_SENT = Counter(
    "colbot_messages_sent",
    "Messages this process sent: replies and the outbox's, by channel",
    ["channel"],
    registry=REGISTRY,
)
WEBCHAT_NOTICED = Counter(
    "colbot_webchat_noticed",
    "Web chat pages open here pushed a message another process kept (PostgreSQL's NOTIFY)",
    registry=REGISTRY,
)
RATE_LIMITED = Counter(
    "colbot_telegram_429",
    "Times Telegram said to slow down (429 Too Many Requests)",
    registry=REGISTRY,
)
BLOCKED = Counter(
    "colbot_telegram_403",
    "Times Telegram refused a message because the person blocked the bot (403 Forbidden)",
    registry=REGISTRY,
)
ERRORS = Counter(
    "colbot_errors",
    "Errors logged by this process, by logger",
    ["logger"],
    registry=REGISTRY,
)
OUTBOX_DEPTH = Gauge(
    "colbot_outbox_pending", "Messages waiting in the outbox, all processes", registry=REGISTRY
)
REDEMPTIONS = Gauge(
    "colbot_redemptions", "Completion codes redeemed, ever, all processes", registry=REGISTRY
)
BADGES_ISSUED = Gauge(
    "colbot_badges_issued", "Badges issued, ever, all processes", registry=REGISTRY
)


class ErrorCounter(logging.Handler):
    """Counts every ERROR (and worse) log record, so that errors show on the dashboard."""

    def __init__(self) -> None:
        super().__init__(level=logging.ERROR)

    def emit(self, record: logging.LogRecord) -> None:
        ERRORS.labels(record.name).inc()


def count_logged_errors() -> None:
    """Installs the error counter on the root logger, once."""
    root = logging.getLogger()
    if not any(isinstance(handler, ErrorCounter) for handler in root.handlers):
        root.addHandler(ErrorCounter())
