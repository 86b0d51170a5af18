"""The service's event loop: uvloop by default where installed, Python's own when asked."""

from __future__ import annotations

import asyncio
import sys

import pytest
import uvloop

from colbot.runtime.loops import loop_factory, run_service
from colbot.settings import load_settings


async def _loop_kind() -> type:
    return type(asyncio.get_running_loop())


def test_the_service_runs_on_uvloop_unless_told_otherwise() -> None:
    assert load_settings({}).event_loop == "uvloop"
    assert run_service(_loop_kind(), load_settings({}).event_loop) is uvloop.Loop
    chosen = load_settings({"COLBOT_EVENT_LOOP": " asyncio "}).event_loop
    assert loop_factory(chosen) is None
    assert not issubclass(run_service(_loop_kind(), chosen), uvloop.Loop)


def test_without_uvloop_installed_the_service_uses_pythons_own(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setitem(sys.modules, "uvloop", None)  # as if it were not installed
    assert loop_factory("uvloop") is None
