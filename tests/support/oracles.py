"""The outside verifiers in .ci/oracles (Digital Bazaar's VC stack and jose), run under node.

`.ci/oracles/verify.mjs` reads one request on standard input and prints one JSON verdict a line;
it loads contexts only from its npm packages and fetches only from the origin it is given.
"""

from __future__ import annotations

import asyncio
import json
import os
import shutil
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

from colbot.openbadges.timestamps import to_xsd

REPOSITORY = Path(__file__).resolve().parents[2]
ORACLES = REPOSITORY / ".ci" / "oracles"
VERIFY = ORACLES / "verify.mjs"
INSTALL = "npm ci --prefix .ci/oracles"
REQUIRED = "COLBOT_ORACLES"  # CI sets it to "required": fail, never skip
ORACLE_TIMEOUT_S = 120

Check = dict[str, Any]
Verdict = dict[str, Any]


def installed_module(name: str) -> Path:
    """Where an npm package of the oracles is installed."""
    return ORACLES / "node_modules" / name


def _missing() -> str | None:
    """What keeps the oracles from running here, if anything."""
    if shutil.which("node") is None:
        return "node is not installed (Debian's nodejs package)"
    pinned: dict[str, str] = json.loads((ORACLES / "package.json").read_text())["dependencies"]
    for name, version in pinned.items():
        manifest = installed_module(name) / "package.json"
        if not manifest.is_file():
            return f"the npm package {name} is not installed: {INSTALL}"
        found = json.loads(manifest.read_text())["version"]
        if found != version:
            return f"{name} {found} is installed, package.json pins {version}: {INSTALL}"
    return None


def require_oracles() -> str:
    """node's path, with every pinned package in place; skips without them, unless CI says not."""
    problem = _missing()
    if problem is not None:
        if os.environ.get(REQUIRED) == "required":
            pytest.fail(problem)
        pytest.skip(problem)
    node = shutil.which("node")
    assert node is not None
    return node


@dataclass(frozen=True)
class Oracle:
    """verify.mjs aimed at one colbot server, verifying at one moment."""

    node: str
    origin: str
    now: datetime

    async def verdicts(self, checks: list[Check]) -> dict[str, Verdict]:
        """Each check's verdict, by the check's name."""
        request = {"origin": self.origin, "now": to_xsd(self.now), "checks": checks}
        process = await asyncio.create_subprocess_exec(
            self.node,
            str(VERIFY),
            cwd=ORACLES,
            stdin=asyncio.subprocess.PIPE,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
            env={"PATH": os.environ.get("PATH", ""), "NODE_NO_WARNINGS": "1"},
        )
        out, err = await asyncio.wait_for(
            process.communicate(json.dumps(request).encode()), ORACLE_TIMEOUT_S
        )
        assert process.returncode == 0, err.decode()[-3000:]
        verdicts = [json.loads(line) for line in out.decode().splitlines()]
        assert [v["name"] for v in verdicts] == [c["name"] for c in checks], err.decode()
        return {verdict["name"]: verdict for verdict in verdicts}
