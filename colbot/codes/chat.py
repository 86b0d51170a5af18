"""Young people send completion codes: typed, with /redeem, or by scanning the venue's QR code."""

from __future__ import annotations

from collections.abc import Sequence
from zoneinfo import ZoneInfo

from colbot.chat.buttons import ButtonData
from colbot.chat.messages import Button, Outbound
from colbot.chat.router import Router
from colbot.chat.turn import Turn
from colbot.codes import format as code_format
from colbot.codes import store as codes
from colbot.codes.redeemed import RedeemedHook
from colbot.codes.store import RedeemOutcome, TeamChats
from colbot.domain.when import local_when
from colbot.people import store as people

FINISH_ONBOARDING = "ob"
REPLIES = {
    RedeemOutcome.ALREADY_HAVE: "redeem.already_have",
    RedeemOutcome.USED_UP: "redeem.used_up",
    RedeemOutcome.EXPIRED: "redeem.expired",
    RedeemOutcome.REVOKED: "redeem.revoked",
    RedeemOutcome.MISTYPED: "redeem.mistyped",
    RedeemOutcome.UNKNOWN: "redeem.unknown",
}


class Redeemer:
    """Turns a code someone sent into a recorded completion, or a clear reason why not."""

    def __init__(
        self,
        tz: ZoneInfo,
        admin_chats: TeamChats,
        on_redeemed: Sequence[RedeemedHook] = (),
    ) -> None:
        self.tz = tz
        self.admin_chats = admin_chats
        self.on_redeemed = tuple(on_redeemed)

    def router(self) -> Router:
        """/redeem, codes sent as plain messages, and the QR code's deep link."""
        routes = Router("codes")
        routes.command("redeem", self.redeem_command)
        routes.text(self.on_text)
        routes.start_payload(self.on_start)
        routes.action(FINISH_ONBOARDING, self.finish_onboarding)
        return routes

    async def redeem_command(self, turn: Turn) -> None:
        text = "".join(turn.inbound.args)
        if not text:
            turn.say("redeem.how")
            return
        await self.redeem(turn, text)

    async def on_text(self, turn: Turn) -> bool:
        """Treats a message that looks like a code as one, wherever the chat is up to."""
        if not code_format.looks_like_code(turn.inbound.text):
            return False
        await self.redeem(turn, turn.inbound.text)
        return True

    async def on_start(self, turn: Turn, payload: str) -> bool:
        code = code_format.code_from_payload(payload)
        if code is None:
            return False
        await self.redeem(turn, code)
        return True

    async def redeem(self, turn: Turn, text: str) -> None:
        """Redeems, then says what happened; a newcomer gets a profile to hold the completion."""
        created = False
        if turn.person is None:
            turn.person = await people.create_for_chat(
                turn.session, turn.inbound, turn.content.language, turn.now, consented=False
            )
            turn.state.young_person_id = turn.person.id
            created = True
        result = await codes.redeem(
            turn.session, turn.person, text, turn.inbound.channel, turn.now, self.admin_chats
        )
        if result.outcome is RedeemOutcome.COOLING_DOWN:
            until = (
                result.cool_down_until.astimezone(self.tz) if result.cool_down_until else turn.now
            )
            turn.say("redeem.cooling_down", until=f"{until:%H:%M}")
        elif result.outcome is RedeemOutcome.NOT_YET:
            assert result.opens_at is not None
            turn.say("redeem.not_yet", opens=local_when(result.opens_at, self.tz))
        elif result.outcome is RedeemOutcome.REDEEMED:
            assert result.opportunity is not None and result.redemption is not None
            replies = [await hook(turn, result.redemption) for hook in self.on_redeemed]
            if not any(reply.cheers for reply in replies):
                turn.say(
                    "redeem.done",
                    title=result.opportunity.title,
                    partner=result.partner_name,
                    hours=f"{result.opportunity.learning_hours:g}",
                )
            for reply in replies:
                for message in reply.messages:
                    turn.send(message)
            if created:
                turn.say("redeem.consent_note")
        else:
            turn.say(REPLIES[result.outcome])
        if turn.in_flow:
            turn.flows.ask(turn)
        elif turn.person.onboarded_at is None and result.outcome is RedeemOutcome.REDEEMED:
            button = Button(
                turn.text("redeem.finish_button"), ButtonData(FINISH_ONBOARDING).encode()
            )
            turn.send(Outbound(text=turn.text("redeem.finish_onboarding"), buttons=((button,),)))

    async def finish_onboarding(self, turn: Turn) -> None:
        """Starts the questions for someone who redeemed before onboarding."""
        if turn.person is not None and turn.person.onboarded_at is not None:
            turn.say("welcome_back")
            return
        await turn.flows.start(turn, "onboarding")
