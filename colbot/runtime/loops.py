"""The event loop the service runs on: uvloop where it is installed, else Python's own."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Coroutine
from typing import Any, TypeVar

log = logging.getLogger(__name__)

T = TypeVar("T")
LoopFactory = Callable[[], asyncio.AbstractEventLoop]


def loop_factory(name: str) -> LoopFactory | None:
    """How to make the loop `name` names; None means Python's own (asyncio's default)."""
    if name != "uvloop":
        return None
    try:
        import uvloop
    except ImportError:  # not built for this platform: Python's own loop does the same work
        log.info("uvloop is not installed, so colbot runs on asyncio's own event loop")
        return None
    factory: LoopFactory = uvloop.new_event_loop
    return factory


def run_service(main: Coroutine[Any, Any, T], name: str) -> T:
    """Runs the service to its end on the event loop the settings name."""
    with asyncio.Runner(loop_factory=loop_factory(name)) as runner:
        return runner.run(main)
