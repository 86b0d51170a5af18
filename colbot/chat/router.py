"""What one feature adds to the conversation: commands, buttons, typed text, links and flow hooks.

Each feature builds one Router; `app.py` includes them in the engine in an explicit order, like
python-telegram-bot's handler groups or aiogram's routers. Typed text and /start links are offered
to features in that order, and a command or button action claimed twice is an error at start.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from enum import Enum
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from colbot.chat.turn import Turn
    from colbot.content.conversations import Step

Handler = Callable[["Turn"], Awaitable[None]]
TextHandler = Callable[["Turn"], Awaitable[bool]]
PayloadHandler = Callable[["Turn", str], Awaitable[bool]]
AnswerHook = Callable[["Turn", "Step", Any], Awaitable[None]]
PreselectHook = Callable[["Turn", "Step"], Awaitable[list[str]]]
FinishHook = Callable[["Turn", dict[str, Any]], Awaitable[None]]
EndedEarlyHook = Callable[["Turn", str], Awaitable[None]]
CancelHook = Callable[["Turn"], Awaitable[None]]


class Audience(Enum):
    """Whose command menu lists a command (anyone may still type it)."""

    EVERYONE = "everyone"
    STAFF = "staff"
    CITY_ADMIN = "city_admin"
    # Typed only, never listed (such as /email, offered in the badge message itself).
    NOBODY = "nobody"


class DuplicateRoute(ValueError):
    """Two features claimed the same command, button action or flow hook."""


@dataclass(frozen=True)
class Command:
    """A slash command: what it does and whose menu lists it."""

    name: str
    handler: Handler
    audiences: frozenset[Audience] = frozenset({Audience.EVERYONE})
    feature: str = ""


@dataclass
class FlowHooks:
    """What a feature does as one of its flows runs: keep answers, preselect, finish, end early."""

    on_answer: AnswerHook | None = None
    preselect: PreselectHook | None = None
    on_finish: FinishHook | None = None
    on_ended_early: EndedEarlyHook | None = None
    on_cancel: CancelHook | None = None


@dataclass
class Router:
    """One feature's part of the conversation, included in the engine by `app.py`."""

    feature: str
    commands: dict[str, Command] = field(default_factory=dict)
    actions: dict[str, Handler] = field(default_factory=dict)
    text_handlers: list[TextHandler] = field(default_factory=list)
    start_payloads: list[PayloadHandler] = field(default_factory=list)
    flows: dict[str, FlowHooks] = field(default_factory=dict)
    welcome: Handler | None = None

    def command(self, name: str, handler: Handler, *audiences: Audience) -> None:
        """Adds a slash command, listed in the menus of these audiences (everyone's by default)."""
        if name in self.commands:
            raise DuplicateRoute(f"{self.feature} adds /{name} twice")
        shown = frozenset(audiences or (Audience.EVERYONE,))
        self.commands[name] = Command(name, handler, shown, self.feature)

    def action(self, name: str, handler: Handler) -> None:
        """Adds a button action that is not a flow's answer (cards, menus)."""
        if name in self.actions:
            raise DuplicateRoute(f"{self.feature} adds the button action {name!r} twice")
        self.actions[name] = handler

    def text(self, handler: TextHandler) -> None:
        """Offers typed text to the feature; the handler says whether it took it."""
        self.text_handlers.append(handler)

    def start_payload(self, handler: PayloadHandler) -> None:
        """Offers a /start link's payload to the feature; the handler says whether it took it."""
        self.start_payloads.append(handler)

    def flow(self, flow_id: str, hooks: FlowHooks) -> None:
        """Says what the feature does while one of its flows runs."""
        if flow_id in self.flows:
            raise DuplicateRoute(f"{self.feature} hooks the flow {flow_id!r} twice")
        self.flows[flow_id] = hooks

    def greets(self, handler: Handler) -> None:
        """Makes the handler the answer to a plain /start (one feature only)."""
        self.welcome = handler
