"""Channel-neutral messages: what a person sent, and what colbot says back."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum


class InboundKind(StrEnum):
    """The kinds of thing a person can send, whatever the channel."""

    TEXT = "text"
    COMMAND = "command"
    BUTTON = "button"
    LOCATION = "location"
    OTHER = "other"
    # A page or app came back (a reload): ask the open question again, say nothing else.
    RESUME = "resume"


@dataclass(frozen=True)
class Inbound:
    """One event from a person, already translated from the channel's own format."""

    channel: str
    chat_id: str
    kind: InboundKind
    text: str = ""
    command: str = ""
    args: tuple[str, ...] = ()
    button_data: str = ""
    latitude: float | None = None
    longitude: float | None = None
    first_name: str = ""
    language: str = ""
    other: str = ""
    reference: str = ""

    @property
    def conversation_key(self) -> tuple[str, str]:
        """Identifies the conversation this event belongs to."""
        return (self.channel, self.chat_id)


@dataclass(frozen=True)
class Button:
    """A choice shown under a message; `data` comes back when pressed, `url` opens a link."""

    label: str
    data: str = ""
    url: str = ""


@dataclass(frozen=True)
class Attachment:
    """A file or image sent with a message; `verbatim` when a channel must not re-encode it.

    A baked badge is verbatim: its proof lives in the PNG's own chunks, so a picture that is
    recompressed on the way is no longer a badge anyone can check.
    """

    filename: str
    content: bytes
    mime_type: str
    verbatim: bool = False


@dataclass(frozen=True)
class Outbound:
    """One message colbot sends; channels render it their own way."""

    text: str
    buttons: tuple[tuple[Button, ...], ...] = ()
    image: Attachment | None = None
    file: Attachment | None = None
    links: tuple[Button, ...] = field(default=())
    location_button: str = ""
    remove_keyboard: bool = False
    edit: bool = False
    menu: tuple[tuple[str, str], ...] | None = None

    def button_labels(self) -> list[str]:
        """Every button label in reading order, for channels without buttons."""
        return [button.label for row in self.buttons for button in row]
