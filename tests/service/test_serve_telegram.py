"""`colbot serve` as a real process talking to the Bot API double, by polling and by webhook."""

from __future__ import annotations

import asyncio
import signal
from pathlib import Path

import pytest

from tests.doubles.telegram import TelegramDouble
from tests.support.demo import free_port
from tests.support.process import colbot_env, start_colbot, wait_healthy


@pytest.mark.parametrize(
    ("mode", "stop_with"), [("polling", signal.SIGINT), ("webhook", signal.SIGTERM)]
)
async def test_serve_holds_a_conversation_and_survives_a_restart(
    tmp_path: Path, mode: str, stop_with: signal.Signals
) -> None:
    port = free_port()
    async with TelegramDouble() as double:
        settings = {
            "COLBOT_PORT": str(port),
            "COLBOT_PUBLIC_URL": f"http://127.0.0.1:{port}",
            "COLBOT_TELEGRAM_TOKEN": double.token,
            "COLBOT_TELEGRAM_API_URL": double.base_url,
        }
        if mode == "webhook":
            settings["COLBOT_WEBHOOK_SECRET"] = "e2e-secret"
        env = colbot_env(tmp_path / "data", settings)
        process = await start_colbot("serve", "--demo", env=env)
        await wait_healthy(port, process)
        if mode == "webhook":  # the web server answers a moment before setWebhook is called
            for _ in range(100):
                if double.webhook.url:
                    break
                await asyncio.sleep(0.1)
            assert double.webhook.url == f"http://127.0.0.1:{port}/telegram/webhook"
        ada = double.person("Ada")
        replies = await ada.ask("/start", timeout=15)
        assert "I'm colbot" in replies[0].text
        await ada.replies_to(ada.press("Yes, that's OK"))
        process.send_signal(stop_with)
        _, stderr = await asyncio.wait_for(process.communicate(), 30)
        assert process.returncode == 0, stderr.decode()
        assert "stopped cleanly" in stderr.decode()
        restarted = await start_colbot("serve", env=env)
        await wait_healthy(port, restarted)
        replies = await ada.ask("17", timeout=15)
        assert "What should I call you" in replies[-1].text
        restarted.send_signal(signal.SIGTERM)
        await asyncio.wait_for(restarted.communicate(), 30)
        assert restarted.returncode == 0
