"""/broadcast in the chat: admins write it, pick who, see a preview and a count, then confirm."""

from __future__ import annotations

from sqlalchemy import func, select

from colbot.app import Colbot
from colbot.chat.messages import Inbound, InboundKind, Outbound
from colbot.storage.models import AuditEntry
from tests.doubles.telegram import TelegramDouble
from tests.support.outreach import ADMIN_ID, Seeder, delivered, outbox_rows


class Admin:
    """Someone chatting with the engine on Telegram, by default a city admin."""

    def __init__(self, app: Colbot, chat_id: int = ADMIN_ID) -> None:
        self.app = app
        self.chat_id = str(chat_id)
        self.replies: list[Outbound] = []

    async def _send(self, **fields: object) -> list[Outbound]:
        inbound = Inbound("telegram", self.chat_id, **fields)  # type: ignore[arg-type]
        replies = await self.app.engine.handle(inbound)
        self.replies.extend(replies)
        return replies

    async def say(self, text: str) -> str:
        if text.startswith("/"):
            replies = await self._send(kind=InboundKind.COMMAND, text=text, command=text[1:])
        else:
            replies = await self._send(kind=InboundKind.TEXT, text=text)
        return "\n".join(r.text for r in replies)

    async def press(self, label: str) -> str:
        for message in reversed(self.replies):
            for row in message.buttons:
                for button in row:
                    if label in button.label:
                        replies = await self._send(kind=InboundKind.BUTTON, button_data=button.data)
                        return "\n".join(r.text for r in replies)
        raise AssertionError(f"no button {label!r}")


async def test_only_city_admins_may_broadcast(sender: Colbot, people: Seeder) -> None:
    (young,) = await people(1, messages_first=True)
    assert "only the Kensalfield City of Learning team" in await Admin(sender, young.id).say(
        "/broadcast"
    )
    console = await sender.engine.handle(
        Inbound(
            "console", str(ADMIN_ID), InboundKind.COMMAND, text="/broadcast", command="broadcast"
        )
    )
    assert "only the Kensalfield" in console[0].text
    assert "broadcast" not in [name for name, _ in sender.engine.menu()]


async def test_an_admin_broadcast_by_passion_with_preview_and_confirmation(
    sender: Colbot, people: Seeder, double: TelegramDouble
) -> None:
    music = await people(2, messages_first=True, passions=("music",))
    art = await people(1, messages_first=True, passions=("art",))
    await people(2, messages_first=True, passions=("sport",))
    admin = Admin(sender)
    assert "What should the announcement say?" in await admin.say("/broadcast")
    assert "Who should get it?" in await admin.say("Open mic night on Friday! 🎤")
    await admin.press("By passion")
    await admin.press("Music")
    await admin.press("Art")
    await admin.press("Art")
    await admin.press("Art")
    preview = await admin.press("Done")
    assert "Open mic night on Friday! 🎤" in preview
    assert "It will go to 3 young people" in preview
    assert "To: 🎵 Music, 🎨 Art" in preview
    assert await outbox_rows(sender) == []  # nothing until confirmed
    assert "On its way to 3 young people" in await admin.press("Send it")
    assert "already been sent or cancelled" in await admin.press("Send it")  # once only
    await sender.outbox.drain()
    assert delivered(double) == {p.id: 1 for p in (*music, *art)}
    assert music[0].last.text == "Open mic night on Friday! 🎤"
    async with sender.database.reading() as session:
        audited = await session.scalar(
            select(func.count())
            .select_from(AuditEntry)
            .where(AuditEntry.action == "broadcast.queued")
        )
    assert audited == 1


async def test_an_admin_broadcast_to_everyone_or_an_area_or_cancelled(
    sender: Colbot, people: Seeder, double: TelegramDouble
) -> None:
    north = await people(1, messages_first=True, area="kf1")
    await people(2, messages_first=True, area="kf3")
    admin = Admin(sender)
    await admin.say("/broadcast")
    await admin.say("Library closed Monday")
    assert "It will go to 3 young people" in await admin.press("Everyone")
    assert "nothing was sent" in await admin.press("Cancel")
    assert await outbox_rows(sender) == []

    await admin.say("/broadcast")
    await admin.say("Town Centre youth club reopens")
    await admin.press("By area")
    assert "Pick at least one" in await admin.press("Done")
    await admin.press("Town Centre")
    assert "It will go to 1 young people" in await admin.press("Done")
    await admin.press("Send it")
    await sender.outbox.drain()
    assert delivered(double) == {north[0].id: 1}


async def test_cancel_while_composing_sends_nothing(sender: Colbot, people: Seeder) -> None:
    await people(1, messages_first=True)
    admin = Admin(sender)
    await admin.say("/broadcast")
    assert "stopped" in await admin.say("/cancel")
    assert "didn't follow that" in await admin.say("Hello everyone")
    assert await outbox_rows(sender) == []
