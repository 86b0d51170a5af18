"""How young people really type: a corpus of typed answers, each sent through a whole engine turn.

Each question is reached the way a person reaches it (taps and answers from /start, /settings or
/addopportunity); then, for each entry, the conversation is put back at that question and the
typed text is sent. The test prints the share understood, wrongly understood and asked again. A
wrong value is worse than a re-ask, so it fails on any wrong value, on less than the share
understood it expects, and on a typed answer accepted without being said back.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
import yaml

from colbot.app import Colbot
from colbot.chat.buttons import ButtonData
from colbot.chat.flows import SELECTION_KEY
from colbot.chat.messages import InboundKind, Outbound
from colbot.chat.router import FlowHooks
from colbot.chat.turn import Turn
from colbot.content.conversations import Step
from colbot.storage.models import ConversationState
from tests.support.staff import invite_payload
from tests.support.talk import Talker

CORPUS = Path(__file__).resolve().parents[1] / "corpus" / "typed_answers.yaml"
SAMPLE = Path(__file__).resolve().parents[3] / "shared" / "corpus" / "typed-answers.sample.yaml"
UNDERSTOOD_AT_LEAST = 0.95
REASK = "reask"


def _entries(path: Path) -> list[dict[str, Any]]:
    return list(yaml.safe_load(path.read_text(encoding="utf-8")) or [])


@dataclass
class Seen:
    """What the flow did with the last typed answer, seen through the flows' public hooks."""

    answers: list[tuple[str, Any]] = field(default_factory=list)
    ended: list[str] = field(default_factory=list)

    def clear(self) -> None:
        self.answers.clear()
        self.ended.clear()


@dataclass
class Question:
    """A person waiting at one question, and the state to put back before each typed answer."""

    talker: Talker
    state: dict[str, Any]


class CorpusRun:
    """Reaches each question as a person would, then sends each typed answer to it."""

    def __init__(self, colbot: Colbot) -> None:
        self.colbot = colbot
        self.engine = colbot.engine
        self.seen = Seen()
        self.waiting: dict[str, Question] = {}
        self.people = 0
        for flow_id in self.engine.content.flows:
            self.engine.flows.hook(
                flow_id, FlowHooks(on_answer=self._answered, on_ended_early=self._ended)
            )

    async def _answered(self, turn: Turn, step: Step, value: Any) -> None:
        self.seen.answers.append((step.id, value))

    async def _ended(self, turn: Turn, reason: str) -> None:
        self.seen.ended.append(reason)

    async def read(self, question: str, text: str) -> tuple[Any, list[Outbound]]:
        """What the engine made of `text` typed at `question`: a value, or REASK."""
        flow_id, step_id = question.split(".")
        step = self.engine.content.flow(flow_id).step(step_id)
        assert step is not None, question
        waiting = self.waiting.get(question) or await self._reach(flow_id, step)
        await self._put_back(waiting)
        self.seen.clear()
        replies = await waiting.talker.say(text)
        state = await self._state(waiting.talker)
        selection = list(state.answers.get(SELECTION_KEY, [])) if state else []
        if self.seen.ended:
            self.waiting.pop(question, None)  # they were forgotten; the next one starts afresh
            ends = [o.value for o in step.options if o.ends_with]
            return (ends[0] if step.kind == "choice" and ends else self.seen.ended[0]), replies
        for answered, value in self.seen.answers:
            if answered == step.id:
                return value, replies
        if selection and step.kind in {"passions", "datetime"}:
            return (selection[0] if step.kind == "datetime" else selection), replies
        return REASK, replies

    async def _reach(self, flow_id: str, target: Step) -> Question:
        """Starts a new person and answers every question before `target` as a tap would."""
        self.people += 1
        talker = Talker(self.engine, f"corpus-{self.people}", channel="webchat", first_name="Sam")
        if flow_id == "add_opportunity":
            await talker.say(f"/start {await invite_payload(self.colbot, 'pixel-forge')}")
            await talker.say("/addopportunity")
        else:
            await talker.say("/start")
            if flow_id != "onboarding":
                await self._finish_onboarding(talker)
                await talker.say("/settings")
                await self._press_target(talker, target.id)
        flow = self.engine.content.flow(flow_id)
        for step in flow.steps:
            state = await self._state(talker)
            assert state is not None and state.flow == flow_id, (flow_id, step.id)
            if state.step == target.id:
                break
            await _answer_well(talker, step)
        state = await self._state(talker)
        assert state is not None and state.step == target.id, (flow_id, target.id)
        snapshot = {
            "flow": state.flow,
            "step": state.step,
            "answers": dict(state.answers),
            "young_person_id": state.young_person_id,
        }
        self.waiting[f"{flow_id}.{target.id}"] = Question(talker, snapshot)
        return self.waiting[f"{flow_id}.{target.id}"]

    async def _finish_onboarding(self, talker: Talker) -> None:
        for step in self.engine.content.flow("onboarding").steps:
            await _answer_well(talker, step)

    async def _press_target(self, talker: Talker, step_id: str) -> None:
        for row in talker.last.buttons:
            for button in row:
                data = ButtonData.decode(button.data)
                if data is not None and data.target == step_id:
                    await talker._send(kind=InboundKind.BUTTON, button_data=button.data)
                    return
        raise AssertionError(f"/settings has no button for {step_id}")

    async def _put_back(self, waiting: Question) -> None:
        async with self.engine.database.transaction() as session:
            state = await session.get(
                ConversationState, (waiting.talker.channel, waiting.talker.chat_id)
            )
            assert state is not None
            for key, value in waiting.state.items():
                setattr(state, key, dict(value) if isinstance(value, dict) else value)

    async def _state(self, talker: Talker) -> ConversationState | None:
        async with self.engine.database.transaction() as session:
            return await session.get(ConversationState, (talker.channel, talker.chat_id))


