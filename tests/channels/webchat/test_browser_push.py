"""Web Push in a real headless Chromium: asked only on a tap, and the worker shows what arrives.

Chromium's own push service (Google's) can't be reached from here, so subscribing fails and the
page must say so kindly. A push is then delivered to colbot's service worker through the
DevTools protocol (`ServiceWorker.deliverPushMessage`), as Chromium does with one that arrived.
"""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any

from colbot.app import Colbot
from tests.support.chromium import (
    ARTEFACTS,
    CHROMIUM,
    CHROMIUM_ARGS,
    PHONE,
    WAIT_MS,
    playwright_api,
)

NOTIFICATIONS = """
async () => {
  const registration = await navigator.serviceWorker.getRegistration("/chat");
  if (!registration) { return null; }
  const shown = await registration.getNotifications();
  return shown.map((n) => ({ title: n.title, body: n.body, tag: n.tag, url: n.data.url }));
}
"""


async def _registration_id(cdp: Any, scope: str) -> str:
    """The worker's registration id, as DevTools reports it."""
    found: asyncio.Future[str] = asyncio.get_running_loop().create_future()

    def seen(event: dict[str, Any]) -> None:
        for registration in event["registrations"]:
            if registration["scopeURL"] == scope and not found.done():
                found.set_result(registration["registrationId"])

    cdp.on("ServiceWorker.workerRegistrationUpdated", seen)
    await cdp.send("ServiceWorker.enable")
    return await asyncio.wait_for(found, WAIT_MS / 1000)


async def test_notifications_are_asked_for_on_a_tap_and_shown_by_the_worker(
    serving_colbot: Colbot,
) -> None:
    base = serving_colbot.settings.public_url
    async with playwright_api.async_playwright() as driver:
        browser = await driver.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            context = await browser.new_context(viewport=PHONE)
            await context.grant_permissions(["notifications"], origin=base)
            page = await context.new_page()
            errors: list[str] = []
            page.on("pageerror", lambda error: errors.append(str(error)))
            await page.goto(f"{base}/chat")
            await page.locator(".bubble.bot").first.wait_for(timeout=WAIT_MS)
            button = page.locator("#notify")
            await button.wait_for(state="visible", timeout=WAIT_MS)
            assert "Get reminders on this phone" in await button.inner_text()
            # Nothing was asked before the tap: no worker, no subscription.
            assert await page.evaluate(NOTIFICATIONS) is None

            await button.click()
            status = page.locator("#notify-status")
            await status.filter(has_text="notifications").wait_for(timeout=WAIT_MS)
            said = await status.inner_text()
            # No push service answers here, so subscribing fails and the page says what happens.
            assert "what I send will wait for you here in the chat" in said, said
            await page.screenshot(path=str(_artefact("webchat-notifications-360.png")))

            cdp = await context.new_cdp_session(page)
            registration = await _registration_id(cdp, f"{base}/chat")
            await page.goto(f"{base}/healthz")  # the chat is not on screen when the push comes
            message = {
                "title": "Kensalfield City of Learning",
                "body": "⏰ Coming up: Robot club",
                "url": f"{base}/chat",
                "tag": "colbot",
            }
            await cdp.send(
                "ServiceWorker.deliverPushMessage",
                {"origin": base, "registrationId": registration, "data": json.dumps(message)},
            )
            await page.goto(f"{base}/chat")
            shown: list[dict[str, str]] = []
            for _ in range(100):
                shown = await page.evaluate(NOTIFICATIONS) or []
                if shown:
                    break
                await asyncio.sleep(0.1)
            assert shown == [message]
            assert errors == []
        finally:
            await browser.close()


def _artefact(name: str) -> Path:
    ARTEFACTS.mkdir(exist_ok=True)
    return ARTEFACTS / name
