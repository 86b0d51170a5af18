"""Pages in headless Chromium: what they requested and logged, axe's findings, screenshots."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from playwright.async_api import ConsoleMessage, Dialog, Page

REPOSITORY = Path(__file__).resolve().parents[2]
ARTEFACTS = REPOSITORY / "test-artefacts"


AXE = REPOSITORY / ".ci" / "node" / "node_modules" / "axe-core" / "axe.min.js"


AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"]


BLOCKING_IMPACTS = ("serious", "critical")


REQUIRED = "COLBOT_BROWSER_TESTS"


def _missing(what: Path, how: str) -> None:
    """Skips when a tool is absent, unless CI says the browser tests must run."""
    message = f"{what} is missing: {how}"
    if os.environ.get(REQUIRED) == "required":
        pytest.fail(message)
    pytest.skip(message)


@dataclass
class Watched:
    """A page and everything worrying it said: console errors, uncaught errors, dialogs."""

    page: Page
    errors: list[str] = field(default_factory=list)
    dialogs: list[str] = field(default_factory=list)

    def on_console(self, message: ConsoleMessage) -> None:
        if message.type == "error":
            self.errors.append(message.text)

    async def on_dialog(self, dialog: Dialog) -> None:
        self.dialogs.append(dialog.message)
        await dialog.dismiss()


async def watch(page: Page) -> Watched:
    """Starts listening to a page before it loads anything."""
    watched = Watched(page)
    page.on("console", watched.on_console)
    page.on("pageerror", lambda error: watched.errors.append(str(error)))
    page.on("dialog", watched.on_dialog)
    return watched


async def axe(page: Page) -> list[dict[str, Any]]:
    """Runs axe-core on the page; the serious and critical violations, with where they are."""
    if not AXE.exists():
        _missing(AXE, "npm install --prefix .ci/node axe-core@4")
    # Evaluated through the DevTools protocol, so the page's strict CSP needs no loosening.
    await page.evaluate(AXE.read_text(encoding="utf-8") + "\n;true")
    results = await page.evaluate(
        "async (tags) => await axe.run(document, {runOnly: {type: 'tag', values: tags}})",
        AXE_TAGS,
    )
    return [
        {
            "id": violation["id"],
            "impact": violation["impact"],
            "help": violation["help"],
            "where": [node["target"] for node in violation["nodes"]],
        }
        for violation in results["violations"]
        if violation["impact"] in BLOCKING_IMPACTS
    ]


async def screenshot(page: Page, name: str) -> Path:
    """Saves a full-page screenshot as a test artefact."""
    ARTEFACTS.mkdir(exist_ok=True)
    path = ARTEFACTS / f"{name}.png"
    await page.screenshot(path=str(path), full_page=True)
    return path


async def scrolls_sideways(page: Page) -> bool:
    """Whether the page is wider than the window."""
    return bool(
        await page.evaluate(
            "() => document.documentElement.scrollWidth > document.documentElement.clientWidth"
        )
    )
