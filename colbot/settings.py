"""One settings object, read once from the environment and an optional TOML file."""

from __future__ import annotations

import os
import re
import tomllib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from colbot.codes.window import DEFAULT_CODE_EARLY
from colbot.delivery.pacing import DEFAULT_SEND_RATE
from colbot.domain.internal_hosts import InternalHosts, parse_internal_hosts
from colbot.domain.quiet_hours import DEFAULT_QUIET_HOURS, QuietHours, parse_quiet_hours
from colbot.outreach.leads import DEFAULT_REMINDER_LEADS, Lead, parse_leads
from colbot.retention.schedule import Retention
from colbot.web.ratelimit import Networks, parse_networks

DEFAULT_FEEDS_POLL_INTERVAL = timedelta(hours=1)

DEFAULT_TELEGRAM_API_URL = "https://api.telegram.org/bot"
MAX_CODE_EARLY_MINUTES = 24 * 60
MAX_RETENTION_DAYS = 10 * 366
MAX_BACKUPS_KEPT = 1000
# How /explore shows its ideas: five card messages, or one message turned with ◀ ▶.
EXPLORE_LAYOUTS = ("cards", "paged")
# The event loop `colbot serve` runs on: uvloop where installed (the web chat's 1,000 sockets
# answered several times faster), or Python's own.
EVENT_LOOPS = ("uvloop", "asyncio")


class SettingsError(ValueError):
    """A setting has a bad value; the message is one line naming it."""


@dataclass(frozen=True)
class Settings:
    """Everything colbot can be told at start, validated."""

    telegram_token: str | None = None
    telegram_api_url: str = DEFAULT_TELEGRAM_API_URL
    database_url: str | None = None
    data_dir: Path = Path("colbot-data")
    public_url: str = "http://127.0.0.1:8080"
    host: str = "127.0.0.1"
    port: int = 8080
    webhook_secret: str | None = None
    timezone: ZoneInfo = field(default_factory=lambda: ZoneInfo("Europe/London"))
    admins: frozenset[int] = frozenset()
    city: str = "kensalfield"
    language: str = "en"
    telegram_min_age: int = 16
    log_level: str = "INFO"
    log_format: str = "text"
    reminder_leads: tuple[Lead, ...] = field(
        default_factory=lambda: parse_leads(DEFAULT_REMINDER_LEADS)
    )
    quiet_hours: QuietHours | None = field(
        default_factory=lambda: parse_quiet_hours(DEFAULT_QUIET_HOURS)
    )
    send_rate: int = DEFAULT_SEND_RATE
    code_early: timedelta = DEFAULT_CODE_EARLY
    explore_layout: str = EXPLORE_LAYOUTS[0]
    event_loop: str = EVENT_LOOPS[0]
    # smtp://user:password@host:port (STARTTLS when offered) or smtps:// (TLS from the start).
    smtp_url: str | None = None
    smtp_from: str | None = None
    # Never fetched by badge checks, on top of loopback, private and link-local addresses.
    internal_hosts: InternalHosts = field(default_factory=InternalHosts)
    # Reverse proxies (deploy/Caddyfile) whose X-Forwarded-For names the young person's address.
    trusted_proxies: Networks = ()
    # How often each followed feed or calendar is read; and whether private addresses may be.
    feeds_poll_interval: timedelta = DEFAULT_FEEDS_POLL_INTERVAL
    feeds_allow_private: bool = False
    # How long each kind of personal data is kept (COLBOT_RETENTION_*), and backups' folder.
    retention: Retention = field(default_factory=Retention)
    backup_dir: Path | None = None

    @property
    def resolved_backup_dir(self) -> Path:
        """Where `colbot db backup` writes, and the retention job prunes: data_dir/backups."""
        return self.backup_dir or self.data_dir / "backups"

    @property
    def resolved_database_url(self) -> str:
        """The database URL, defaulting to a SQLite file in the data directory."""
        if self.database_url:
            return self.database_url
        return f"sqlite+aiosqlite:///{(self.data_dir / 'colbot.sqlite3').resolve()}"

    @property
    def webhook_url(self) -> str:
        """Where Telegram posts updates in webhook mode."""
        return f"{self.public_url}/telegram/webhook"

    @property
    def uses_webhook(self) -> bool:
        """Webhook mode is on when a secret is set, so that unsigned calls can be refused."""
        return bool(self.webhook_secret)


def _smtp_url(name: str, raw: str) -> str:
    value = _text(name, raw)
    parts = urlsplit(value)
    if parts.scheme not in {"smtp", "smtps"} or not parts.hostname:
        raise SettingsError(
            f"{name} must look like smtp://user:password@mail.example.org:587 (or smtps://), "
            f"not {value.split('@')[-1]!r}"
        )
    return value


