"""What tells the city team at once: a call for help, and someone guessing completion codes."""

from __future__ import annotations

from colbot.app import Colbot
from colbot.chat.messages import Inbound, InboundKind
from colbot.codes import format as code_format
from colbot.codes.store import SPIKE_THRESHOLD
from tests.doubles.telegram import TelegramDouble
from tests.support.outreach import ADMIN_ID, Seeder


def to_admin(double: TelegramDouble) -> list[str]:
    return [
        str(call.params.get("text", ""))
        for call in double.calls_to("sendMessage")
        if call.ok and call.chat_id == ADMIN_ID
    ]


async def test_a_report_answers_at_once_and_tells_the_admins(
    sender: Colbot, people: Seeder, double: TelegramDouble
) -> None:
    double.person("Admin", user_id=ADMIN_ID)  # the city admin has started the bot
    (ada,) = await people(1)
    replies = await sender.engine.handle(
        Inbound("telegram", str(ada.id), InboundKind.COMMAND, text="/report", command="report")
    )
    assert "0800 1111" in "\n".join(r.text for r in replies)
    await sender.outbox.drain()
    (alert,) = to_admin(double)
    assert str(ada.id) not in alert  # the admins are told, not handed a Telegram identity


async def test_a_spike_of_wrong_codes_alerts_the_admins_once(
    sender: Colbot, people: Seeder, double: TelegramDouble
) -> None:
    double.person("Admin", user_id=ADMIN_ID)
    guessers = await people(SPIKE_THRESHOLD // 5 + 2)
    for guesser in guessers:
        for _ in range(5):
            typed = code_format.display(code_format.generate_code())
            await sender.engine.handle(
                Inbound("telegram", str(guesser.id), InboundKind.TEXT, text=typed)
            )
    await sender.outbox.drain()
    alerts = [text for text in to_admin(double) if "wrong completion codes" in text]
    assert len(alerts) == 1 and "guessing" in alerts[0]


async def test_a_city_admin_invites_staff_for_any_partner_in_the_bot(
    sender: Colbot, double: TelegramDouble
) -> None:
    admin = double.person("Admin", user_id=ADMIN_ID)
    picked = await sender.engine.handle(
        Inbound("telegram", str(admin.id), InboundKind.COMMAND, text="/invite", command="invite")
    )
    choices = {button.label: button.data for row in picked[0].buttons for button in row}
    assert "Pixel Forge Games" in choices and len(choices) > 1
    made = await sender.engine.handle(
        Inbound(
            "telegram", str(admin.id), InboundKind.BUTTON, button_data=choices["Pixel Forge Games"]
        )
    )
    link = next(w for w in made[0].text.split() if "?start=i_" in w)
    payload = link.partition("?start=")[2]
    newcomer = double.person("Priya")
    joined = await sender.engine.handle(
        Inbound(
            "telegram",
            str(newcomer.id),
            InboundKind.COMMAND,
            text=f"/start {payload}",
            command="start",
            args=(payload,),
            first_name="Priya",
        )
    )
    assert "Pixel Forge Games" in joined[0].text
    stranger = double.person("Stranger")
    refused = await sender.engine.handle(
        Inbound(
            "telegram",
            str(stranger.id),
            InboundKind.BUTTON,
            button_data=choices["Pixel Forge Games"],
        )
    )
    assert "Pixel Forge Games" not in refused[0].text
