"""Debian's Chromium for the web chat's browser tests, driven by Playwright, at phone size."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

REQUIRED = os.environ.get("COLBOT_BROWSER_TESTS") == "required"  # CI: fail, never skip
if REQUIRED:
    import playwright.async_api as playwright_api
else:
    playwright_api = pytest.importorskip("playwright.async_api")

CHROMIUM = Path("/usr/bin/chromium")


CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


ARTEFACTS = Path(__file__).resolve().parents[2] / "test-artefacts"


PHONE = {"width": 360, "height": 740}


WAIT_MS = 15_000
