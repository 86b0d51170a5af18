"""The city team on every channel: invited by `colbot admins invite`, alerted when help is asked."""

from __future__ import annotations

import argparse
import dataclasses
import email
import re
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import Envelope
from sqlalchemy import select

from colbot.app import Colbot, build_app
from colbot.chat.messages import Inbound, InboundKind
from colbot.clock import FrozenClock
from colbot.people import store as people
from colbot.settings import Settings
from colbot.storage.models import AuditEntry, OutboxMessage
from colbot.team import cli as admins_cli
from tests.support.demo import copy_demo, free_port
from tests.support.talk import AnyTalker, Talk

START_LINK = re.compile(r"\?start=(a_[A-Za-z0-9_-]+)")


async def invited_admin(
    channel_colbot: Colbot, talk: Talk, capsys: pytest.CaptureFixture[str], name: str = "Sam Patel"
) -> AnyTalker:
    """Runs `colbot admins invite NAME` and opens the link it prints, as the admin would."""
    assert (
        await admins_cli.run(
            channel_colbot, argparse.Namespace(admins_command="invite", name=name, bot=None)
        )
        == 0
    )
    printed = capsys.readouterr().out
    assert f"{channel_colbot.settings.public_url}/chat?start=a_" in printed
    # A Telegram link only when Telegram is on: never one to a bot that does not exist.
    assert ("t.me/" in printed) == (channel_colbot.telegram is not None)
    match = START_LINK.search(printed)
    assert match is not None
    admin = talk("team-1", first_name="Sam")
    await admin.say(f"/start {match.group(1)}")
    assert channel_colbot.content.render(
        "team.welcome", city=channel_colbot.city.name, name=name
    ) in admin.recent(3)
    return admin


@pytest.mark.parametrize("channel", ["console", "telegram", "webchat"], indirect=True)
async def test_an_invited_admin_gets_the_dashboard_and_broadcasts(
    channel_colbot: Colbot, talk: Talk, capsys: pytest.CaptureFixture[str]
) -> None:
    async with channel_colbot.database.transaction() as session:
        listener = await people.create(session, "console", "yp-1", "en", channel_colbot.clock.now())
        listener.onboarded_at = channel_colbot.clock.now()
        people.say_yes_to_messages(listener, True, channel_colbot.clock.now())
    admin = await invited_admin(channel_colbot, talk, capsys)
    await admin.say("/dashboard")
    assert "/dashboard/sign-in?t=" in admin.last_text()
    assert "sign-in link to the" in admin.last_text()  # the city's, not a partner's
    await admin.say("/broadcast")
    await admin.say("Free coding club on Saturday")
    await admin.press("Everyone")
    await admin.press("Send it")
    assert channel_colbot.content.render("broadcast.queued", recipients=1) in admin.last_text()
    await admin.say("/help")
    assert "/broadcast" in admin.last_text() and "/dashboard" in admin.last_text()


@pytest.mark.parametrize("channel", ["console", "webchat"], indirect=True)
async def test_the_same_link_works_once_and_a_removed_admin_is_ordinary_again(
    channel_colbot: Colbot, talk: Talk, capsys: pytest.CaptureFixture[str]
) -> None:
    admin = await invited_admin(channel_colbot, talk, capsys)
    assert await admins_cli.run(channel_colbot, argparse.Namespace(admins_command="list")) == 0
    listed = capsys.readouterr().out
    number = int(listed.split(".", 1)[0])
    assert (
        await admins_cli.run(channel_colbot, argparse.Namespace(admins_command="remove", id=number))
        == 0
    )
    await admin.say("/broadcast")
    assert "only the" in admin.last_text()


@pytest.mark.parametrize("channel", ["console"], indirect=True)
async def test_a_report_with_nobody_to_alert_says_so_honestly(
    channel_colbot: Colbot, talk: Talk
) -> None:
    young = talk("yp")
    await young.say("/report")
    reply = young.last_text()
    assert "let the" not in reply and "know someone asked for help" not in reply
    assert channel_colbot.city.safeguarding.phone in reply
    async with channel_colbot.database.reading() as session:
        audited = await session.scalar(
            select(AuditEntry).where(AuditEntry.action == "safeguarding.alert")
        )
        queued = list(await session.scalars(select(OutboxMessage)))
    assert audited is not None and not queued


@pytest.mark.parametrize("channel", ["webchat"], indirect=True)
async def test_a_report_reaches_a_web_chat_admin_and_the_audit_log(
    channel_colbot: Colbot, talk: Talk, capsys: pytest.CaptureFixture[str]
) -> None:
    admin = await invited_admin(channel_colbot, talk, capsys)
    young = talk("yp")
    await young.say("someone is bullying me and i feel unsafe")
    assert "know someone asked for help" in young.last_text()
    async with channel_colbot.database.reading() as session:
        alerts = [
            (alert.chat_id, alert.payload["text"])
            for alert in await session.scalars(
                select(OutboxMessage).where(OutboxMessage.channel == "webchat")
            )
        ]
        audited = await session.scalar(
            select(AuditEntry).where(AuditEntry.action == "safeguarding.alert")
        )
    assert [chat_id for chat_id, _ in alerts] == [admin.chat_id]
    assert "Safeguarding" in alerts[0][1]
    assert audited is not None
    await channel_colbot.outbox.drain_unless_draining()
    shown = await admin.say("/help")  # the page picks up what arrived while it was quiet
    assert any("Safeguarding" in message.text for message in shown + admin.history)


class Inbox:
    """A real SMTP server on loopback that keeps what it is sent."""

    def __init__(self) -> None:
        self.messages: list[email.message.Message] = []

    async def handle_DATA(self, server: object, session: object, envelope: Envelope) -> str:
        self.messages.append(email.message_from_bytes(envelope.content))  # type: ignore[arg-type]
        return "250 OK"


async def test_a_report_emails_the_safeguarding_lead_when_smtp_is_set(
    settings: Settings, clock: FrozenClock, demo_database: Path
) -> None:
    inbox = Inbox()
    port = free_port()
    server = Controller(inbox, hostname="127.0.0.1", port=port)
    server.start()
    try:
        copy_demo(settings.data_dir, demo_database)
        smtp = dataclasses.replace(settings, smtp_url=f"smtp://127.0.0.1:{port}")
        channel_colbot = build_app(smtp, clock=clock)
        await channel_colbot.prepare()
        try:
            replies = await channel_colbot.engine.handle(
                Inbound("console", "yp", InboundKind.COMMAND, text="/report", command="report")
            )
            assert "know someone asked for help" in replies[0].text
            await channel_colbot.outbox.drain_unless_draining()
        finally:
            await channel_colbot.database.dispose()
    finally:
        server.stop()
    assert [m["To"] for m in inbox.messages] == [channel_colbot.city.safeguarding.email]
    assert "Safeguarding" in inbox.messages[0]["Subject"]
