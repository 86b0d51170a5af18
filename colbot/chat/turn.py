"""One inbound event being handled: the person, their conversation state, and a way to speak."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy.ext.asyncio import AsyncSession

from colbot.chat.buttons import RUN_COMMAND, button
from colbot.chat.messages import Inbound, Outbound
from colbot.content.conversations import Conversations
from colbot.storage.models import ConversationState, StaffMember, YoungPerson

if TYPE_CHECKING:
    from colbot.chat.flows import FlowRunner

Menu = list[tuple[str, str]]


@dataclass(frozen=True)
class Actor:
    """Who is speaking, decided once per turn: a young person, a partner's staff, the city team."""

    city_admin: bool = False
    staff: StaffMember | None = None

    @property
    def is_staff(self) -> bool:
        """Whether they are on a partner's staff."""
        return self.staff is not None


@dataclass
class Turn:
    """Everything a handler needs for one event, inside one database transaction."""

    inbound: Inbound
    session: AsyncSession
    state: ConversationState
    person: YoungPerson | None
    content: Conversations
    now: datetime
    base_context: dict[str, Any]
    actor: Actor = field(default_factory=Actor)
    flow_runner: FlowRunner | None = None
    menu: Callable[[Actor, bool], Menu] | None = None
    replies: list[Outbound] = field(default_factory=list)
    forget: bool = False
    afterwards: list[Callable[[], Awaitable[list[Outbound]]]] = field(default_factory=list)
    shared_counts: list[Callable[[AsyncSession], Awaitable[None]]] = field(default_factory=list)

    @property
    def flows(self) -> FlowRunner:
        """The flow runner, to ask, start or leave a question from a handler."""
        assert self.flow_runner is not None, "a turn made outside the engine has no flows"
        return self.flow_runner

    def menu_for(self, actor: Actor, unlisted: bool = False) -> Menu:
        """The command menu someone may use: everyone's, plus staff's or the city team's."""
        return self.menu(actor, unlisted) if self.menu is not None else []

    def context(self, **extra: Any) -> dict[str, Any]:
        """Variables every message may use, plus any given here."""
        nickname = self.person.nickname if self.person else None
        return {
            **self.base_context,
            "first_name": self.inbound.first_name,
            "nickname": nickname,
            **extra,
        }

    def text(self, key: str, **extra: Any) -> str:
        """Renders a message in this person's language."""
        return self.content.render(key, **self.context(**extra))

    def say(self, key: str, **extra: Any) -> None:
        """Queues a plain message."""
        self.replies.append(Outbound(text=self.text(key, **extra)))

    def then(self, work: Callable[[], Awaitable[list[Outbound]]]) -> None:
        """Runs slow work once this turn is saved (outside its transaction); its words follow."""
        self.afterwards.append(work)

    def count_shared(self, write: Callable[[AsyncSession], Awaitable[None]]) -> None:
        """Adds to a counter many turns share (a day's funnel count), so its row is locked as
        briefly as can be: on SQLite as the turn's last write (the one writer is the turn's
        anyway); on a database server in a statement of its own straight after the turn commits,
        since the lock held through a commit queued every turn showing a popular card."""
        self.shared_counts.append(write)

    def send(self, message: Outbound) -> None:
        """Queues a prepared message."""
        self.replies.append(message)

    def offer_start(self) -> None:
        """Tells someone colbot doesn't know yet (never started, said no, or under 13) how to
        start, with a button, instead of sending them round in a loop."""
        start = button(self.text("common.start_button"), RUN_COMMAND, "start")
        self.replies.append(Outbound(text=self.text("common.not_signed_up"), buttons=((start,),)))

    @property
    def in_flow(self) -> bool:
        """Whether a question from one of the content's flows is waiting for an answer."""
        return bool(self.state.step) and (self.state.flow or "") in self.content.flows

    @property
    def task(self) -> str | None:
        """A feature's own pending question (such as a staff member typing a number), if any."""
        flow = self.state.flow or ""
        return None if flow in self.content.flows or not flow else flow
