"""Settings: defaults, the environment, TOML, and one clear line for every bad value."""

from datetime import timedelta
from pathlib import Path

import pytest

from colbot.settings import SETTING_NAMES, SettingsError, load_settings

README = Path(__file__).resolve().parents[1] / "README.md"


def test_defaults_need_nothing() -> None:
    settings = load_settings({})
    assert settings.telegram_token is None
    assert settings.telegram_api_url == "https://api.telegram.org/bot"
    assert settings.public_url == "http://127.0.0.1:8080"
    assert (settings.host, settings.port) == ("127.0.0.1", 8080)
    assert settings.data_dir == Path("colbot-data")
    assert settings.timezone.key == "Europe/London"
    assert settings.admins == frozenset()
    assert settings.code_early == timedelta(minutes=30)
    assert settings.uses_webhook is False
    assert settings.resolved_database_url.startswith("sqlite+aiosqlite:///")
    assert settings.resolved_database_url.endswith("colbot-data/colbot.sqlite3")


def test_every_contract_variable_is_read() -> None:
    env = {
        "COLBOT_TELEGRAM_TOKEN": "123456:ABC-def",
        "COLBOT_TELEGRAM_API_URL": "http://127.0.0.1:8081/bot",
        "COLBOT_DATABASE_URL": "sqlite+aiosqlite:////tmp/x.sqlite3",
        "COLBOT_DATA_DIR": "/tmp/colbot-test",
        "COLBOT_PUBLIC_URL": "https://colbot.example.org/",
        "COLBOT_HOST": "0.0.0.0",
        "COLBOT_PORT": "9000",
        "COLBOT_WEBHOOK_SECRET": "s3cret_token-1",
        "COLBOT_TIMEZONE": "Europe/Paris",
        "COLBOT_ADMINS": "11, 22,33",
        "COLBOT_CODE_EARLY": " 45 ",
        "COLBOT_EXPLORE_LAYOUT": " Paged ",
    }
    settings = load_settings(env)
    assert settings.telegram_token == "123456:ABC-def"
    assert settings.telegram_api_url == "http://127.0.0.1:8081/bot"
    assert settings.resolved_database_url == "sqlite+aiosqlite:////tmp/x.sqlite3"
    assert settings.data_dir == Path("/tmp/colbot-test")
    assert settings.public_url == "https://colbot.example.org"
    assert settings.webhook_url == "https://colbot.example.org/telegram/webhook"
    assert (settings.host, settings.port) == ("0.0.0.0", 9000)
    assert settings.uses_webhook
    assert settings.timezone.key == "Europe/Paris"
    assert settings.admins == frozenset({11, 22, 33})
    assert settings.code_early == timedelta(minutes=45)
    assert settings.explore_layout == "paged"
    assert set(env) <= set(SETTING_NAMES)


def test_toml_file_is_read_and_environment_wins(tmp_path: Path) -> None:
    config = tmp_path / "colbot.toml"
    config.write_text('port = 9100\nCOLBOT_HOST = "0.0.0.0"\nadmins = [1, 2]\n')
    settings = load_settings({"COLBOT_CONFIG": str(config), "COLBOT_HOST": "127.0.0.2"})
    assert settings.port == 9100
    assert settings.host == "127.0.0.2"
    assert settings.admins == frozenset({1, 2})