def _email(name: str, raw: str) -> str:
    value = _text(name, raw)
    if value.count("@") != 1 or " " in value:
        raise SettingsError(f"{name} must be an email address, not {value!r}")
    return value


def _text(name: str, raw: str) -> str:
    value = raw.strip()
    if not value:
        raise SettingsError(f"{name} is empty; unset it or give it a value")
    return value


def _http_url(name: str, raw: str) -> str:
    value = _text(name, raw).rstrip("/")
    parts = urlsplit(value)
    if parts.scheme not in {"http", "https"} or not parts.netloc:
        raise SettingsError(
            f"{name} must be an http(s) URL such as https://colbot.example.org, not {raw!r}"
        )
    return value


def _api_url(name: str, raw: str) -> str:
    value = raw.strip()
    parts = urlsplit(value)
    if parts.scheme not in {"http", "https"} or not parts.netloc:
        raise SettingsError(
            f"{name} must be an http(s) URL such as http://127.0.0.1:8081/bot, not {raw!r}"
        )
    return value


def _port(name: str, raw: str) -> int:
    try:
        port = int(raw)
    except ValueError:
        raise SettingsError(f"{name} must be a whole number from 1 to 65535, not {raw!r}") from None
    if not 1 <= port <= 65535:
        raise SettingsError(f"{name} must be a whole number from 1 to 65535, not {raw!r}")
    return port


def _age(name: str, raw: str) -> int:
    try:
        age = int(raw)
    except ValueError:
        raise SettingsError(f"{name} must be an age in years, such as 16, not {raw!r}") from None
    if not 13 <= age <= 19:
        raise SettingsError(f"{name} must be between 13 and 19, not {raw!r}")
    return age


def _timezone(name: str, raw: str) -> ZoneInfo:
    try:
        return ZoneInfo(raw.strip())
    except (ZoneInfoNotFoundError, ValueError):
        raise SettingsError(
            f"{name} must be an IANA time zone such as Europe/London, not {raw!r}"
        ) from None


def _admins(name: str, raw: str) -> frozenset[int]:
    ids: set[int] = set()
    for part in raw.replace(" ", "").split(","):
        if not part:
            continue
        if not part.isdigit():
            raise SettingsError(
                f"{name} must be Telegram user ids separated by commas, such as 1234,5678; "
                f"{part!r} is not one"
            )
        ids.add(int(part))
    return frozenset(ids)


def _token(name: str, raw: str) -> str:
    value = _text(name, raw)
    bot_id, _, secret = value.partition(":")
    if not bot_id.isdigit() or not secret:
        raise SettingsError(
            f"{name} does not look like a bot token from @BotFather (digits, a colon, then letters)"
        )
    return value


def _secret(name: str, raw: str) -> str:
    value = _text(name, raw)
    allowed = set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-")
    if not 1 <= len(value) <= 256 or not set(value) <= allowed:
        raise SettingsError(
            f"{name} must be 1-256 characters of A-Z, a-z, 0-9, _ and - "
            "(Telegram's rule for secret tokens)"
        )
    return value


def _database_url(name: str, raw: str) -> str:
    value = _text(name, raw)
    if "+" not in value.split(":", 1)[0]:
        raise SettingsError(
            f"{name} must name an async driver, such as "
            "sqlite+aiosqlite:///colbot.sqlite3 or postgresql+asyncpg://..."
        )
    return value


def _log_level(name: str, raw: str) -> str:
    value = raw.strip().upper()
    if value not in {"DEBUG", "INFO", "WARNING", "ERROR"}:
        raise SettingsError(f"{name} must be one of DEBUG, INFO, WARNING, ERROR, not {raw!r}")
    return value


def _log_format(name: str, raw: str) -> str:
    value = raw.strip().lower()
    if value not in {"text", "json"}:
        raise SettingsError(f"{name} must be text or json, not {raw!r}")
    return value


def _explore_layout(name: str, raw: str) -> str:
    value = raw.strip().lower()
    if value not in EXPLORE_LAYOUTS:
        raise SettingsError(f"{name} must be {' or '.join(EXPLORE_LAYOUTS)}, not {raw!r}")
    return value


def _event_loop(name: str, raw: str) -> str:
    value = raw.strip().lower()
    if value not in EVENT_LOOPS:
        raise SettingsError(f"{name} must be {' or '.join(EVENT_LOOPS)}, not {raw!r}")
    return value


def _slug(name: str, raw: str) -> str:
    value = _text(name, raw)
    if not value.replace("-", "").replace("_", "").isalnum():
        raise SettingsError(f"{name} must be a plain name such as kensalfield, not {raw!r}")
    return value


