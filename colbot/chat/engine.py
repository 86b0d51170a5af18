"""The channel-neutral conversation engine: one inbound event in, the replies out."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol
from zoneinfo import ZoneInfo

from sqlalchemy import (
    BindParameter,
    ColumnElement,
    Select,
    and_,
    bindparam,
    inspect,
    literal_column,
    select,
)
from sqlalchemy.ext.asyncio import AsyncSession

from colbot.chat import buttons
from colbot.chat.buttons import ButtonData
from colbot.chat.flows import FlowRunner
from colbot.chat.messages import Inbound, InboundKind, Outbound
from colbot.chat.router import Audience, Command, DuplicateRoute, Handler, Router
from colbot.chat.steps import PassionChoice, Places, StepContext
from colbot.chat.turn import Actor, Turn
from colbot.clock import Clock
from colbot.content.conversations import Conversations
from colbot.domain.passions import PassionMatcher
from colbot.domain.reading import Words
from colbot.domain.text import clean
from colbot.storage.database import Database
from colbot.storage.models import ChannelIdentity, ConversationState, YoungPerson
from colbot.storage.sqlite_connections import statements_on_loop

log = logging.getLogger(__name__)

MAX_TEXT_LENGTH = 1000
DEFAULT_MIN_AGE = 13
FLOW_ACTIONS = frozenset({buttons.ANSWER, buttons.TOGGLE, buttons.DONE, buttons.SKIP})


class OnceOnly(Protocol):
    """A channel's own record of what it has handled, kept in the turn's own transaction, so a
    crash either loses the whole turn (and the resend is handled) or none of it."""

    async def seen_before(self, session: AsyncSession, hold: tuple[str, ...]) -> bool:
        """Holds the chat's lock `hold` (Database.hold), then says whether this event was
        handled already (then nothing is done again). Both may be one statement."""

    async def keep(self, session: AsyncSession, replies: list[Outbound]) -> None:
        """Records the event as handled and keeps the replies for the channel to deliver."""


class Speakers(Protocol):
    """Who may speak besides young people (partner staff, the city team), as the features that
    know them tell it."""

    def columns(
        self, channel: BindParameter[str], chat_id: BindParameter[str]
    ) -> tuple[ColumnElement[Any], ...]:
        """What to read about a chat to know its speaker, in the statement each turn starts with."""

    async def actor(self, session: AsyncSession, inbound: Inbound, values: Sequence[Any]) -> Actor:
        """The speaker those columns' values describe."""


class NobodySpecial:
    """Everyone is a young person when no feature knows staff or a city team."""

    def columns(
        self, channel: BindParameter[str], chat_id: BindParameter[str]
    ) -> tuple[ColumnElement[Any], ...]:
        return ()

    async def actor(self, session: AsyncSession, inbound: Inbound, values: Sequence[Any]) -> Actor:
        return Actor()


# Marks a young person as having written now (people.touch), once the turn has found them.
Seen = Callable[[AsyncSession, YoungPerson, datetime], Awaitable[None]]
_CHANNEL: BindParameter[str] = bindparam("channel")
_CHAT: BindParameter[str] = bindparam("chat_id")


def chat_read(speakers: Speakers) -> Select[Any]:
    """What every turn reads, in one statement: the chat's conversation row, the young person
    behind it and who is speaking; the first two may be missing, so both are outer joins from
    a one-row table."""
    one_row = select(literal_column("1").label("one")).subquery("one_row")
    return (
        select(ConversationState, YoungPerson, *speakers.columns(_CHANNEL, _CHAT))
        .select_from(one_row)
        .outerjoin(
            ConversationState,
            and_(ConversationState.channel == _CHANNEL, ConversationState.chat_id == _CHAT),
        )
        .outerjoin(ChannelIdentity, ChannelIdentity.addresses(_CHANNEL, _CHAT))
        .outerjoin(YoungPerson, YoungPerson.id == ChannelIdentity.young_person_id)
    )


def conversation_lock(channel: str, chat_id: str) -> tuple[str, ...]:
    """The name of the lock (Database.hold) that keeps a chat's events in order across
    processes; a channel writing for the chat outside a turn holds the same one."""
    return ("conversation", channel, chat_id)


