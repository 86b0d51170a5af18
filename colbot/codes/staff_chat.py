"""Partner staff make completion codes in the chat: for which session, how many, how long."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select

from colbot.chat.buttons import ButtonData, button
from colbot.chat.messages import Attachment, Outbound
from colbot.chat.router import Audience, Router
from colbot.chat.turn import Turn
from colbot.codes import format as code_format
from colbot.codes import posters
from colbot.codes import store as codes
from colbot.codes.venue_links import venue_link
from colbot.codes.window import DEFAULT_CODE_EARLY, Choice, Refusal, Refused, code_window
from colbot.domain import qr
from colbot.domain.when import local_when
from colbot.partners.staff import partner_of, staff_or_refuse
from colbot.storage import audit
from colbot.storage.models import Opportunity, StaffMember

NEWCODE_OPPORTUNITY = "nco"
NEWCODE_USES = "ncu"
NEWCODE_EXPIRY = "nce"
REVOKE = "rvk"
TASK_USES = "staff.uses"
SESSION_CODE_USES = 30
RECENT_OPPORTUNITY_DAYS = 7
OPPORTUNITIES_ON_BUTTONS = 12
REFUSALS = {
    Refusal.ENDS_BEFORE_THE_SESSION: "staff.expiry_before_session_ends",
    Refusal.ALREADY_OVER: "staff.expiry_already_over",
}

BotUsername = Callable[[], str]


class CodeMaking:
    """/newcode, /codes and /revokecode: a partner's codes, made and stopped by its staff."""

    def __init__(
        self,
        tz: ZoneInfo,
        city_name: str,
        public_url: str,
        bot_username: BotUsername,
        early: timedelta = DEFAULT_CODE_EARLY,
    ) -> None:
        self.tz = tz
        self.city_name = city_name
        self.public_url = public_url
        self.bot_username = bot_username
        self.early = early

    def router(self) -> Router:
        """The staff commands for codes, their buttons and the typed number of uses."""
        routes = Router("codes.staff")
        routes.command("newcode", self.newcode, Audience.STAFF)
        routes.command("codes", self.list_codes, Audience.STAFF)
        routes.command("revokecode", self.revoke_menu, Audience.STAFF)
        for action, handler in (
            (NEWCODE_OPPORTUNITY, self.pick_uses),
            (NEWCODE_USES, self.pick_expiry),
            (NEWCODE_EXPIRY, self.make_code),
            (REVOKE, self.revoke),
        ):
            routes.action(action, handler)
        routes.text(self.typed_uses)
        return routes

    async def _own_opportunity(
        self, turn: Turn, member: StaffMember, target: str
    ) -> Opportunity | None:
        opportunity = await turn.session.get(Opportunity, int(target)) if target.isdigit() else None
        if opportunity is None or opportunity.partner_id != member.partner_id:
            await audit.record(
                turn.session,
                turn.now,
                member.external_id,
                member.channel,
                "code.refused",
                target,
                reason="not_own_opportunity",
            )
            turn.say("staff.not_yours")
            return None
        return opportunity

    async def _pressed_for_opportunity(
        self, turn: Turn
    ) -> tuple[StaffMember, ButtonData, Opportunity] | None:
        """The staff member, the button and the opportunity it names, if it is theirs."""
        member = staff_or_refuse(turn)
        data = ButtonData.decode(turn.inbound.button_data)
        if member is None or data is None:
            return None
        opportunity = await self._own_opportunity(turn, member, data.target.partition(":")[0])
        if opportunity is None:
            return None
        return member, data, opportunity

    async def newcode(self, turn: Turn) -> None:
        """Step 1 of /newcode: which opportunity."""
        member = staff_or_refuse(turn)
        if member is None:
            return
        partner = await partner_of(turn.session, member)
        since = turn.now - timedelta(days=RECENT_OPPORTUNITY_DAYS)
        opportunities = list(
            await turn.session.scalars(
                select(Opportunity)
                .where(Opportunity.partner_id == member.partner_id, Opportunity.ends_at > since)
                .order_by(Opportunity.starts_at)
                .limit(OPPORTUNITIES_ON_BUTTONS)
            )
        )
        if not opportunities:
            turn.say("staff.no_opportunities", partner=partner.name)
            return
        rows = tuple(
            (
                button(
                    f"{o.title} · {o.starts_at.astimezone(self.tz):%a %d %b %H:%M}"[:60],
                    NEWCODE_OPPORTUNITY,
                    str(o.id),
                ),
            )
            for o in opportunities
        )
        turn.send(Outbound(text=turn.text("staff.pick_opportunity"), buttons=rows))

    async def pick_uses(self, turn: Turn) -> None:
        """Step 2 of /newcode: how many young people may use it."""
        pressed = await self._pressed_for_opportunity(turn)
        if pressed is None:
            return
        _, _, opportunity = pressed
        target = str(opportunity.id)
        rows = (
            (button(turn.text("staff.uses_one"), NEWCODE_USES, target, "1"),),
            (
                button(
                    turn.text("staff.uses_session"), NEWCODE_USES, target, str(SESSION_CODE_USES)
                ),
            ),
            (button(turn.text("staff.uses_number"), NEWCODE_USES, target, "ask"),),
        )
        turn.send(Outbound(text=turn.text("staff.pick_uses"), buttons=rows))

    async def pick_expiry(self, turn: Turn) -> None:
        """Step 3 of /newcode: how long it works (or first ask for a typed number)."""
        pressed = await self._pressed_for_opportunity(turn)
        if pressed is None:
            return
        _, data, opportunity = pressed
        if data.value == "ask":
            turn.state.flow = TASK_USES
            turn.state.step = None
            turn.state.answers = {"opportunity": opportunity.id}
            turn.say("staff.ask_uses")
            return
        if not data.value.isdigit() or not 1 <= int(data.value) <= codes.MAX_USES_LIMIT:
            turn.say("staff.bad_uses")
            return
        self._ask_expiry(turn, opportunity, int(data.value))

    def _ask_expiry(self, turn: Turn, opportunity: Opportunity, uses: int) -> None:
        """The "how long" buttons: counted from the session when it has a set time."""
        target = f"{opportunity.id}:{uses}"
        times = codes.times_of(opportunity)
        labels = "staff.session_expiry_" if times.timing.is_fixed else "staff.expiry_"
        rows = tuple(
            (button(turn.text(f"{labels}{choice}"), NEWCODE_EXPIRY, target, choice),)
            for choice in Choice
        )
        opens = times.starts_at - self.early
        text = turn.text("staff.pick_expiry")
        if times.timing.is_fixed and opens > turn.now:
            text = turn.text(
                "staff.pick_session_expiry",
                opens=local_when(opens, self.tz),
                minutes=int(self.early.total_seconds() // 60),
            )
        turn.send(Outbound(text=text, buttons=rows))

    async def typed_uses(self, turn: Turn) -> bool:
        """Reads the number typed after "Type a number"."""
        if turn.task != TASK_USES:
            return False
        text = turn.inbound.text.strip()
        if not text.isdigit() or not 1 <= int(text) <= codes.MAX_USES_LIMIT:
            turn.say("staff.bad_uses")
            return True
        opportunity_id = str(turn.state.answers.get("opportunity", ""))
        turn.state.flow = None
        turn.state.answers = {}
        member = staff_or_refuse(turn)
        opportunity = await self._own_opportunity(turn, member, opportunity_id) if member else None
        if opportunity is not None:
            self._ask_expiry(turn, opportunity, int(text))
        return True

    def venue_poster_link(self, code: str) -> str:
        """The page every code's QR opens, offering the web chat (and Telegram, when on).

        A phone without Telegram can't follow a t.me link, and a venue wall is scanned by all.
        """
        return venue_link(self.public_url, code)

    async def make_code(self, turn: Turn) -> None:
        """Makes the code and sends it with its QR image and a printable card.

        A choice that would leave no time to use the code after the session is refused, saying
        why, and the choices are offered again.
        """
        pressed = await self._pressed_for_opportunity(turn)
        if pressed is None:
            return
        member, data, opportunity = pressed
        uses_text = data.target.partition(":")[2]
        if data.value not in set(Choice) or not uses_text.isdigit():
            turn.say("common.unknown_button")
            return
        window = code_window(
            Choice(data.value), codes.times_of(opportunity), turn.now, self.early, self.tz
        )
        if isinstance(window, Refused):
            turn.say(
                REFUSALS[window.reason],
                until=local_when(window.closes_at, self.tz),
                ends=local_when(opportunity.ends_at, self.tz),
            )
            self._ask_expiry(turn, opportunity, int(uses_text))
            return
        partner = await partner_of(turn.session, member)
        code = await codes.make_code(
            turn.session, member, opportunity, int(uses_text), window, turn.now
        )
        shown = code_format.display(code.code)
        link = self.venue_poster_link(code.code)
        turn.say(
            "staff.code_made",
            title=opportunity.title,
            code=shown,
            uses=code.max_uses,
            opens=local_when(window.opens_at or turn.now, self.tz),
            until=local_when(window.closes_at, self.tz),
        )
        turn.send(
            Outbound(
                text=turn.text("staff.qr_caption", title=opportunity.title),
                image=Attachment(f"code-{code.code}.png", qr.qr_png(link), "image/png"),
            )
        )
        poster = posters.venue_poster_png(
            code_display=shown,
            url=self.venue_poster_link(code.code),
            opportunity_title=opportunity.title,
            partner_name=partner.name,
            city_name=self.city_name,
            instructions=turn.text(
                "staff.card_instructions",
                web_chat_address=self.public_url.split("://", 1)[-1].rstrip("/") + "/chat",
                bot=self.bot_username(),
            ),
        )
        turn.send(
            Outbound(
                text=turn.text("staff.card_caption"),
                file=Attachment(f"card-{code.code}.png", poster, "image/png"),
            )
        )

    async def list_codes(self, turn: Turn) -> None:
        """The partner's codes that work now or will later, each with when it works."""
        member = staff_or_refuse(turn)
        if member is None:
            return
        found = await codes.partner_codes(turn.session, member.partner_id, turn.now)
        if not found:
            turn.say("staff.codes_none")
            return
        who = await codes.redeemed_by(turn.session, [c.id for c, _ in found])
        lines = []
        for c, o in found:
            lines.append(
                turn.text(
                    "staff.codes_line",
                    code=code_format.display(c.code),
                    title=o.title,
                    uses=c.uses,
                    max_uses=c.max_uses,
                    opens=local_when(c.not_before or c.created_at, self.tz),
                    until=local_when(c.expires_at, self.tz),
                )
            )
            lines += [
                turn.text(
                    "staff.codes_redeemed_by",
                    name=name or turn.text("staff.no_nickname"),
                    when=f"{at.astimezone(self.tz):%a %d %b %H:%M}",
                )
                for name, at in who.get(c.id, [])
            ]
        turn.send(Outbound(text="\n".join(lines)))

    async def revoke_menu(self, turn: Turn) -> None:
        """Which code to stop: typed after the command, or picked from buttons."""
        member = staff_or_refuse(turn)
        if member is None:
            return
        found = await codes.partner_codes(turn.session, member.partner_id, turn.now)
        if turn.inbound.args:
            wanted = code_format.normalise("".join(turn.inbound.args))
            match = next((c for c, _ in found if c.code == wanted), None)
            await self._revoke(turn, member, match.id if match else None)
            return
        if not found:
            turn.say("staff.codes_none")
            return
        rows = tuple(
            (button(f"{code_format.display(c.code)} · {o.title}"[:60], REVOKE, str(c.id)),)
            for c, o in found[:OPPORTUNITIES_ON_BUTTONS]
        )
        turn.send(Outbound(text=turn.text("staff.revoke_pick"), buttons=rows))

    async def revoke(self, turn: Turn) -> None:
        member = staff_or_refuse(turn)
        data = ButtonData.decode(turn.inbound.button_data)
        if member is None or data is None:
            return
        await self._revoke(turn, member, int(data.target) if data.target.isdigit() else None)

    async def _revoke(self, turn: Turn, member: StaffMember, code_id: int | None) -> None:
        code = await codes.revoke_code(turn.session, member, code_id, turn.now) if code_id else None
        if code is None:
            turn.say("staff.revoke_unknown")
            return
        turn.say("staff.revoked", code=code_format.display(code.code))
