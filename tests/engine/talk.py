"""A person talking to the engine directly, the way every channel does."""

from __future__ import annotations

from colbot.core.engine import Engine
from colbot.core.messages import Inbound, InboundKind, Outbound


class Talker:
    """Sends neutral events as one person and remembers the replies."""

    def __init__(
        self, engine: Engine, chat_id: str = "p1", channel: str = "console", first_name: str = "Sam"
    ) -> None:
        self.engine = engine
        self.chat_id = chat_id
        self.channel = channel
        self.first_name = first_name
        self.history: list[Outbound] = []

    async def _send(self, **fields: object) -> list[Outbound]:
        inbound = Inbound(
            channel=self.channel, chat_id=self.chat_id, first_name=self.first_name, **fields
        )  # type: ignore[arg-type]
        replies = await self.engine.handle(inbound)
        self.history.extend(replies)
        return replies

    async def say(self, text: str) -> list[Outbound]:
        if text.startswith("/"):
            command, *args = text[1:].split()
            return await self._send(
                kind=InboundKind.COMMAND, text=text, command=command, args=tuple(args)
            )
        return await self._send(kind=InboundKind.TEXT, text=text)

    async def press(self, label: str, on: Outbound | None = None) -> list[Outbound]:
        """Presses the button whose label contains `label` on the given or latest message."""
        messages = [on] if on else [m for m in reversed(self.history) if m.buttons]
        for message in messages:
            for row in message.buttons:
                for button in row:
                    if label in button.label:
                        return await self._send(kind=InboundKind.BUTTON, button_data=button.data)
        raise AssertionError(f"no button {label!r} on {[m.button_labels() for m in messages[:1]]}")

    async def press_data(self, data: str) -> list[Outbound]:
        return await self._send(kind=InboundKind.BUTTON, button_data=data)

    async def share_location(self, latitude: float, longitude: float) -> list[Outbound]:
        return await self._send(kind=InboundKind.LOCATION, latitude=latitude, longitude=longitude)

    async def send_other(self, kind: str) -> list[Outbound]:
        return await self._send(kind=InboundKind.OTHER, other=kind)

    def recent(self, count: int = 12) -> str:
        """The text of the last few replies, joined, for assertions that don't care about order."""
        return "\n".join(m.text for m in self.history[-count:])

    @property
    def last(self) -> Outbound:
        return self.history[-1]

    def last_text(self) -> str:
        return self.history[-1].text
