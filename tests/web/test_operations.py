"""What an operator sees: /healthz, /readyz, /metrics and JSON logs, on either database."""

from __future__ import annotations

import json
import logging
from pathlib import Path

from aiohttp.test_utils import TestClient

from colbot.app import Colbot, build_app
from colbot.clock import FrozenClock
from colbot.logs import JsonFormatter
from colbot.settings import Settings
from colbot.team import store as team
from tests.doubles.telegram import TelegramDouble
from tests.support.demo import copy_demo
from tests.support.telegram_app import telegram_settings


async def test_ready_when_the_database_is_current_and_telegram_is_off(
    colbot: Colbot, aiohttp_client: type[TestClient]
) -> None:
    client = await aiohttp_client(colbot.web_app)  # type: ignore[operator]
    assert (await client.get("/healthz")).status == 200
    response = await client.get("/readyz")
    assert response.status == 200
    body = await response.json()
    assert body["status"] == "ready"
    assert {k: v for k, v in body["checks"].items() if k != "safeguarding"} == {
        "database": "ok",
        "migrations": "ok",
        "telegram": "off",
    }
    # With no admin and no mail server, a call for help alerts nobody: a warning, not a failure.
    assert body["checks"]["safeguarding"].startswith("warning: no city admin")


async def test_ready_says_nothing_of_safeguarding_once_an_admin_can_be_reached(
    colbot: Colbot, aiohttp_client: type[TestClient]
) -> None:
    async with colbot.database.transaction() as session:
        payload = await team.create_invite(session, "Sam", colbot.clock.now(), "test")
        await team.accept_invite(session, payload, "webchat", "device-1", colbot.clock.now())
    client = await aiohttp_client(colbot.web_app)  # type: ignore[operator]
    body = await (await client.get("/readyz")).json()
    assert "safeguarding" not in body["checks"] and body["status"] == "ready"


async def test_not_ready_before_the_migrations(
    settings: Settings, clock: FrozenClock, aiohttp_client: type[TestClient]
) -> None:
    app = build_app(settings, clock=clock)
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    client = await aiohttp_client(app.web_app)  # type: ignore[operator]
    response = await client.get("/readyz")
    assert response.status == 503
    assert (await response.json())["checks"]["migrations"].startswith("behind")
    await app.database.dispose()


async def test_metrics_are_in_prometheus_text_format(
    colbot: Colbot, aiohttp_client: type[TestClient]
) -> None:
    client = await aiohttp_client(colbot.web_app)  # type: ignore[operator]
    response = await client.get("/metrics")
    assert response.status == 200
    assert response.headers["Content-Type"].startswith("text/plain; version=0.0.4")
    body = await response.text()
    for name in (
        "colbot_updates_handled_total",
        "colbot_update_seconds",
        "colbot_messages_sent_total",
        "colbot_telegram_429_total",
        "colbot_telegram_403_total",
        "colbot_errors_total",
        "colbot_outbox_pending",
        "colbot_redemptions",
        "colbot_badges_issued",
    ):
        assert f"# TYPE {name} " in body, name
    assert "colbot_redemptions 0.0" in body


def test_a_json_log_line_is_one_object_with_the_extras() -> None:
    record = logging.LogRecord("colbot.x", logging.WARNING, __file__, 1, "sent %d", (3,), None)
    record.chat = "42"
    line = JsonFormatter().format(record)
    entry = json.loads(line)
    assert entry["level"] == "WARNING" and entry["logger"] == "colbot.x"
    assert entry["message"] == "sent 3" and entry["chat"] == "42"
    assert "\n" not in line


async def test_ready_only_while_telegram_answers(
    settings: Settings, clock: FrozenClock, demo_database: Path, aiohttp_client: type[TestClient]
) -> None:
    copy_demo(settings.data_dir, demo_database)
    async with TelegramDouble() as double:
        app = build_app(telegram_settings(double, settings.data_dir, "polling"), clock=clock)
        await app.prepare()
        assert app.telegram is not None
        await app.telegram.application.initialize()
        try:
            client = await aiohttp_client(app.web_app)  # type: ignore[operator]
            response = await client.get("/readyz")
            assert response.status == 200
            assert (await response.json())["checks"]["telegram"] == "ok"
            double.fail_next("getMe", 502)
            response = await client.get("/readyz")
            assert response.status == 503
            checks = (await response.json())["checks"]
            assert checks["telegram"].startswith("unreachable") and checks["database"] == "ok"
        finally:
            await app.telegram.application.shutdown()
            await app.database.dispose()
