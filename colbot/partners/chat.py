"""Partner staff in the chat: joining by invite, making codes, adding opportunities, figures."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select

from colbot.catalogue import store as catalogue
from colbot.catalogue.store import OpportunityFields
from colbot.chat.buttons import ButtonData
from colbot.chat.engine import Engine
from colbot.chat.messages import Attachment, Button, Outbound
from colbot.chat.turn import Turn
from colbot.codes import cards
from colbot.codes import format as code_format
from colbot.codes import store as codes
from colbot.codes.venue_links import venue_link
from colbot.explore.chat import local_when
from colbot.partners import stats
from colbot.partners import store as partners
from colbot.storage import audit
from colbot.storage.models import Opportunity, Partner, StaffMember

STAFF_COMMANDS = (
    "partner",
    "newcode",
    "codes",
    "revokecode",
    "addopportunity",
    "stats",
    "invite",
    "staff",
    "dashboard",
)
NEWCODE_OPPORTUNITY = "nco"
NEWCODE_USES = "ncu"
NEWCODE_EXPIRY = "nce"
REVOKE = "rvk"
MENU = "pm"
INVITE_FOR = "inv"
REMOVE_STAFF = "rms"
TASK_USES = "staff.uses"
SESSION_CODE_USES = 30
RECENT_OPPORTUNITY_DAYS = 7
OPPORTUNITIES_ON_BUTTONS = 12
EXPIRY_CHOICES = ("default", "today", "week")

BotUsername = Callable[[], str]


def _button(label: str, action: str, target: str = "", value: str = "") -> Button:
    return Button(label, ButtonData(action, target, value).encode())


class Staff:
    """The partner side of the bot, for staff members and city admins."""

    def __init__(
        self,
        admins: frozenset[int],
        tz: ZoneInfo,
        city_name: str,
        public_url: str,
        bot_username: BotUsername,
    ) -> None:
        self.admins = admins
        self.tz = tz
        self.city_name = city_name
        self.public_url = public_url
        self.bot_username = bot_username

    def register(self, engine: Engine) -> None:
        """Adds the staff commands (hidden from the public menu) and the invite payload."""
        self.engine = engine
        for name, handler in (
            ("partner", self.menu),
            ("newcode", self.newcode),
            ("codes", self.list_codes),
            ("revokecode", self.revoke_menu),
            ("addopportunity", self.add_opportunity),
            ("stats", self.stats),
            ("invite", self.invite),
            ("staff", self.staff_list),
        ):
            engine.command(name, handler, in_menu=False)
        for action, handler in (
            (NEWCODE_OPPORTUNITY, self.pick_uses),
            (NEWCODE_USES, self.pick_expiry),
            (NEWCODE_EXPIRY, self.make_code),
            (REVOKE, self.revoke),
            (MENU, self.menu_choice),
            (INVITE_FOR, self.invite_for),
            (REMOVE_STAFF, self.remove_staff),
        ):
            engine.action(action, handler)
        engine.start_payloads.append(self.join)
        engine.text_handlers.append(self.typed_uses)
        engine.flows.on_done["add_opportunity"] = self.opportunity_added

    def staff_menu(self) -> tuple[tuple[str, str], ...]:
        """The command menu a staff member sees: everyone's commands plus the partner ones."""
        extra = tuple(
            (name, self.engine.content.render(f"commands.{name}")) for name in STAFF_COMMANDS
        )
        return (*self.engine.menu(), *extra)

    def is_city_admin(self, turn: Turn) -> bool:
        """City admins are Telegram users listed in COLBOT_ADMINS."""
        chat_id = turn.inbound.chat_id
        return (
            turn.inbound.channel == "telegram" and chat_id.isdigit() and int(chat_id) in self.admins
        )

    async def _staff(self, turn: Turn) -> StaffMember | None:
        """The staff membership of whoever sent this, or a polite refusal."""
        member = await partners.staff_member(
            turn.session, turn.inbound.channel, turn.inbound.chat_id
        )
        if member is None:
            turn.say("staff.not_staff")
        return member

    async def _partner(self, turn: Turn, member: StaffMember) -> Partner:
        partner = await turn.session.get(Partner, member.partner_id)
        assert partner is not None
        return partner

    async def join(self, turn: Turn, payload: str) -> bool:
        """Opens an invite link: the opener becomes staff of its partner."""
        if not partners.is_invite_payload(payload):
            return False
        joined = await partners.accept_invite(
            turn.session,
            payload,
            turn.inbound.channel,
            turn.inbound.chat_id,
            turn.inbound.first_name,
            turn.now,
        )
        partner_name = joined.partner.name if joined.partner else ""
        if joined.problem is not None:
            turn.say(f"staff.invite_{joined.problem.value}", partner=partner_name)
            return True
        assert joined.staff is not None
        turn.say("staff.welcome", partner=partner_name, admin=joined.staff.is_admin)
        turn.send(Outbound(text="", menu=self.staff_menu()))
        return True

    async def menu(self, turn: Turn) -> None:
        """The partner menu."""
        member = await self._staff(turn)
        if member is None:
            return
        partner = await self._partner(turn, member)
        choices = ("newcode", "codes", "add", "stats", "invite", "staff")
        buttons = [_button(turn.text(f"staff.menu_{c}"), MENU, c) for c in choices]
        rows = tuple(tuple(buttons[i : i + 2]) for i in range(0, len(buttons), 2))
        turn.send(Outbound(text=turn.text("staff.menu", partner=partner.name), buttons=rows))

    async def menu_choice(self, turn: Turn) -> None:
        data = ButtonData.decode(turn.inbound.button_data)
        handlers = {
            "newcode": self.newcode,
            "codes": self.list_codes,
            "add": self.add_opportunity,
            "stats": self.stats,
            "invite": self.invite,
            "staff": self.staff_list,
        }
        handler = handlers.get(data.target if data else "")
        if handler is None:
            turn.say("common.unknown_button")
            return
        await handler(turn)

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
        member = await self._staff(turn)
        data = ButtonData.decode(turn.inbound.button_data)
        if member is None or data is None:
            return None
        opportunity = await self._own_opportunity(turn, member, data.target.partition(":")[0])
        if opportunity is None:
            return None
        return member, data, opportunity

    async def newcode(self, turn: Turn) -> None:
        """Step 1 of /newcode: which opportunity."""
        member = await self._staff(turn)
        if member is None:
            return
        partner = await self._partner(turn, member)
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
                _button(
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
            (_button(turn.text("staff.uses_one"), NEWCODE_USES, target, "1"),),
            (
                _button(
                    turn.text("staff.uses_session"), NEWCODE_USES, target, str(SESSION_CODE_USES)
                ),
            ),
            (_button(turn.text("staff.uses_number"), NEWCODE_USES, target, "ask"),),
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
        self._ask_expiry(turn, opportunity.id, int(data.value))

    def _ask_expiry(self, turn: Turn, opportunity_id: int, uses: int) -> None:
        target = f"{opportunity_id}:{uses}"
        rows = tuple(
            (_button(turn.text(f"staff.expiry_{choice}"), NEWCODE_EXPIRY, target, choice),)
            for choice in EXPIRY_CHOICES
        )
        turn.send(Outbound(text=turn.text("staff.pick_expiry"), buttons=rows))

    async def typed_uses(self, turn: Turn) -> bool:
        """Reads the number typed after "Type a number"."""
        if turn.task != TASK_USES:
            return False
        text = turn.inbound.text.strip()
        if not text.isdigit() or not 1 <= int(text) <= codes.MAX_USES_LIMIT:
            turn.say("staff.bad_uses")
            return True
        opportunity_id = int(turn.state.answers.get("opportunity", 0))
        turn.state.flow = None
        turn.state.answers = {}
        self._ask_expiry(turn, opportunity_id, int(text))
        return True

    def expiry(self, choice: str, opportunity: Opportunity, now: datetime) -> datetime:
        """When a new code stops working, by the staff member's choice."""
        if choice == "today":
            return datetime.combine(
                now.astimezone(self.tz).date(), time(23, 59, 59), tzinfo=self.tz
            )
        if choice == "week":
            return now + timedelta(days=7)
        return codes.default_expiry(max(opportunity.ends_at, now), self.tz)

    def code_link(self, code: str) -> str:
        """The deep link the QR image in the chat opens: the bot, with the code."""
        return code_format.deep_link(self.bot_username(), code)

    def venue_card_link(self, code: str) -> str:
        """The page the wall card's QR opens, offering Telegram and the web chat with the code.

        A phone without Telegram can't follow a t.me link, and a venue wall is scanned by all.
        """
        return venue_link(self.public_url, code)

    async def make_code(self, turn: Turn) -> None:
        """Makes the code and sends it with its QR image and a printable card."""
        pressed = await self._pressed_for_opportunity(turn)
        if pressed is None:
            return
        member, data, opportunity = pressed
        uses_text = data.target.partition(":")[2]
        if data.value not in EXPIRY_CHOICES or not uses_text.isdigit():
            turn.say("common.unknown_button")
            return
        partner = await self._partner(turn, member)
        expires_at = self.expiry(data.value, opportunity, turn.now)
        code = await codes.make_code(
            turn.session, member, opportunity, int(uses_text), expires_at, turn.now
        )
        shown = code_format.display(code.code)
        link = self.code_link(code.code)
        turn.say(
            "staff.code_made",
            title=opportunity.title,
            code=shown,
            uses=code.max_uses,
            until=local_when(expires_at, self.tz),
        )
        turn.send(
            Outbound(
                text=turn.text("staff.qr_caption", title=opportunity.title),
                image=Attachment(f"code-{code.code}.png", cards.qr_png(link), "image/png"),
            )
        )
        card = cards.venue_card_png(
            code_display=shown,
            url=self.venue_card_link(code.code),
            opportunity_title=opportunity.title,
            partner_name=partner.name,
            city_name=self.city_name,
            instructions=turn.text("staff.card_instructions"),
        )
        turn.send(
            Outbound(
                text=turn.text("staff.card_caption"),
                file=Attachment(f"card-{code.code}.png", card, "image/png"),
            )
        )

    async def list_codes(self, turn: Turn) -> None:
        """The partner's codes that still work."""
        member = await self._staff(turn)
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
        member = await self._staff(turn)
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
            (_button(f"{code_format.display(c.code)} · {o.title}"[:60], REVOKE, str(c.id)),)
            for c, o in found[:OPPORTUNITIES_ON_BUTTONS]
        )
        turn.send(Outbound(text=turn.text("staff.revoke_pick"), buttons=rows))

    async def revoke(self, turn: Turn) -> None:
        member = await self._staff(turn)
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

    async def add_opportunity(self, turn: Turn) -> None:
        """Starts the short conversation that adds an opportunity."""
        if await self._staff(turn) is None:
            return
        await self.engine.flows.start(turn, "add_opportunity")

    async def opportunity_added(self, turn: Turn, answers: dict[str, Any]) -> None:
        """Writes the new opportunity from the answers gathered."""
        member = await self._staff(turn)
        if member is None:
            return
        partner = await self._partner(turn, member)
        starts_at = datetime.fromisoformat(answers["starts_at"])
        low, high = answers["ages"]
        places = int(answers["places"])
        fields = OpportunityFields(
            source_id=f"bot-{turn.now:%Y%m%d%H%M%S}-{member.id}",
            title=answers["title"],
            description="",
            passions=tuple(answers["passions"] or ()),
            starts_at=starts_at,
            ends_at=starts_at + timedelta(hours=float(answers["duration"])),
            venue=answers["place"]["venue"],
            address="",
            postcode=answers["place"]["postcode"],
            area_id=None,
            latitude=None,
            longitude=None,
            min_age=low,
            max_age=high,
            cost_pence=0,
            learning_hours=float(answers["hours"]),
            capacity=places or None,
            url=None,
            badge_class_id=None,
        )
        await catalogue.upsert_opportunity(turn.session, partner, fields, turn.now)
        turn.say("staff.add_done", title=fields.title, when=local_when(starts_at, self.tz))

    async def stats(self, turn: Turn) -> None:
        """The partner's figures: last 30 days and all time, then per opportunity."""
        member = await self._staff(turn)
        if member is None:
            return
        partner = await self._partner(turn, member)
        figures = await stats.partner_figures(turn.session, member.partner_id, turn.now)
        lines = [
            turn.text(
                "staff.stats", partner=partner.name, recent=figures.recent, total=figures.total
            )
        ]
        lines += [turn.text("staff.stats_line", **row) for row in figures.by_opportunity]
        turn.send(Outbound(text="\n".join(lines)))

    async def invite(self, turn: Turn) -> None:
        """A one-time invite link: partner admins for their partner, city admins for any."""
        if self.is_city_admin(turn):
            chosen = [a for a in turn.inbound.args if a]
            if chosen:
                partner = await catalogue.find_partner(turn.session, " ".join(chosen))
                if partner is not None:
                    await self._send_invite(turn, partner)
                    return
            all_partners = await partners.list_partners(turn.session)
            rows = tuple((_button(p.name[:60], INVITE_FOR, str(p.id)),) for p, _ in all_partners)
            turn.send(Outbound(text=turn.text("staff.invite_pick_partner"), buttons=rows[:50]))
            return
        member = await self._staff(turn)
        if member is None:
            return
        if not member.is_admin:
            turn.say("staff.not_admin")
            return
        await self._send_invite(turn, await self._partner(turn, member))

    async def invite_for(self, turn: Turn) -> None:
        data = ButtonData.decode(turn.inbound.button_data)
        partner = (
            await turn.session.get(Partner, int(data.target))
            if data and data.target.isdigit()
            else None
        )
        if not self.is_city_admin(turn) or partner is None:
            turn.say("staff.not_admin")
            return
        await self._send_invite(turn, partner)

    async def _send_invite(self, turn: Turn, partner: Partner) -> None:
        payload = await partners.create_invite(
            turn.session, partner, turn.now, turn.inbound.chat_id, turn.inbound.channel
        )
        link = partners.invite_link(self.bot_username(), payload)
        turn.say("staff.invite_made", partner=partner.name, link=link)

    async def staff_list(self, turn: Turn) -> None:
        """The partner's staff; admins get a button to remove each of the others."""
        member = await self._staff(turn)
        if member is None:
            return
        partner = await self._partner(turn, member)
        team = await partners.active_staff(turn.session, member.partner_id)
        lines = [turn.text("staff.staff_list", partner=partner.name)]
        lines += [
            turn.text("staff.staff_line", name=s.display_name or "Staff member", admin=s.is_admin)
            for s in team
        ]
        buttons: Sequence[tuple[Button, ...]] = ()
        if member.is_admin:
            buttons = tuple(
                (
                    _button(
                        turn.text("staff.staff_remove", name=s.display_name or "staff member")[:60],
                        REMOVE_STAFF,
                        str(s.id),
                    ),
                )
                for s in team
                if s.id != member.id
            )
        turn.send(Outbound(text="\n".join(lines), buttons=tuple(buttons)))

    async def remove_staff(self, turn: Turn) -> None:
        member = await self._staff(turn)
        data = ButtonData.decode(turn.inbound.button_data)
        if member is None or data is None or not data.target.isdigit():
            return
        removed = await partners.remove_staff(turn.session, member, int(data.target), turn.now)
        if removed is None:
            turn.say("staff.staff_cannot_remove" if member.is_admin else "staff.not_admin")
            return
        turn.say("staff.staff_removed", name=removed.display_name or "Staff member")
