"""The channel-neutral conversation engine: one inbound event in, the replies out."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import inspect, select
from sqlalchemy.ext.asyncio import AsyncSession

from colbot.chat import buttons
from colbot.chat.buttons import ButtonData
from colbot.chat.flows import FlowRunner
from colbot.chat.messages import Button, Inbound, InboundKind, Outbound
from colbot.chat.steps import PassionChoice, Places, StepContext
from colbot.chat.turn import Turn
from colbot.clock import Clock
from colbot.content.conversations import Conversations
from colbot.domain.passions import PassionMatcher
from colbot.domain.text import clean
from colbot.people import store as people
from colbot.storage.database import Database
from colbot.storage.models import ConversationState

log = logging.getLogger(__name__)

MAX_TEXT_LENGTH = 1000
DEFAULT_MIN_AGE = 13
FLOW_ACTIONS = frozenset({buttons.ANSWER, buttons.TOGGLE, buttons.DONE, buttons.SKIP})
# Flows whose steps /settings offers one at a time, and where each step's menu label lives.
SETTINGS_FLOWS = {"onboarding": "settings", "notifications": "notifications.menu"}

Handler = Callable[[Turn], Awaitable[None]]
TextHandler = Callable[[Turn], Awaitable[bool]]
PayloadHandler = Callable[[Turn, str], Awaitable[bool]]


@dataclass(frozen=True)
class Command:
    """A slash command: who sees it in the menu and what it does."""

    name: str
    handler: Handler
    in_menu: bool = True


class ChatLocks:
    """One lock per conversation so a chat's events are handled strictly in order."""

    def __init__(self) -> None:
        self._locks: dict[tuple[str, str], asyncio.Lock] = {}
        self._users: dict[tuple[str, str], int] = {}

    @contextmanager
    def _tracked(self, key: tuple[str, str]) -> Iterator[asyncio.Lock]:
        lock = self._locks.setdefault(key, asyncio.Lock())
        self._users[key] = self._users.get(key, 0) + 1
        try:
            yield lock
        finally:
            self._users[key] -= 1
            if self._users[key] == 0:
                del self._users[key]
                del self._locks[key]

    async def run(self, key: tuple[str, str], work: Callable[[], Awaitable[Any]]) -> Any:
        """Runs work for one chat after any earlier work for the same chat has finished."""
        with self._tracked(key) as lock:
            async with lock:
                return await work()

    def __len__(self) -> int:
        return len(self._locks)


