"""E-mail through the city's SMTP server, as an outbox channel: safeguarding alerts to the lead."""

from __future__ import annotations

import logging
from email.message import EmailMessage
from urllib.parse import unquote, urlsplit

import aiosmtplib

from colbot.chat.messages import Outbound

log = logging.getLogger(__name__)

CHANNEL = "email"
SEND_TIMEOUT_S = 30.0
DEFAULT_SUBJECT = "colbot"
SUBJECT_MAX = 120


class SmtpSender:
    """Sends one outbox message as a plain-text e-mail; a failure is retried by the outbox."""

    def __init__(self, url: str, sender: str) -> None:
        parts = urlsplit(url)
        self.host = parts.hostname or "localhost"
        self.tls = parts.scheme == "smtps"
        self.port = parts.port or (465 if self.tls else 587)
        self.username = unquote(parts.username) if parts.username else None
        self.password = unquote(parts.password) if parts.password else None
        self.sender = sender

    async def send(self, address: str, outbound: Outbound) -> None:
        """Sends the message's text to the address; its first line is the subject."""
        text = outbound.text
        subject = text.splitlines()[0][:SUBJECT_MAX] if text.strip() else DEFAULT_SUBJECT
        message = EmailMessage()
        message["From"] = self.sender
        message["To"] = address
        message["Subject"] = str(subject)
        message.set_content(text)
        await aiosmtplib.send(
            message,
            hostname=self.host,
            port=self.port,
            username=self.username,
            password=self.password,
            use_tls=self.tls,
            timeout=SEND_TIMEOUT_S,
        )
