"""/broadcast in the chat: the city team writes an announcement, picks who, previews, confirms."""

from __future__ import annotations

import secrets
from collections.abc import Sequence

from colbot.chat.buttons import ButtonData, button
from colbot.chat.messages import Outbound
from colbot.chat.router import Audience, Router
from colbot.chat.steps import PassionChoice
from colbot.chat.turn import Turn
from colbot.domain.quiet_hours import QuietHours
from colbot.outreach import broadcasts
from colbot.storage import audit

COMPOSE = "broadcast.compose"
AUDIENCE = "broadcast.audience"
PICK = "broadcast.pick"
CONFIRM = "broadcast.confirm"
TASKS = frozenset({COMPOSE, AUDIENCE, PICK, CONFIRM})

CHOOSE = "bca"
TOGGLE = "bct"
PICKED = "bcd"
SEND = "bcs"
CANCEL = "bcx"
EVERYONE, PASSIONS, AREAS = "all", "p", "a"
MAX_ANNOUNCEMENT_CHARS = 4000


class BroadcastChat:
    """Lets the city team write a broadcast in the chat and send it through the outbox."""

    def __init__(
        self,
        default_quiet: QuietHours | None,
        passions: Sequence[PassionChoice],
        areas: Sequence[tuple[str, str]],
    ) -> None:
        self.default_quiet = default_quiet
        self.passions = tuple(passions)
        self.areas = tuple(areas)

    def router(self) -> Router:
        """/broadcast (in the city team's menu), its buttons and the typed message."""
        routes = Router("outreach")
        routes.command("broadcast", self.start, Audience.CITY_ADMIN)
        for action, handler in (
            (CHOOSE, self.choose),
            (TOGGLE, self.toggle),
            (PICKED, self.picked),
            (SEND, self.send),
            (CANCEL, self.cancel),
        ):
            routes.action(action, handler)
        routes.text(self.typed)
        return routes

    def _refused(self, turn: Turn) -> bool:
        if turn.actor.city_admin:
            return False
        turn.say("broadcast.not_admin")
        return True

    async def start(self, turn: Turn) -> None:
        """Asks for the announcement's words."""
        if self._refused(turn):
            return
        turn.flows.leave(turn)
        turn.state.flow = COMPOSE
        turn.say("broadcast.compose")

    async def typed(self, turn: Turn) -> bool:
        """Takes the typed announcement, then asks who it is for."""
        if turn.task != COMPOSE:
            return False
        if self._refused(turn):
            return True
        text = turn.inbound.text.strip()
        if not text or len(text) > MAX_ANNOUNCEMENT_CHARS:
            turn.say("broadcast.empty")
            return True
        turn.state.flow = AUDIENCE
        turn.state.answers = {"text": text}
        choices = ((EVERYONE, "everyone"), (PASSIONS, "by_passion"), (AREAS, "by_area"))
        rows = tuple(
            (button(turn.text(f"broadcast.{label}"), CHOOSE, target),) for target, label in choices
        )
        turn.send(Outbound(text=turn.text("broadcast.audience"), buttons=rows))
        return True

    def _draft(self, turn: Turn, *tasks: str) -> bool:
        """True if this admin has a draft at one of these points; else says it is stale."""
        if self._refused(turn):
            return False
        if turn.task not in tasks or "text" not in turn.state.answers:
            turn.say("broadcast.stale")
            return False
        return True

    async def choose(self, turn: Turn) -> None:
        """Everyone goes straight to the preview; passions and areas are picked first."""
        data = ButtonData.decode(turn.inbound.button_data)
        if data is None or not self._draft(turn, AUDIENCE):
            return
        if data.target == EVERYONE:
            await self._preview(turn, broadcasts.Audience())
            return
        kind = PASSIONS if data.target == PASSIONS else AREAS
        turn.state.flow = PICK
        turn.state.answers = {**turn.state.answers, "kind": kind, "picked": []}
        turn.send(self._picker(turn, kind, []))

    def _options(self, kind: str) -> Sequence[tuple[str, str]]:
        if kind == PASSIONS:
            return [(p.id, p.label) for p in self.passions]
        return list(self.areas)

    def _picker(self, turn: Turn, kind: str, picked: list[str], edit: bool = False) -> Outbound:
        items = [
            button(f"✅ {label}" if value in picked else label, TOGGLE, kind, value)
            for value, label in self._options(kind)
        ]
        rows = [tuple(items[i : i + 2]) for i in range(0, len(items), 2)]
        rows.append((button(turn.text("common.done"), PICKED, kind),))
        key = "broadcast.pick_passions" if kind == PASSIONS else "broadcast.pick_areas"
        return Outbound(text=turn.text(key), buttons=tuple(rows), edit=edit)

    async def toggle(self, turn: Turn) -> None:
        """Ticks or unticks one passion or area."""
        data = ButtonData.decode(turn.inbound.button_data)
        if data is None or not self._draft(turn, PICK):
            return
        kind = str(turn.state.answers.get("kind"))
        if data.target != kind or data.value not in dict(self._options(kind)):
            turn.say("broadcast.stale")
            return
        picked = list(turn.state.answers.get("picked", []))
        if data.value in picked:
            picked.remove(data.value)
        else:
            picked.append(data.value)
        turn.state.answers = {**turn.state.answers, "picked": picked}
        turn.send(self._picker(turn, kind, picked, edit=True))

    async def picked(self, turn: Turn) -> None:
        """Done picking: on to the preview, or ask for at least one."""
        if not self._draft(turn, PICK):
            return
        kind = str(turn.state.answers.get("kind"))
        picked = tuple(turn.state.answers.get("picked", []))
        if not picked:
            turn.send(self._picker(turn, kind, [], edit=False))
            turn.say("broadcast.pick_one")
            return
        audience = (
            broadcasts.Audience(passions=picked)
            if kind == PASSIONS
            else broadcasts.Audience(areas=picked)
        )
        await self._preview(turn, audience)

    async def _preview(self, turn: Turn, audience: broadcasts.Audience) -> None:
        text = str(turn.state.answers["text"])
        count = await broadcasts.count_recipients(turn.session, audience)
        if count == 0:
            turn.flows.leave(turn)
            turn.say("broadcast.nobody")
            return
        batch = f"bot-{turn.now:%Y%m%dT%H%M%S}-{secrets.token_hex(4)}"
        turn.state.flow = CONFIRM
        turn.state.answers = {
            "text": text,
            "passions": list(audience.passions),
            "areas": list(audience.areas),
            "batch": batch,
        }
        preview = turn.text("broadcast.preview", message=text, recipients=count)
        who = self._describe(turn, audience)
        rows = (
            (button(turn.text("broadcast.send"), SEND, batch[-8:]),),
            (button(turn.text("broadcast.cancel"), CANCEL),),
        )
        turn.send(Outbound(text=f"{preview}\n{who}", buttons=rows))

    def _describe(self, turn: Turn, audience: broadcasts.Audience) -> str:
        if not audience.passions and not audience.areas:
            return turn.text("broadcast.to_everyone")
        kind, chosen = (
            (PASSIONS, audience.passions) if audience.passions else (AREAS, audience.areas)
        )
        names = dict(self._options(kind))
        return turn.text("broadcast.to_some", audience=", ".join(names[c] for c in chosen))

    async def send(self, turn: Turn) -> None:
        """Confirmed: queues one outbox message per recipient, once however often it is pressed."""
        data = ButtonData.decode(turn.inbound.button_data)
        if data is None or not self._draft(turn, CONFIRM):
            return
        answers = turn.state.answers
        batch = str(answers["batch"])
        if not batch.endswith(data.target):
            turn.say("broadcast.stale")
            return
        audience = broadcasts.Audience(tuple(answers["passions"]), tuple(answers["areas"]))
        queued = await broadcasts.queue(
            turn.session, batch, str(answers["text"]), audience, turn.now, self.default_quiet
        )
        await audit.record(
            turn.session,
            turn.now,
            turn.inbound.chat_id,
            turn.inbound.channel,
            "broadcast.queued",
            batch,
            recipients=queued,
            passions=list(audience.passions),
            areas=list(audience.areas),
        )
        turn.flows.leave(turn)
        turn.say("broadcast.queued", recipients=queued)

    async def cancel(self, turn: Turn) -> None:
        """Throws the draft away."""
        if not self._draft(turn, CONFIRM, AUDIENCE, PICK):
            return
        turn.flows.leave(turn)
        turn.say("broadcast.cancelled")