class Engine:
    """Turns inbound events into replies, keeping each conversation's state in the database."""

    def __init__(
        self,
        database: Database,
        content: Conversations,
        places: Places,
        passions: tuple[PassionChoice, ...],
        matcher: PassionMatcher,
        clock: Clock,
        base_context: dict[str, Any],
        min_age_by_channel: dict[str, int],
        timezone: ZoneInfo,
    ) -> None:
        self.database = database
        self.content = content
        self.places = places
        self.passions = passions
        self.matcher = matcher
        self.clock = clock
        self.base_context = base_context
        self.min_age_by_channel = min_age_by_channel
        self.timezone = timezone
        self.start_payloads: list[PayloadHandler] = []
        self.flows = FlowRunner(self._step_context)
        self.commands: dict[str, Command] = {}
        self.actions: dict[str, Handler] = {}
        self.text_handlers: list[TextHandler] = []
        self.locks = ChatLocks()
        self._register_core_commands()

    def command(self, name: str, handler: Handler, in_menu: bool = True) -> None:
        """Adds a slash command."""
        self.commands[name] = Command(name, handler, in_menu)

    def action(self, name: str, handler: Handler) -> None:
        """Adds a button action that is not part of a flow (cards, menus)."""
        self.actions[name] = handler

    def menu(self) -> list[tuple[str, str]]:
        """The command menu: (command, description) for every command shown to everyone."""
        return [
            (c.name, self.content.render(f"commands.{c.name}"))
            for c in self.commands.values()
            if c.in_menu and self.content.has(f"commands.{c.name}")
        ]

    async def handle(self, inbound: Inbound) -> list[Outbound]:
        """Handles one event in its own transaction; on failure nothing is half-saved."""
        try:
            result: list[Outbound] = await self.locks.run(
                inbound.conversation_key, lambda: self._handle_in_transaction(inbound)
            )
            return result
        except Exception:
            log.exception(
                "failed to handle a %s event on %s (%s)",
                inbound.kind,
                inbound.channel,
                inbound.reference or "no reference",
            )
            return [Outbound(text=self.content.render("common.error", **self.base_context))]

    async def _handle_in_transaction(self, inbound: Inbound) -> list[Outbound]:
        now = self.clock.now()
        async with self.database.transaction() as session:
            # Another process may hold an event of the same chat; it finishes first.
            await self.database.hold(session, "conversation", *inbound.conversation_key)
            state = await session.get(ConversationState, inbound.conversation_key)
            if state is None:
                state = ConversationState(
                    channel=inbound.channel,
                    chat_id=inbound.chat_id,
                    answers={},
                    turn=0,
                    updated_at=now,
                )
                session.add(state)
            person = await people.find_by_identity(session, inbound.channel, inbound.chat_id)
            if person is not None:
                await people.touch(session, person, now)
            turn = Turn(inbound, session, state, person, self.content, now, self.base_context)
            await self._dispatch(turn)
            if turn.forget:
                await self._forget(session, state)
            else:
                state.turn = (state.turn or 0) + 1
                state.updated_at = now
            return turn.replies

    @staticmethod
    async def _forget(session: AsyncSession, state: ConversationState) -> None:
        """Drops the conversation row, whether or not it was ever written."""
        if inspect(state).pending:
            session.expunge(state)
        elif inspect(state).persistent:
            await session.delete(state)

    async def _dispatch(self, turn: Turn) -> None:
        inbound = turn.inbound
        if inbound.kind is InboundKind.COMMAND:
            await self._on_command(turn)
        elif inbound.kind is InboundKind.BUTTON:
            await self._on_button(turn)
        elif inbound.kind is InboundKind.TEXT and len(inbound.text) > MAX_TEXT_LENGTH:
            self._reask_or(turn, "common.too_long")
        elif inbound.kind is InboundKind.TEXT:
            await self._on_text(turn)
        elif turn.in_flow:
            await self.flows.answer(turn)
        elif inbound.kind is InboundKind.LOCATION:
            turn.say("common.not_understood")
        else:
            turn.say("common.unsupported", what=self.describe(turn, inbound.other))

    async def _on_command(self, turn: Turn) -> None:
        command = self.commands.get(turn.inbound.command)
        if command is None:
            self._reask_or(turn, "common.unknown_command", command=clean(turn.inbound.command)[:32])
            return
        await command.handler(turn)

    async def _on_button(self, turn: Turn) -> None:
        data = ButtonData.decode(turn.inbound.button_data)
        if data is not None and data.action in self.actions:
            await self.actions[data.action](turn)
        elif data is not None and data.action in FLOW_ACTIONS and turn.in_flow:
            await self.flows.answer(turn)
        elif data is not None and data.action in FLOW_ACTIONS:
            self._reask_or(turn, "common.stale_button")
        else:
            self._reask_or(turn, "common.unknown_button")

    async def _on_text(self, turn: Turn) -> None:
        for handler in self.text_handlers:
            if await handler(turn):
                return
        if turn.in_flow:
            await self.flows.answer(turn)
        else:
            turn.say("common.not_understood")

    @staticmethod
    def describe(turn: Turn, kind: str) -> str:
        """Names a kind of message in the person's language, such as "stickers"."""
        key = f"things.{kind}"
        return turn.text(key) if turn.content.has(key) else turn.text("things.unknown")

    def _reask_or(self, turn: Turn, key: str, **extra: Any) -> None:
        """Says something and, mid-question, asks the question again so nobody is stuck."""
        if turn.in_flow:
            self.flows.ask(turn, turn.text(key, **extra))
        else:
            turn.say(key, **extra)

    def _step_context(self, turn: Turn) -> StepContext:
        return StepContext(
            content=turn.content,
            render_context=turn.context(),
            places=self.places,
            passions=self.passions,
            matcher=self.matcher,
            first_name=turn.inbound.first_name,
            min_age=self.min_age_by_channel.get(turn.inbound.channel, DEFAULT_MIN_AGE),
            tz=self.timezone,
            now=turn.now,
        )

    def _register_core_commands(self) -> None:
        self.command("start", self._start)
        self.command("help", self._help)
        self.command("settings", self._settings)
        self.command("passions", self._passions)
        self.command("cancel", self._cancel)
        self.action("set", self._settings_choice)

    async def _start(self, turn: Turn) -> None:
        payload = turn.inbound.args[0] if turn.inbound.args else ""
        for handler in self.start_payloads if payload else ():
            if await handler(turn, payload):
                return
        if turn.in_flow:
            turn.say("welcome_back")
            self.flows.ask(turn)
        elif turn.person is not None and turn.person.onboarded_at is not None:
            turn.say("welcome_back")
            turn.say("help")
        else:
            await self.flows.start(turn, "onboarding")

    async def _help(self, turn: Turn) -> None:
        turn.say("help")
        if turn.in_flow:
            self.flows.ask(turn)

    async def _cancel(self, turn: Turn) -> None:
        if not turn.in_flow and turn.task is None:
            turn.say("common.nothing_to_cancel")
            return
        onboarding = turn.state.flow == "onboarding" and turn.person is None
        self.flows.leave(turn)
        turn.forget = onboarding
        turn.say("common.cancelled")

    async def _needs_profile(self, turn: Turn) -> bool:
        if turn.person is None:
            await self.flows.start(turn, "onboarding")
            return True
        return False

    async def _settings(self, turn: Turn) -> None:
        if await self._needs_profile(turn):
            return
        rows = tuple(
            (self._button(turn.text(label), ButtonData("set", step.id)),)
            for flow_id, menu in SETTINGS_FLOWS.items()
            if flow_id in turn.content.flows
            for step in turn.content.flow(flow_id).steps
            if turn.content.has(label := f"{menu}.{step.id}")
        )
        self.flows.leave(turn)
        turn.send(Outbound(text=turn.text("settings.ask"), buttons=rows))

    async def _passions(self, turn: Turn) -> None:
        if await self._needs_profile(turn):
            return
        await self.flows.start(turn, "onboarding", only_step="passions")

    async def _settings_choice(self, turn: Turn) -> None:
        data = ButtonData.decode(turn.inbound.button_data)
        flow_id = next(
            (
                flow_id
                for flow_id in SETTINGS_FLOWS
                if flow_id in turn.content.flows
                and data is not None
                and turn.content.flow(flow_id).step(data.target) is not None
            ),
            None,
        )
        if data is None or flow_id is None or turn.person is None:
            self._reask_or(turn, "common.unknown_button")
            return
        await self.flows.start(turn, flow_id, only_step=data.target)

    @staticmethod
    def _button(label: str, data: ButtonData) -> Button:
        return Button(label, data.encode())


async def conversation_state(
    database: Database, channel: str, chat_id: str
) -> ConversationState | None:
    """Reads a conversation's state, for tests and support."""
    async with database.transaction() as session:
        return await session.scalar(
            select(ConversationState).where(
                ConversationState.channel == channel, ConversationState.chat_id == chat_id
            )
        )
