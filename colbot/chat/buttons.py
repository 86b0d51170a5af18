"""The compact text carried by buttons, at most 64 bytes as Telegram requires."""

from __future__ import annotations

from dataclasses import dataclass

from colbot.chat.messages import Button

MAX_BUTTON_DATA_BYTES = 64
SEPARATOR = "|"


@dataclass(frozen=True)
class ButtonData:
    """What a pressed button means: an action, the step or item it belongs to, and a value."""

    action: str
    target: str = ""
    value: str = ""

    def encode(self) -> str:
        """Packs the button for the channel; refuses anything too long to send."""
        text = SEPARATOR.join((self.action, self.target, self.value)).rstrip(SEPARATOR)
        if len(text.encode()) > MAX_BUTTON_DATA_BYTES:
            raise ValueError(f"button data too long: {text!r}")
        return text

    @classmethod
    def decode(cls, text: str) -> ButtonData | None:
        """Unpacks button data, or None if it was not made by colbot."""
        parts = text.split(SEPARATOR)
        if not 1 <= len(parts) <= 3 or not parts[0].isalpha():
            return None
        parts += [""] * (3 - len(parts))
        return cls(parts[0], parts[1], parts[2])


ANSWER = "a"
TOGGLE = "t"
DONE = "d"
SKIP = "k"
SETTINGS = "set"
# A menu button that runs the command named by its target, as if it were typed.
RUN_COMMAND = "pm"


def button(label: str, action: str, target: str = "", value: str = "") -> Button:
    """A button whose press comes back as this action, target and value."""
    return Button(label, ButtonData(action, target, value).encode())
