"""Runs the flows written in conversations/: asks each step, reads answers, moves on."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from colbot.chat import steps
from colbot.chat.buttons import ButtonData
from colbot.chat.messages import Inbound, InboundKind, Outbound
from colbot.chat.router import FlowHooks
from colbot.chat.steps import StepContext
from colbot.chat.turn import Turn
from colbot.content.conversations import Flow, Step

SELECTION_KEY = "_selection"
MODE_KEY = "_mode"
SINGLE_STEP = "single"

StepContextFactory = Callable[[Turn], StepContext]


class FlowRunner:
    """Moves a conversation through a flow, keeping everything it needs in the state row."""

    def __init__(self, step_context: StepContextFactory) -> None:
        self._step_context = step_context
        self._hooks: dict[str, list[FlowHooks]] = {}

    def hook(self, flow_id: str, hooks: FlowHooks) -> None:
        """Lets a feature act as a flow runs; features hooking one flow run in inclusion order."""
        self._hooks.setdefault(flow_id, []).append(hooks)

    def _hooks_of(self, turn: Turn) -> list[FlowHooks]:
        return self._hooks.get(turn.state.flow or "", [])

    async def cancel(self, turn: Turn) -> None:
        """Leaves the flow or task at the person's wish, letting the flow's features tidy up."""
        hooks = self._hooks_of(turn)
        self.leave(turn)
        for hook in hooks:
            if hook.on_cancel is not None:
                await hook.on_cancel(turn)

    def flow(self, turn: Turn) -> Flow | None:
        """The flow the conversation is in, if it still exists in the content."""
        return turn.content.flows.get(turn.state.flow or "")

    def current_step(self, turn: Turn) -> Step | None:
        """The question waiting for an answer, if any."""
        flow = self.flow(turn)
        return flow.step(turn.state.step or "") if flow else None

    async def start(self, turn: Turn, flow_id: str, only_step: str | None = None) -> None:
        """Begins a flow at its first step, or runs one step of it on its own (for settings)."""
        flow = turn.content.flow(flow_id)
        turn.state.flow = flow_id
        first = flow.step(only_step) if only_step else flow.steps[0]
        if first is None:
            raise KeyError(f"no step {only_step!r} in flow {flow_id!r}")
        turn.state.answers = {MODE_KEY: SINGLE_STEP} if only_step else {}
        if not only_step:
            for key in flow.intro:
                turn.say(key)
        await self._enter(turn, first)

    def ask(self, turn: Turn, prefix: str = "") -> None:
        """Asks the current question again, with what has been chosen so far."""
        step = self.current_step(turn)
        if step is None:
            return
        turn.send(steps.question(step, self._step_context(turn), self._selection(turn), prefix))

    async def answer(self, turn: Turn) -> None:
        """Reads the person's event as an answer to the current question."""
        step = self.current_step(turn)
        if step is None:
            self.leave(turn)
            return
        ctx = self._step_context(turn)
        if turn.inbound.kind is InboundKind.OTHER:
            what_key = f"things.{turn.inbound.other}"
            what = turn.text(what_key if turn.content.has(what_key) else "things.unknown")
            self.ask(turn, turn.text("common.unsupported", what=what))
            return
        if turn.inbound.kind is InboundKind.BUTTON and not self._button_is_for(step, turn.inbound):
            self.ask(turn, turn.text("common.stale_button"))
            return
        outcome = steps.read_answer(step, turn.inbound, ctx, self._selection(turn))
        if outcome.ends_with:
            await self._end_early(turn, outcome.ends_with, outcome.end_reason or "ended")
        elif outcome.accepted:
            await self._accept(turn, step, outcome.value, outcome.note or "")
        elif outcome.selection is not None:
            self._set_selection(turn, outcome.selection)
            message = steps.question(step, ctx, outcome.selection, outcome.note or "")
            turn.send(_as_edit(message) if outcome.edit else message)
        else:
            retry = turn.text(outcome.retry_key, **outcome.extra) if outcome.retry_key else ""
            self.ask(turn, retry)

    def leave(self, turn: Turn) -> None:
        """Ends any flow without saying anything."""
        turn.state.flow = None
        turn.state.step = None
        turn.state.answers = {}

    @staticmethod
    def _button_is_for(step: Step, inbound: Inbound) -> bool:
        data = ButtonData.decode(inbound.button_data)
        return data is not None and data.target == step.id

    @staticmethod
    def _selection(turn: Turn) -> list[str]:
        return list(turn.state.answers.get(SELECTION_KEY, []))

    @staticmethod
    def _set_selection(turn: Turn, selection: list[str]) -> None:
        turn.state.answers = {**turn.state.answers, SELECTION_KEY: selection}

    async def _enter(self, turn: Turn, step: Step, prefix: str = "") -> None:
        turn.state.step = step.id
        answers = {k: v for k, v in turn.state.answers.items() if k != SELECTION_KEY}
        preselected = await self._existing_selection(turn, step)
        if preselected:
            answers[SELECTION_KEY] = preselected
        turn.state.answers = answers
        self.ask(turn, prefix)

    async def _existing_selection(self, turn: Turn, step: Step) -> list[str]:
        chosen: list[str] = []
        for hook in self._hooks_of(turn):
            if hook.preselect is not None:
                chosen += await hook.preselect(turn, step)
        return chosen

    async def _accept(self, turn: Turn, step: Step, value: Any, note: str = "") -> None:
        """Saves an answer and moves on; what colbot understood (`note`, for a typed answer)
        leads the next question in one message, so each answer gets one reply, not two."""
        flow = self.flow(turn)
        assert flow is not None
        single = turn.state.answers.get(MODE_KEY) == SINGLE_STEP
        turn.state.answers = {**turn.state.answers, step.id: value}
        hooks = self._hooks_of(turn)
        before = len(turn.replies)
        for hook in hooks:
            if hook.on_answer is not None:
                await hook.on_answer(turn, step, value)
        if step.kind == "area":
            # The message that takes the location keyboard away can carry no buttons itself.
            said = note or turn.text("common.saved_answer")
            turn.replies.insert(before, Outbound(text=said, remove_keyboard=True))
            note = ""
        following = None if single else flow.after(step.id)
        if note and (following is None or len(turn.replies) > before):
            turn.replies.insert(before, Outbound(text=note))
            note = ""
        if following is not None:
            await self._enter(turn, following, note)
            return
        answers = dict(turn.state.answers)
        self.leave(turn)
        if single:
            turn.say("settings.changed")
            return
        if flow.done:
            turn.say(flow.done)
        for hook in hooks:
            if hook.on_finish is not None:
                await hook.on_finish(turn, answers)

    async def _end_early(self, turn: Turn, message_key: str, reason: str) -> None:
        """Ends a flow at a refusal (too young, no consent): the flow's features keep nothing."""
        hooks = self._hooks_of(turn)
        self.leave(turn)
        turn.forget = True
        turn.say(message_key)
        for hook in hooks:
            if hook.on_ended_early is not None:
                await hook.on_ended_early(turn, reason)


def _as_edit(message: Outbound) -> Outbound:
    return Outbound(
        text=message.text,
        buttons=message.buttons,
        location_button=message.location_button,
        edit=True,
    )
