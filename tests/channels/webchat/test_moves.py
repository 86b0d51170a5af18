"""Moving a web chat to another browser: a six-digit code that works once, for ten minutes."""

from __future__ import annotations

import re
from datetime import timedelta

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from colbot.app import Colbot
from colbot.channels.webchat.channel import MOVE_FAILURES_PER_ADDRESS
from colbot.channels.webchat.move_codes import (
    MAX_FAILURES_CITYWIDE,
    MAX_FAILURES_PER_DEVICE,
    may_try,
    move_link,
    new_move_code,
    read_move_code,
)
from colbot.clock import FrozenClock
from colbot.storage.models import WebChatMoveFailure
from tests.support.talk import REPLY_TIMEOUT_S, WebChatTalker

CODE = re.compile(r"/move (\d{6})")


def _new(
    serving_colbot: Colbot, talkers: list[WebChatTalker], address: str | None = None
) -> WebChatTalker:
    talker = WebChatTalker(
        serving_colbot.settings.public_url, serving_colbot.engine, from_address=address
    )
    talkers.append(talker)
    return talker


async def move_failures(session: AsyncSession) -> int:
    return int(await session.scalar(select(func.count()).select_from(WebChatMoveFailure)) or 0)


async def _code_for(talker: WebChatTalker) -> str:
    replies = await talker.say("/move")
    match = CODE.search(replies[-1].text)
    assert match, replies[-1].text
    assert move_link(f"{talker.base_url}/chat", match[1]) in replies[-1].text
    return match[1]


async def _reopen(talker: WebChatTalker) -> list[dict[str, object]]:
    """What a reloading page gets first: its socket is opened afresh and says hello."""
    talker.last_id = 0
    await talker.connect()
    assert talker.ws is not None
    frames = []
    while True:
        try:
            frame = await talker.ws.receive_json(timeout=1.0)
        except TimeoutError:
            return frames
        frames.append(frame)
        if frame["type"] == "message":
            talker.history.append(await talker._outbound(frame))
            talker.last_id = frame["id"]
            await talker.ws.send_json({"type": "ack", "id": frame["id"]})


def test_codes_are_six_digits_typed_any_way() -> None:
    assert new_move_code(lambda _: 42) == "000042"
    assert read_move_code("123 456") == read_move_code("123-456") == "123456"
    assert read_move_code("12345") is None
    assert read_move_code("١٢٣٤٥٦") is None  # only ASCII digits
    assert may_try(MAX_FAILURES_PER_DEVICE - 1, 0)
    assert not may_try(MAX_FAILURES_PER_DEVICE, 0)
    assert not may_try(0, MAX_FAILURES_CITYWIDE)


async def test_a_code_moves_the_chat_once_and_the_old_browser_starts_afresh(
    serving_colbot: Colbot, talkers: list[WebChatTalker]
) -> None:
    old, new, late = (
        _new(serving_colbot, talkers),
        _new(serving_colbot, talkers),
        _new(serving_colbot, talkers),
    )
    await old.say("/start")
    await old.press("Yes, that's OK")
    code = await _code_for(old)

    await new.say("hi")
    await new.say(f"/move {code}")
    assert new.ws is not None
    assert (await new.ws.receive_json(timeout=REPLY_TIMEOUT_S))["type"] == "moved_here"
    assert old.ws is not None
    assert (await old.ws.receive_json(timeout=REPLY_TIMEOUT_S))["type"] == "moved_away"

    frames = await _reopen(new)
    texts = [str(f.get("text")) for f in frames if f["type"] == "message"]
    assert any("How old" in text for text in texts)  # the question the old browser was on
    assert "moved here" in texts[0]
    replies = await new.press("16")
    assert "call you" in replies[-1].text

    frames = await _reopen(old)
    assert [f["type"] for f in frames if f["type"] != "menu"] == ["moved_away"]
    replies = await old.say("/start")
    assert "Welcome back" not in replies[0].text  # a new, empty chat

    replies = await late.say(f"/move {code}")
    assert "doesn't work" in replies[-1].text