@dataclass
class ChatRead:
    """A turn's reading of its chat (chat_read), before anything is written."""

    state: ConversationState | None
    person: YoungPerson | None
    actor: Actor


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
        seen: Seen,
        speakers: Speakers | None = None,
        words: Words | None = None,
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
        self.seen = seen
        self.speakers = speakers or NobodySpecial()
        self._chat_read = chat_read(self.speakers)
        self.words = words or Words()
        self.flows = FlowRunner(self._step_context)
        self.routers: list[Router] = []
        self.commands: dict[str, Command] = {}
        self.actions: dict[str, Handler] = {}
        self.welcome: Handler | None = None
        self.locks = ChatLocks()
        self.include(self._kernel_router())

    def include(self, router: Router) -> None:
        """Adds a feature; a command, action or greeting another feature has is an error."""
        for name in router.commands:
            if name in self.commands:
                raise DuplicateRoute(
                    f"/{name} is claimed by both {self.commands[name].feature} and {router.feature}"
                )
        for name in router.actions:
            if name in self.actions:
                raise DuplicateRoute(f"{router.feature} reuses the button action {name!r}")
        if router.welcome is not None and self.welcome is not None:
            raise DuplicateRoute(f"{router.feature} and another feature both answer /start")
        self.commands.update(router.commands)
        self.actions.update(router.actions)
        self.welcome = router.welcome or self.welcome
        for flow_id, hooks in router.flows.items():
            self.flows.hook(flow_id, hooks)
        self.routers.append(router)

    def menu(self, actor: Actor | None = None, unlisted: bool = False) -> list[tuple[str, str]]:
        """The command menu as (command, description): everyone's, plus staff's or the team's.

        With `unlisted`, also the commands no menu lists (such as /email), for /help.
        """
        audiences = {Audience.EVERYONE, *((Audience.NOBODY,) if unlisted else ())}
        if actor is not None and actor.is_staff:
            audiences.add(Audience.STAFF)
        if actor is not None and actor.city_admin:
            audiences.add(Audience.CITY_ADMIN)
        # In the order the content lists them, so a city chooses what comes first.
        order = {key: place for place, key in enumerate(self.content.messages)}
        shown = sorted(
            (order[f"commands.{c.name}"], c.name)
            for c in self.commands.values()
            if c.audiences & audiences and f"commands.{c.name}" in order
        )
        return [(name, self.content.render(f"commands.{name}")) for _, name in shown]

    async def menu_of(self, channel: str, chat_id: str) -> list[tuple[str, str]]:
        """The command menu of whoever is behind a chat, for channels that draw their own."""
        async with self.database.reading() as session:
            read = await self.read_chat(
                session, Inbound(channel=channel, chat_id=chat_id, kind=InboundKind.RESUME)
            )
        return self.menu(read.actor)

    async def read_chat(self, session: AsyncSession, inbound: Inbound) -> ChatRead:
        """The chat's conversation row, young person and speaker, in one round trip."""
        row = (
            await session.execute(
                self._chat_read, {"channel": inbound.channel, "chat_id": inbound.chat_id}
            )
        ).one()
        state, person, *speaker = row
        return ChatRead(state, person, await self.speakers.actor(session, inbound, speaker))

    async def handle(self, inbound: Inbound, once: OnceOnly | None = None) -> list[Outbound]:
        """Handles one event in its own transaction; on failure nothing is half-saved."""
        try:
            result: list[Outbound] = await self.locks.run(
                inbound.conversation_key, lambda: self._handle_in_transaction(inbound, once)
            )
            return result
        except Exception:
            log.exception(
                "failed to handle a %s event on %s (%s)",
                inbound.kind,
                inbound.channel,
                inbound.reference or "no reference",
            )
            sorry = [Outbound(text=self.content.render("common.error", **self.base_context))]
            if once is not None:
                # Kept as handled with its apology, so a resend cannot fail the same way forever.
                try:
                    async with self.database.transaction() as session:
                        if not await once.seen_before(session, self._hold(inbound)):
                            await once.keep(session, sorry)
                except Exception:
                    log.exception("could not keep the apology for a failed event")
            return sorry

    async def _handle_in_transaction(
        self, inbound: Inbound, once: OnceOnly | None = None
    ) -> list[Outbound]:
        # A turn's statements are a few small indexed ones: on SQLite they run on the loop, so
        # the single writer is held for the turn's own work, not for trips to a thread.
        with statements_on_loop():
            turn = await self._turn(inbound, once, self.clock.now())
        if turn is None:
            return []
        if turn.shared_counts and not self.database.is_sqlite:
            await self._count_apart(turn)
        # Slow work a handler left for after the commit (a first feed read) speaks after the rest;
        # a channel that keeps replies with the turn (the web chat) keeps these in a second one.
        later = [reply for work in turn.afterwards for reply in await work()]
        if later and once is not None:
            async with self.database.transaction() as session:
                await once.keep(session, later)
        return [*turn.replies, *later]

    async def _turn(self, inbound: Inbound, once: OnceOnly | None, now: datetime) -> Turn | None:
        """The turn, committed in one transaction; None for an event handled before."""
        async with self.database.transaction() as session:
            # Another process may hold an event of the same chat; it finishes first.
            if once is None:
                await self.database.hold(session, *self._hold(inbound))
            elif await once.seen_before(session, self._hold(inbound)):
                return None
            read = await self.read_chat(session, inbound)
            state = read.state
            if state is None:
                state = ConversationState(
                    channel=inbound.channel,
                    chat_id=inbound.chat_id,
                    answers={},
                    turn=0,
                    updated_at=now,
                )
                session.add(state)
            person = read.person
            if person is not None:
                await self.seen(session, person, now)
            turn = Turn(
                inbound,
                session,
                state,
                person,
                self.content,
                now,
                self.base_context,
                actor=read.actor,
                flow_runner=self.flows,
                menu=self.menu,
            )
            await self._dispatch(turn)
            if turn.forget:
                await self._forget(session, state)
            else:
                state.turn = (state.turn or 0) + 1
                state.updated_at = now
            if once is not None:
                await once.keep(session, turn.replies)
            if self.database.is_sqlite:
                for count in turn.shared_counts:
                    await count(session)
        return turn

    async def _count_apart(self, turn: Turn) -> None:
        """Adds a committed turn's shared counts, each statement committing by itself; a count
        that fails is logged and lost, never the turn."""
        try:
            async with self.database.each_statement_committed() as session:
                for count in turn.shared_counts:
                    await count(session)
        except Exception:
            log.exception("could not add a turn's counts")

    @staticmethod
    def _hold(inbound: Inbound) -> tuple[str, ...]:
        return conversation_lock(*inbound.conversation_key)

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
        elif inbound.kind is InboundKind.RESUME:
            if turn.in_flow:
                self.flows.ask(turn)
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
        for router in self.routers:
            for handler in router.text_handlers:
                if await handler(turn):
                    return
        meant = self.words.command_in(turn.inbound.text)
        if meant in self.commands:
            await self.commands[meant].handler(turn)
            return
        if turn.in_flow:
            await self.flows.answer(turn)
        elif turn.actor.is_staff or turn.actor.city_admin:
            turn.say("common.not_understood_staff")
        elif turn.person is None and turn.task is None:
            turn.offer_start()
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
            words=self.words,
        )

    def _kernel_router(self) -> Router:
        router = Router("chat")
        router.command("start", self._start)
        router.command("cancel", self._cancel)
        router.action(buttons.RUN_COMMAND, self._run_command)
        return router

    async def _run_command(self, turn: Turn) -> None:
        data = ButtonData.decode(turn.inbound.button_data)
        command = self.commands.get(data.target) if data is not None else None
        if command is None:
            self._reask_or(turn, "common.unknown_button")
            return
        await command.handler(turn)

    async def _start(self, turn: Turn) -> None:
        payload = turn.inbound.args[0] if turn.inbound.args else ""
        for router in self.routers if payload else ():
            for handler in router.start_payloads:
                if await handler(turn, payload):
                    return
        if self.welcome is not None:
            await self.welcome(turn)
        elif turn.in_flow:
            self.flows.ask(turn)

    async def _cancel(self, turn: Turn) -> None:
        if not turn.in_flow and turn.task is None:
            turn.say("common.nothing_to_cancel")
            return
        await self.flows.cancel(turn)
        turn.say("common.cancelled")


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
