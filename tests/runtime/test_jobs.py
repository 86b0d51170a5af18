"""Jobs in flight: waited for when colbot stops, and stopped if they outlast the grace."""

from __future__ import annotations

import asyncio

from colbot.runtime.jobs import JobsInFlight


async def test_finish_waits_for_a_running_job_to_end() -> None:
    jobs = JobsInFlight()
    ended: list[str] = []
    started = asyncio.Event()

    async def work() -> None:
        started.set()
        await asyncio.sleep(0.05)
        ended.append("work")

    task = asyncio.create_task(jobs.track(work)())
    await started.wait()
    assert jobs.running == 1
    await jobs.finish(grace_s=5)
    assert ended == ["work"]
    assert task.done() and jobs.running == 0


async def test_finish_stops_a_job_that_outlasts_the_grace() -> None:
    jobs = JobsInFlight()
    started = asyncio.Event()

    async def endless() -> None:
        started.set()
        await asyncio.Event().wait()

    task = asyncio.create_task(jobs.track(endless)())
    await started.wait()
    await jobs.finish(grace_s=0.05)
    assert task.cancelled()
    assert jobs.running == 0


async def test_finish_with_nothing_running_returns_at_once() -> None:
    await asyncio.wait_for(JobsInFlight().finish(grace_s=60), timeout=1)
