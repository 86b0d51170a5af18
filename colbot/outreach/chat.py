"""/broadcast in the chat: the city team writes an announcement, picks who, previews, confirms."""

from __future__ import annotations

import secrets
from collections.abc import Sequence

from colbot.chat.buttons import ButtonData
from colbot.chat.engine import Engine
from colbot.chat.messages import Button, Outbound
from colbot.chat.turn import Turn
from colbot.domain.quiet_hours import QuietHours
from colbot.outreach import broadcasts
from colbot.storage import audit

COMPOSE = "announce.compose"
AUDIENCE = "announce.audience"
PICK = "announce.pick"
CONFIRM = "announce.confirm"
TASKS = frozenset({COMPOSE, AUDIENCE, PICK, CONFIRM})

CHOOSE = "bca"
TOGGLE = "bct"
PICKED = "bcd"
SEND = "bcs"
CANCEL = "bcx"
EVERYONE, PASSIONS, AREAS = "all", "p", "a"
MAX_ANNOUNCEMENT_CHARS = 4000


def _button(label: str, action: str, target: str = "", value: str = "") -> Button:
    return Button(label, ButtonData(action, target, value).encode())


class Announcements:
    """Lets city admins (COLBOT_ADMINS, on Telegram) send a broadcast through the outbox."""

    def __init__(self, admins: frozenset[int], default_quiet: QuietHours | None) -> None:
        self.admins = admins
        self.default_quiet = default_quiet

    def register(self, engine: Engine) -> None:
        """Adds /broadcast (kept out of the public menu), its buttons and the typed message."""
        self.engine = engine
        engine.command("broadcast", self.start, in_menu=False)
        for action, handler in (
            (CHOOSE, self.choose),
            (TOGGLE, self.toggle),
            (PICKED, self.picked),
            (SEND, self.send),
            (CANCEL, self.cancel),
        ):
            engine.action(action, handler)
        engine.text_handlers.append(self.typed)

    def is_admin(self, turn: Turn) -> bool:
        """City admins are the Telegram users listed in COLBOT_ADMINS."""
        chat_id = turn.inbound.chat_id
        return (
            turn.inbound.channel == "telegram" and chat_id.isdigit() and int(chat_id) in self.admins
        )

    def _refused(self, turn: Turn) -> bool:
        if self.is_admin(turn):
            return False
        turn.say("announce.not_admin")
        return True

    async def start(self, turn: Turn) -> None:
        """Asks for the announcement's words."""
        if self._refused(turn):
            return
        self.engine.flows.leave(turn)
        turn.state.flow = COMPOSE
        turn.say("announce.compose")

    async def typed(self, turn: Turn) -> bool:
        """Takes the typed announcement, then asks who it is for."""
        if turn.task != COMPOSE:
            return False
        if self._refused(turn):
            return True
        text = turn.inbound.text.strip()
        if not text or len(text) > MAX_ANNOUNCEMENT_CHARS:
            turn.say("announce.empty")
            return True
        turn.state.flow = AUDIENCE
        turn.state.answers = {"text": text}
        choices = ((EVERYONE, "everyone"), (PASSIONS, "by_passion"), (AREAS, "by_area"))
        rows = tuple(
            (_button(turn.text(f"announce.{label}"), CHOOSE, target),) for target, label in choices
        )
        turn.send(Outbound(text=turn.text("announce.audience"), buttons=rows))
        return True

    def _draft(self, turn: Turn, *tasks: str) -> bool:
        """True if this admin has a draft at one of these points; else says it is stale."""
        if self._refused(turn):
            return False
        if turn.task not in tasks or "text" not in turn.state.answers:
            turn.say("announce.stale")
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
            return [(p.id, p.label) for p in self.engine.passions]
        return [(a.id, a.name) for a in self.engine.places.areas]

    def _picker(self, turn: Turn, kind: str, picked: list[str], edit: bool = False) -> Outbound:
        items = [
            _button(f"✅ {label}" if value in picked else label, TOGGLE, kind, value)
            for value, label in self._options(kind)
        ]
        rows = [tuple(items[i : i + 2]) for i in range(0, len(items), 2)]
        rows.append((_button(turn.text("common.done"), PICKED, kind),))
        key = "announce.pick_passions" if kind == PASSIONS else "announce.pick_areas"
        return Outbound(text=turn.text(key), buttons=tuple(rows), edit=edit)

    async def toggle(self, turn: Turn) -> None:
        """Ticks or unticks one passion or area."""
        data = ButtonData.decode(turn.inbound.button_data)
        if data is None or not self._draft(turn, PICK):
            return
        kind = str(turn.state.answers.get("kind"))
        if data.target != kind or data.value not in dict(self._options(kind)):
            turn.say("announce.stale")
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
            turn.say("announce.pick_one")
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
            self.engine.flows.leave(turn)
            turn.say("announce.nobody")
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
            (_button(turn.text("announce.send"), SEND, batch[-8:]),),
            (_button(turn.text("announce.cancel"), CANCEL),),
        )
        turn.send(Outbound(text=f"{preview}\n{who}", buttons=rows))

    def _describe(self, turn: Turn, audience: broadcasts.Audience) -> str:
        if not audience.passions and not audience.areas:
            return turn.text("announce.to_everyone")
        kind, chosen = (
            (PASSIONS, audience.passions) if audience.passions else (AREAS, audience.areas)
        )
        names = dict(self._options(kind))
        return turn.text("announce.to_some", audience=", ".join(names[c] for c in chosen))

    async def send(self, turn: Turn) -> None:
        """Confirmed: queues one outbox message per recipient, once however often it is pressed."""
        data = ButtonData.decode(turn.inbound.button_data)
        if data is None or not self._draft(turn, CONFIRM):
            return
        answers = turn.state.answers
        batch = str(answers["batch"])
        if not batch.endswith(data.target):
            turn.say("announce.stale")
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
        self.engine.flows.leave(turn)
        turn.say("announce.queued", recipients=queued)

    async def cancel(self, turn: Turn) -> None:
        """Throws the draft away."""
        if not self._draft(turn, CONFIRM, AUDIENCE, PICK):
            return
        self.engine.flows.leave(turn)
        turn.say("announce.cancelled")