async def _answer_well(talker: Talker, step: Step) -> None:
    """Answers a question the plainest way, with its buttons where it has them."""
    if step.kind in {"choice", "quiet_hours"}:
        first = talker.last.buttons[0][0]
        await talker._send(kind=InboundKind.BUTTON, button_data=first.data)
    elif step.kind in {"passions", "multi_choice"}:
        await talker._send(kind=InboundKind.BUTTON, button_data=talker.last.buttons[0][0].data)
        await talker.press("Done")
    elif step.kind == "age":
        await talker.press("15")
    elif step.kind == "area":
        await talker._send(kind=InboundKind.BUTTON, button_data=talker.last.buttons[0][0].data)
    elif step.kind == "datetime":
        await talker.say("2026-12-12 10:00")
        await talker.press("Yes")
    else:
        await talker.say(
            {"nickname": "Sam", "place": "Central Library, KF1 2LB", "range": "13-19"}.get(
                step.kind, "2" if step.kind == "number" else "Coding club"
            )
        )


def _as_stored(value: Any) -> Any:
    """A value in the corpus's shape: an area by id, a time in local words, whole numbers bare."""
    if isinstance(value, dict) and "area" in value:
        return value["area"]
    if isinstance(value, dict) and "postcode" in value:
        return f"{value['venue']}, {value['postcode']}"
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str) and "T" in value and value[:4].isdigit():
        try:
            return f"{datetime.fromisoformat(value):%Y-%m-%d %H:%M}"
        except ValueError:
            return value
    if isinstance(value, list):
        return [_as_stored(v) for v in value]
    return value


def _same(got: Any, expected: Any) -> bool:
    numbers = (int, float)
    if isinstance(got, numbers) and isinstance(expected, numbers):
        return float(got) == float(expected)
    if isinstance(expected, list) and isinstance(got, list):
        if all(isinstance(v, str) for v in expected):
            return sorted(map(str, got)) == sorted(map(str, expected))
        return [str(v) for v in got] == [str(v) for v in expected]
    return str(got) == str(expected)


def _said_back(colbot: Colbot, replies: list[Outbound]) -> bool:
    """Whether a reply shows what was understood, in the words the content uses for it."""
    content = colbot.engine.content
    context = dict(colbot.engine.base_context, first_name="Sam", nickname=None)
    mark = "\x00"
    openings = [
        content.render("common.got_it", **context, what=mark),
        content.render("onboarding.passions.matched", **context, chosen=mark),
        content.render("common.when_check", **context, when=mark),
    ]
    text = "\n".join(reply.text for reply in replies)
    return any(opening.split(mark)[0].strip() in text for opening in openings)


@pytest.mark.parametrize("corpus", [CORPUS, SAMPLE], ids=["ours", "shared sample"])
async def test_typed_answers_are_understood_and_never_misread(colbot: Colbot, corpus: Path) -> None:
    if not corpus.exists():
        pytest.skip(f"{corpus} is not here")
    run = CorpusRun(colbot)
    entries = _entries(corpus)
    understood, wrong, reasked, silent = 0, [], [], []
    for entry in entries:
        got, replies = await run.read(entry["question"], str(entry["text"]))
        got, expected = _as_stored(got), entry["expect"]
        if expected == REASK:
            if got == REASK:
                understood += 1
            else:
                wrong.append((entry, got))
        elif got == REASK:
            reasked.append(entry)
        elif _same(got, expected):
            understood += 1
            if not run.seen.ended and not _said_back(colbot, replies):
                silent.append(entry)
        else:
            wrong.append((entry, got))
    total = len(entries)
    print(
        f"\n{corpus.name}: {total} answers through the engine; understood "
        f"{understood / total:.1%}, wrong {len(wrong) / total:.1%} ({len(wrong)}), "
        f"asked again {len(reasked) / total:.1%} ({len(reasked)})"
    )
    for entry in reasked:
        print(f"  asked again: {entry['question']} {entry['text']!r} (wanted {entry['expect']})")
    for entry, got in wrong:
        print(f"  WRONG: {entry['question']} {entry['text']!r} became {got!r}")
    assert not wrong, wrong
    assert not silent, f"accepted without saying back what was understood: {silent}"
    assert understood / total >= UNDERSTOOD_AT_LEAST