async def test_a_code_lasts_ten_minutes(
    serving_colbot: Colbot, clock: FrozenClock, talkers: list[WebChatTalker]
) -> None:
    old, new = _new(serving_colbot, talkers), _new(serving_colbot, talkers)
    await old.say("/start")
    code = await _code_for(old)
    clock.advance(timedelta(minutes=10, seconds=1))
    replies = await new.say(f"/move {code}")
    assert "doesn't work" in replies[-1].text
    replies = await old.say(f"/move {code}")
    assert "doesn't work" in replies[-1].text


async def test_the_same_browser_cannot_move_to_itself(
    serving_colbot: Colbot, talkers: list[WebChatTalker]
) -> None:
    old = _new(serving_colbot, talkers)
    await old.say("/start")
    code = await _code_for(old)
    replies = await old.say(f"/move {code}")
    assert "this chat already" in replies[-1].text


async def test_guessing_is_stopped_per_browser_per_address_and_city_wide(
    serving_colbot: Colbot, clock: FrozenClock, talkers: list[WebChatTalker]
) -> None:
    owner, guesser = _new(serving_colbot, talkers), _new(serving_colbot, talkers)
    await owner.say("/start")
    code = await _code_for(owner)
    wrong = f"{(int(code) + 1) % 1_000_000:06d}"
    for _ in range(MAX_FAILURES_PER_DEVICE):
        replies = await guesser.say(f"/move {wrong}")
        assert "doesn't work" in replies[-1].text
    replies = await guesser.say(f"/move {code}")
    assert "Too many wrong codes" in replies[-1].text  # even the right one, for a while

    # A cleared cookie is a new browser, but not new guesses from the same address.
    fresh = _new(serving_colbot, talkers)
    for _ in range(MOVE_FAILURES_PER_ADDRESS - MAX_FAILURES_PER_DEVICE):
        await fresh.say(f"/move {wrong}")
    replies = await _new(serving_colbot, talkers).say(f"/move {code}")
    assert "Too many wrong codes" in replies[-1].text
    # One guesser does not lock everyone else out: a young person elsewhere can still move.
    elsewhere = _new(serving_colbot, talkers, address="127.0.0.2")
    await elsewhere.say(f"/move {code}")
    assert elsewhere.ws is not None
    assert (await elsewhere.ws.receive_json(timeout=REPLY_TIMEOUT_S))["type"] == "moved_here"

    # Guessers on many addresses share one city-wide allowance.
    code = await _code_for(owner := _new(serving_colbot, talkers, address="127.0.0.3"))
    wrong = f"{(int(code) + 1) % 1_000_000:06d}"
    async with serving_colbot.database.reading() as session:
        remaining = MAX_FAILURES_CITYWIDE - await move_failures(session)
    address = 10
    while remaining > 0:
        for _ in range(MOVE_FAILURES_PER_ADDRESS // MAX_FAILURES_PER_DEVICE):
            fresh = _new(serving_colbot, talkers, address=f"127.0.0.{address}")
            for _ in range(min(remaining, MAX_FAILURES_PER_DEVICE)):
                await fresh.say(f"/move {wrong}")
                remaining -= 1
        address += 1
    honest = _new(serving_colbot, talkers, address="127.0.1.1")
    replies = await honest.say(f"/move {code}")
    assert "Too many wrong codes" in replies[-1].text

    clock.advance(timedelta(minutes=9))
    code = await _code_for(owner)
    clock.advance(timedelta(minutes=2))  # the wrong guesses have aged out; the code lives
    await honest.say(f"/move {code}")
    assert honest.ws is not None
    assert (await honest.ws.receive_json(timeout=REPLY_TIMEOUT_S))["type"] == "moved_here"
