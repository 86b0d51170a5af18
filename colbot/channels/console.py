"""A console channel for trying colbot in a terminal, or scripting it through a pipe."""

from __future__ import annotations

import asyncio
import re
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any, TextIO

from colbot.chat.engine import Engine
from colbot.chat.messages import Attachment, Button, Inbound, InboundKind, Outbound

CHANNEL = "console"
QUIT_WORDS = frozenset({"/quit", "/exit"})
MAX_FILENAME = 100
FILES_FOLDER = "colbot-chat-files"


def safe_filename(name: str) -> str:
    """An attachment's name made safe to save: no folders, no hidden files, nothing odd."""
    kept = re.sub(r"[^A-Za-z0-9._-]+", "-", Path(name).name).strip(".-")
    return kept[:MAX_FILENAME] or "attachment"


def save_attachment(folder: Path, attachment: Attachment) -> Path:
    """Writes an attachment into the folder, never over an earlier one; returns its path."""
    folder.mkdir(parents=True, exist_ok=True)
    name = Path(safe_filename(attachment.filename))
    path = folder / name
    number = 2
    while path.exists():
        path = folder / f"{name.stem}-{number}{name.suffix}"
        number += 1
    path.write_bytes(attachment.content)
    return path


def render(
    outbound: Outbound, first_number: int = 1, files: Path | None = None
) -> tuple[str, list[Button]]:
    """Shows a message as text, buttons as numbered choices, links as addresses, files saved."""
    lines = [outbound.text]
    buttons = [button for row in outbound.buttons for button in row]
    choices = [button for button in buttons if button.data]
    for number, button in enumerate(choices, start=first_number):
        lines.append(f"  [{number}] {button.label}")
    for link in [button for button in buttons if button.url and not button.data] + list(
        outbound.links
    ):
        lines.append(f"  {link.label}: {link.url}")
    for attachment in (outbound.image, outbound.file):
        if attachment is None:
            continue
        if files is None:
            lines.append(f"  (attached: {attachment.filename}, {len(attachment.content)} bytes)")
        else:
            lines.append(f"  (saved: {save_attachment(files, attachment)})")
    return "\n".join(lines), choices


def to_inbound(line: str, chat_id: str, first_name: str, choices: list[Button]) -> Inbound:
    """Reads one typed line: a number picks a choice, a slash starts a command."""
    text = line.strip()
    common: dict[str, Any] = {"channel": CHANNEL, "chat_id": chat_id, "first_name": first_name}
    if text.isdigit() and 1 <= int(text) <= len(choices):
        return Inbound(kind=InboundKind.BUTTON, button_data=choices[int(text) - 1].data, **common)
    if text.startswith("/") and len(text) > 1:
        command, *args = text[1:].split()
        return Inbound(
            kind=InboundKind.COMMAND, text=text, command=command.lower(), args=tuple(args), **common
        )
    return Inbound(kind=InboundKind.TEXT, text=text, **common)


class ConsoleChannel:
    """Talks to the engine one line at a time, from a terminal or a pipe."""

    def __init__(
        self,
        engine: Engine,
        chat_id: str,
        first_name: str,
        stdin: TextIO = sys.stdin,
        write: Callable[[str], None] = print,
        files: Path | None = None,
    ) -> None:
        self.engine = engine
        self.chat_id = chat_id
        self.first_name = first_name
        self.stdin = stdin
        self.write = write
        # Where pictures and files are saved (badges, QR codes, /mydata); None only mentions them.
        self.files = files
        self.choices: list[Button] = []

    async def run(self) -> None:
        """Reads lines until end of input (or /quit), printing each reply."""
        while True:
            line = await asyncio.to_thread(self.stdin.readline)
            if not line:
                return
            if not line.strip():
                continue
            if line.strip().lower() in QUIT_WORDS:
                return
            if not self.stdin.isatty():
                self.write(f"> {line.strip()}")
            await self.send(line)

    async def send(self, line: str) -> list[Outbound]:
        """Sends one line to the engine and prints what comes back."""
        inbound = to_inbound(line, self.chat_id, self.first_name, self.choices)
        replies = await self.engine.handle(inbound)
        batch: list[Button] = []
        for outbound in replies:
            text, choices = render(outbound, first_number=len(batch) + 1, files=self.files)
            batch.extend(choices)
            self.write(text)
            self.write("")
        if batch:
            self.choices = batch
        return replies