def _leads(name: str, raw: str) -> tuple[Lead, ...]:
    try:
        return parse_leads(raw)
    except ValueError:
        raise SettingsError(
            f"{name} must be lead times with units s, m, h or d and an optional time of day, "
            f"such as 1d@17:00,2h, not {raw!r}"
        ) from None


def _quiet_hours(name: str, raw: str) -> QuietHours | None:
    try:
        return parse_quiet_hours(raw)
    except ValueError:
        raise SettingsError(
            f"{name} must be a time range such as 21:00-08:00, or empty for none, not {raw!r}"
        ) from None


def _send_rate(name: str, raw: str) -> int:
    if not raw.strip().isdigit() or not 0 <= int(raw) <= 30:
        raise SettingsError(
            f"{name} must be messages a second from 1 to 30 (0 lifts the limit), not {raw!r}"
        )
    return int(raw)


def _internal_hosts(name: str, raw: str) -> InternalHosts:
    try:
        return parse_internal_hosts(raw)
    except ValueError as error:
        raise SettingsError(
            f"{name} must be hostnames and networks separated by commas, such as "
            f"db.internal,10.0.0.0/8; {error}"
        ) from None


def _trusted_proxies(name: str, raw: str) -> Networks:
    try:
        return parse_networks(raw)
    except ValueError as error:
        raise SettingsError(
            f"{name} must be addresses and networks separated by commas, such as "
            f"127.0.0.1,10.0.0.0/8; {error}"
        ) from None


_SPAN = re.compile(r"(\d+)([smh])")
_SPAN_UNITS = {"s": "seconds", "m": "minutes", "h": "hours"}


def _poll_interval(name: str, raw: str) -> timedelta:
    match = _SPAN.fullmatch(raw.strip().lower())
    if match is None or int(match[1]) == 0:
        raise SettingsError(
            f"{name} must be a time with the unit s, m or h, such as 20s, 15m or 1h, not {raw!r}"
        )
    return timedelta(**{_SPAN_UNITS[match[2]]: int(match[1])})


ALLOWED = frozenset({"1", "true", "yes", "on"})
NOT_ALLOWED = frozenset({"0", "false", "no", "off", ""})


def _allow(name: str, raw: str) -> bool:
    value = raw.strip().lower()
    if value not in ALLOWED | NOT_ALLOWED:
        raise SettingsError(f"{name} must be 1 (allowed) or 0 (not allowed), not {raw!r}")
    return value in ALLOWED


def _code_early(name: str, raw: str) -> timedelta:
    value = raw.strip()
    if not (value.isascii() and value.isdigit()) or int(value) > MAX_CODE_EARLY_MINUTES:
        raise SettingsError(
            f"{name} must be minutes before a session starts, from 0 to "
            f"{MAX_CODE_EARLY_MINUTES}, such as 30, not {raw!r}"
        )
    return timedelta(minutes=int(value))


def _days(name: str, raw: str) -> timedelta:
    value = raw.strip().lower().removesuffix("d")
    if not (value.isascii() and value.isdigit()) or not 1 <= int(value) <= MAX_RETENTION_DAYS:
        raise SettingsError(
            f"{name} must be a number of days from 1 to {MAX_RETENTION_DAYS}, such as 30 or 30d, "
            f"not {raw!r}"
        )
    return timedelta(days=int(value))


def _count(name: str, raw: str) -> int:
    value = raw.strip()
    if not (value.isascii() and value.isdigit()) or not 1 <= int(value) <= MAX_BACKUPS_KEPT:
        raise SettingsError(
            f"{name} must be a whole number from 1 to {MAX_BACKUPS_KEPT}, not {raw!r}"
        )
    return int(value)


# COLBOT_RETENTION_* setting -> the Retention field it sets.
_RETENTION: dict[str, tuple[str, Callable[[str, str], Any]]] = {
    "COLBOT_RETENTION_INACTIVE": ("inactive", _days),
    "COLBOT_RETENTION_WARNING": ("warning", _days),
    "COLBOT_RETENTION_OUTBOX": ("outbox", _days),
    "COLBOT_RETENTION_WEBCHAT": ("webchat", _days),
    "COLBOT_RETENTION_SIGN_IN_LINKS": ("sign_in_links", _days),
    "COLBOT_RETENTION_PERSONAL_LINKS": ("personal_links", _days),
    "COLBOT_RETENTION_AUDIT": ("audit", _days),
    "COLBOT_RETENTION_BACKUPS": ("backups", _days),
    "COLBOT_RETENTION_BACKUP_COUNT": ("backup_count", _count),
}


