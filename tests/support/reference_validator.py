"""1EdTech's OB 2.0 reference validator, run in its own virtual environment on a handed badge."""

from __future__ import annotations

import asyncio
import json
import os
from pathlib import Path
from typing import Any

from tests.support.badge_flow import Handed
from tests.support.badge_world import SHARED

OB2_CONTEXT = SHARED / "contexts" / "openbadges-v2.json"
RUNNER = Path(__file__).with_name("ob2_runner.py")


VALIDATOR_TIMEOUT_S = 120


async def validated(
    python: Path, badge: bytes | str, tmp_path: Path, email: str | None = None
) -> dict[str, Any]:
    """The validator's report on a baked PNG (bytes) or a JWS (str)."""
    arguments = [str(RUNNER), str(OB2_CONTEXT)]
    if isinstance(badge, bytes):
        image = tmp_path / "baked.png"
        image.write_bytes(badge)
        arguments += ["--png", str(image)]
    else:
        arguments += ["--text", badge]
    if email is not None:
        arguments += ["--email", email]
    process = await asyncio.create_subprocess_exec(
        str(python),
        *arguments,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
        env={"PATH": os.environ.get("PATH", ""), "PYTHONWARNINGS": "ignore"},
    )
    out, err = await asyncio.wait_for(process.communicate(), VALIDATOR_TIMEOUT_S)
    assert process.returncode == 0, err.decode()[-3000:]
    result: dict[str, Any] = json.loads(out)
    return result


def problems(result: dict[str, Any]) -> list[str]:
    """The validator's errors and warnings, one line each."""
    return [
        f"{m['messageLevel']} {m.get('name')}: {m.get('result')}"
        for m in result["report"]["messages"]
    ]


def assert_valid(result: dict[str, Any], handed: Handed) -> None:
    """Valid, with nothing to say, having fetched every document the assertion leads to."""
    report = result["report"]
    assert report["valid"] is True, problems(result)
    assert report["errorCount"] == 0 and report["warningCount"] == 0, problems(result)
    nodes = {node.get("type"): node["id"] for node in result["graph"]}
    assertion = handed.assertion
    assert nodes["Assertion"] == report["validationSubject"] == assertion["id"]
    assert nodes["BadgeClass"] == assertion["badge"]
    assert nodes["CryptographicKey"] == assertion["verification"]["creator"]
    assert {"Issuer", "RevocationList"} <= nodes.keys()
