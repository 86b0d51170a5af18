"""One chat's events are handled strictly in order; different chats at the same time."""

from __future__ import annotations

import asyncio

from colbot.chat.engine import ChatLocks


async def test_one_chat_in_order_and_chats_concurrently() -> None:
    locks = ChatLocks()
    log: list[str] = []
    running = 0
    most_at_once = 0

    async def work(chat: str, number: int) -> None:
        nonlocal running, most_at_once
        running += 1
        most_at_once = max(most_at_once, running)
        log.append(f"{chat}{number}:start")
        await asyncio.sleep(0.01 * (3 - number % 3))
        log.append(f"{chat}{number}:end")
        running -= 1

    jobs = [
        locks.run(("telegram", chat), lambda chat=chat, n=n: work(chat, n))
        for n in range(6)
        for chat in ("a", "b", "c")
    ]
    await asyncio.gather(*jobs)
    for chat in "abc":
        mine = [entry for entry in log if entry.startswith(chat)]
        assert mine == [f"{chat}{n}:{edge}" for n in range(6) for edge in ("start", "end")]
    assert most_at_once == 3
    assert len(locks) == 0, "locks of idle chats are dropped"