@pytest.mark.parametrize(
    ("name", "value", "says"),
    [
        ("COLBOT_PORT", "eighty", "whole number"),
        ("COLBOT_PORT", "70000", "1 to 65535"),
        ("COLBOT_PUBLIC_URL", "colbot.example.org", "http(s) URL"),
        ("COLBOT_TELEGRAM_API_URL", "ftp://x", "http(s) URL"),
        ("COLBOT_TIMEZONE", "Mars/Olympus", "IANA time zone"),
        ("COLBOT_ADMINS", "12,abc", "'abc' is not one"),
        ("COLBOT_TELEGRAM_TOKEN", "not-a-token", "@BotFather"),
        ("COLBOT_WEBHOOK_SECRET", "has spaces!", "A-Z"),
        ("COLBOT_DATABASE_URL", "sqlite:///x.db", "async driver"),
        ("COLBOT_TELEGRAM_MIN_AGE", "9", "between 13 and 19"),
        ("COLBOT_INTERNAL_HOSTS", "db.internal,two words", "'two words' is neither"),
        ("COLBOT_CODE_EARLY", "30m", "minutes before a session starts"),
        ("COLBOT_CODE_EARLY", "1441", "from 0 to 1440"),
        ("COLBOT_CODE_EARLY", "-5", "such as 30"),
        ("COLBOT_EXPLORE_LAYOUT", "carousel", "cards or paged"),
        ("COLBOT_EVENT_LOOP", "trio", "uvloop or asyncio"),
    ],
)
def test_a_bad_value_is_one_line_naming_the_setting(name: str, value: str, says: str) -> None:
    with pytest.raises(SettingsError) as caught:
        load_settings({name: value})
    message = str(caught.value)
    assert message.startswith(name)
    assert says in message
    assert "\n" not in message


def test_bad_toml_is_named(tmp_path: Path) -> None:
    config = tmp_path / "bad.toml"
    config.write_text("port = = 1")
    with pytest.raises(SettingsError, match="not valid TOML"):
        load_settings({"COLBOT_CONFIG": str(config)})
    config.write_text("colour = 'blue'")
    with pytest.raises(SettingsError, match="unknown setting 'colour'"):
        load_settings({"COLBOT_CONFIG": str(config)})
    with pytest.raises(SettingsError, match="does not exist"):
        load_settings({"COLBOT_CONFIG": str(tmp_path / "missing.toml")})


def test_an_empty_token_means_telegram_is_off() -> None:
    assert load_settings({"COLBOT_TELEGRAM_TOKEN": "  "}).telegram_token is None


def test_internal_hosts_are_names_and_networks_from_the_environment_or_toml(
    tmp_path: Path,
) -> None:
    assert not load_settings({}).internal_hosts.covers("10.1.2.3")
    settings = load_settings({"COLBOT_INTERNAL_HOSTS": "db.internal, 10.0.0.0/8"})
    assert settings.internal_hosts.covers("10.1.2.3")
    assert settings.internal_hosts.covers("replica.db.internal")
    config = tmp_path / "colbot.toml"
    config.write_text('internal_hosts = ["vault.corp", "192.0.2.0/24"]\n')
    from_toml = load_settings({"COLBOT_CONFIG": str(config)}).internal_hosts
    assert from_toml.covers("vault.corp") and from_toml.covers("192.0.2.9")


def test_every_setting_is_in_the_readmes_table() -> None:
    lines = README.read_text(encoding="utf-8").splitlines()
    rows = [line for line in lines if line.startswith("|")]
    missing = [name for name in SETTING_NAMES if not any(f"`{name}`" in row for row in rows)]
    assert missing == []


def test_links_follow_the_port_unless_a_public_url_is_set() -> None:
    assert load_settings({"COLBOT_PORT": "8099"}).public_url == "http://127.0.0.1:8099"
    both = {"COLBOT_PORT": "8099", "COLBOT_PUBLIC_URL": "https://colbot.example.org"}
    assert load_settings(both).public_url == "https://colbot.example.org"
    assert load_settings({}).public_url == "http://127.0.0.1:8080"


@pytest.mark.parametrize(
    ("raw", "every"),
    [
        ("20s", timedelta(seconds=20)),
        ("15m", timedelta(minutes=15)),
        ("1h", timedelta(hours=1)),
        (" 2H ", timedelta(hours=2)),
    ],
)
def test_the_feed_poll_interval_takes_seconds_minutes_or_hours(raw: str, every: timedelta) -> None:
    assert load_settings({"COLBOT_FEEDS_POLL_INTERVAL": raw}).feeds_poll_interval == every


def test_the_feed_poll_interval_is_an_hour_unless_set() -> None:
    assert load_settings({}).feeds_poll_interval == timedelta(hours=1)


