"""What tells the city team at once: a call for help, and someone guessing completion codes."""

from __future__ import annotations

from colbot.app import Colbot
from colbot.core.messages import Inbound, InboundKind
from colbot.domain import codes as code_format
from colbot.services.codes import SPIKE_THRESHOLD
from tests.doubles.telegram import TelegramDouble
from tests.nudges.conftest import ADMIN_ID, Seeder


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