_PARSERS: dict[str, tuple[str, Callable[[str, str], Any]]] = {
    "COLBOT_TELEGRAM_TOKEN": ("telegram_token", _token),
    "COLBOT_TELEGRAM_API_URL": ("telegram_api_url", _api_url),
    "COLBOT_DATABASE_URL": ("database_url", _database_url),
    "COLBOT_DATA_DIR": ("data_dir", lambda name, raw: Path(_text(name, raw))),
    "COLBOT_PUBLIC_URL": ("public_url", _http_url),
    "COLBOT_HOST": ("host", _text),
    "COLBOT_PORT": ("port", _port),
    "COLBOT_WEBHOOK_SECRET": ("webhook_secret", _secret),
    "COLBOT_TIMEZONE": ("timezone", _timezone),
    "COLBOT_ADMINS": ("admins", _admins),
    "COLBOT_CITY": ("city", _slug),
    "COLBOT_LANGUAGE": ("language", _slug),
    "COLBOT_TELEGRAM_MIN_AGE": ("telegram_min_age", _age),
    "COLBOT_LOG_LEVEL": ("log_level", _log_level),
    "COLBOT_LOG_FORMAT": ("log_format", _log_format),
    "COLBOT_REMINDER_LEADS": ("reminder_leads", _leads),
    "COLBOT_QUIET_HOURS": ("quiet_hours", _quiet_hours),
    "COLBOT_SEND_RATE": ("send_rate", _send_rate),
    "COLBOT_CODE_EARLY": ("code_early", _code_early),
    "COLBOT_EXPLORE_LAYOUT": ("explore_layout", _explore_layout),
    "COLBOT_EVENT_LOOP": ("event_loop", _event_loop),
    "COLBOT_SMTP_URL": ("smtp_url", _smtp_url),
    "COLBOT_SMTP_FROM": ("smtp_from", _email),
    "COLBOT_INTERNAL_HOSTS": ("internal_hosts", _internal_hosts),
    "COLBOT_TRUSTED_PROXIES": ("trusted_proxies", _trusted_proxies),
    "COLBOT_FEEDS_POLL_INTERVAL": ("feeds_poll_interval", _poll_interval),
    "COLBOT_FEEDS_ALLOW_PRIVATE": ("feeds_allow_private", _allow),
    "COLBOT_BACKUP_DIR": ("backup_dir", lambda name, raw: Path(_text(name, raw))),
    **_RETENTION,
}

SETTING_NAMES = tuple(_PARSERS)


def _from_toml(path: Path) -> dict[str, str]:
    """Reads settings from TOML, keyed either COLBOT_PORT or port."""
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise SettingsError(f"COLBOT_CONFIG names {path}, which does not exist") from None
    except tomllib.TOMLDecodeError as exc:
        raise SettingsError(f"COLBOT_CONFIG file {path} is not valid TOML: {exc}") from None
    by_field = {field_name: env for env, (field_name, _) in _PARSERS.items()}
    values: dict[str, str] = {}
    for key, value in data.items():
        env_name = key if key in _PARSERS else by_field.get(key)
        if env_name is None:
            raise SettingsError(f"COLBOT_CONFIG file {path} has an unknown setting {key!r}")
        if isinstance(value, list):
            value = ",".join(str(item) for item in value)
        values[env_name] = str(value)
    return values


def _retention(kept: dict[str, Any]) -> Retention:
    retention = Retention(**kept)
    if retention.warning >= retention.inactive:
        raise SettingsError(
            "COLBOT_RETENTION_WARNING must be shorter than COLBOT_RETENTION_INACTIVE: the notice "
            "comes that long before a quiet profile is deleted"
        )
    return retention


def load_settings(environ: Mapping[str, str] | None = None, **overrides: Any) -> Settings:
    """Builds settings from a TOML file (if COLBOT_CONFIG names one), then the environment."""
    env = dict(os.environ if environ is None else environ)
    raw: dict[str, str] = {}
    config_path = env.get("COLBOT_CONFIG", "").strip()
    if config_path:
        raw.update(_from_toml(Path(config_path)))
    raw.update({name: value for name, value in env.items() if name in _PARSERS})
    values: dict[str, Any] = {}
    kept: dict[str, Any] = {}
    for env_name, value in raw.items():
        field_name, parse = _PARSERS[env_name]
        if env_name == "COLBOT_TELEGRAM_TOKEN" and not value.strip():
            continue
        (kept if env_name in _RETENTION else values)[field_name] = parse(env_name, value)
    if kept:
        values["retention"] = _retention(kept)
    values.update(overrides)
    if "public_url" not in values and "port" in values:
        # Unless told otherwise, the links colbot hands out point at the port it listens on.
        values["public_url"] = f"http://127.0.0.1:{values['port']}"
    return Settings(**values)