@pytest.mark.parametrize("raw", ["0s", "1d", "15", "1h30m", "-5m", "an hour", "1.5h"])
def test_a_bad_feed_poll_interval_gets_a_kind_error(raw: str) -> None:
    with pytest.raises(SettingsError) as refused:
        load_settings({"COLBOT_FEEDS_POLL_INTERVAL": raw})
    said = str(refused.value)
    assert said.startswith("COLBOT_FEEDS_POLL_INTERVAL must be a time with the unit s, m or h")
    assert "such as 20s, 15m or 1h" in said and repr(raw) in said and "\n" not in said


@pytest.mark.parametrize(
    ("raw", "allowed"),
    [("1", True), ("true", True), (" Yes ", True), ("on", True), ("0", False), ("", False),
     ("false", False), ("no", False), ("OFF", False)],
)  # fmt: skip
def test_private_feeds_are_allowed_only_when_said(raw: str, allowed: bool) -> None:
    settings = load_settings({"COLBOT_FEEDS_ALLOW_PRIVATE": raw})
    assert settings.feeds_allow_private is allowed
    assert load_settings({}).feeds_allow_private is False


@pytest.mark.parametrize("raw", ["2", "maybe", "allow", "1 1"])
def test_a_bad_allow_private_value_gets_a_kind_error(raw: str) -> None:
    with pytest.raises(SettingsError) as refused:
        load_settings({"COLBOT_FEEDS_ALLOW_PRIVATE": raw})
    said = str(refused.value)
    assert said.startswith("COLBOT_FEEDS_ALLOW_PRIVATE must be 1 (allowed) or 0 (not allowed)")
    assert repr(raw) in said and "\n" not in said


def test_the_retention_schedule_has_the_readmes_defaults_and_reads_days() -> None:
    retention = load_settings({}).retention
    assert (retention.inactive, retention.warning) == (timedelta(days=365), timedelta(days=30))
    assert (retention.outbox, retention.webchat) == (timedelta(days=30), timedelta(days=30))
    assert (retention.sign_in_links, retention.personal_links) == (
        timedelta(days=7),
        timedelta(days=7),
    )
    assert retention.audit == timedelta(days=365)
    assert (retention.backups, retention.backup_count) == (timedelta(days=35), 14)
    assert load_settings({}, data_dir=Path("d")).resolved_backup_dir == Path("d") / "backups"
    changed = load_settings(
        {
            "COLBOT_RETENTION_INACTIVE": "730d",
            "COLBOT_RETENTION_WARNING": "14",
            "COLBOT_RETENTION_BACKUP_COUNT": "3",
            "COLBOT_BACKUP_DIR": "/srv/backups",
        }
    )
    assert changed.retention.inactive == timedelta(days=730)
    assert changed.retention.warning == timedelta(days=14)
    assert changed.retention.outbox == timedelta(days=30)  # the others keep their defaults
    assert changed.retention.backup_count == 3
    assert changed.resolved_backup_dir == Path("/srv/backups")


@pytest.mark.parametrize(
    ("env", "says"),
    [
        (
            {"COLBOT_RETENTION_OUTBOX": "a month"},
            "COLBOT_RETENTION_OUTBOX must be a number of days",
        ),
        ({"COLBOT_RETENTION_AUDIT": "0"}, "COLBOT_RETENTION_AUDIT must be a number of days"),
        ({"COLBOT_RETENTION_BACKUP_COUNT": "-1"}, "COLBOT_RETENTION_BACKUP_COUNT must be a whole"),
        (
            {"COLBOT_RETENTION_INACTIVE": "30", "COLBOT_RETENTION_WARNING": "30"},
            "COLBOT_RETENTION_WARNING must be shorter than COLBOT_RETENTION_INACTIVE",
        ),
    ],
)
def test_a_bad_retention_setting_is_one_line(env: dict[str, str], says: str) -> None:
    with pytest.raises(SettingsError, match=says):
        load_settings(env)
