"""Partner staff in the chat: joining by invite, the partner menu, opportunities, figures, team."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from colbot.catalogue import store as catalogue
from colbot.catalogue.store import OpportunityFields
from colbot.chat.buttons import RUN_COMMAND, ButtonData, button
from colbot.chat.messages import Button, Outbound
from colbot.chat.router import Audience, FlowHooks, Router
from colbot.chat.turn import Actor, Turn
from colbot.domain.when import local_when
from colbot.partners import stats
from colbot.partners import store as partners
from colbot.partners.staff import partner_of, staff_or_refuse
from colbot.pathways.definitions import Pathways
from colbot.pathways.towards import partner_towards
from colbot.storage.models import Partner
from colbot.web.paths import web_chat_start

# The partner menu's buttons: the label (staff.menu_<label>) and the command each one runs.
MENU = (
    ("newcode", "newcode"),
    ("codes", "codes"),
    ("add", "addopportunity"),
    ("stats", "stats"),
    ("invite", "invite"),
    ("staff", "staff"),
)
INVITE_FOR = "inv"
REMOVE_STAFF = "rms"

BotUsername = Callable[[], str]


class Staff:
    """The partner side of the bot, for staff members and city admins."""

    def __init__(
        self,
        tz: ZoneInfo,
        public_url: str,
        bot_username: BotUsername,
        pathways: Pathways | None = None,
    ) -> None:
        self.tz = tz
        # With them, /stats says which pathways the partner's sessions count towards.
        self.pathways = pathways
        self.public_url = public_url
        self.bot_username = bot_username

    def router(self) -> Router:
        """The staff commands (in staff's menu), their buttons and the invite link."""
        routes = Router("partners")
        for name, handler in (
            ("partner", self.menu),
            ("addopportunity", self.add_opportunity),
            ("stats", self.stats),
        ):
            routes.command(name, handler, Audience.STAFF)
        routes.command("invite", self.invite, Audience.STAFF, Audience.CITY_ADMIN)
        routes.command("staff", self.staff_list, Audience.STAFF)
        routes.action(INVITE_FOR, self.invite_for)
        routes.action(REMOVE_STAFF, self.remove_staff)
        routes.start_payload(self.join)
        routes.flow("add_opportunity", FlowHooks(on_finish=self.opportunity_added))
        return routes

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
        turn.send(Outbound(text="", menu=tuple(turn.menu_for(Actor(staff=joined.staff)))))
        return True

    async def menu(self, turn: Turn) -> None:
        """The partner menu."""
        member = staff_or_refuse(turn)
        if member is None:
            return
        partner = await partner_of(turn.session, member)
        buttons = [button(turn.text(f"staff.menu_{label}"), RUN_COMMAND, c) for label, c in MENU]
        rows = tuple(tuple(buttons[i : i + 2]) for i in range(0, len(buttons), 2))
        turn.send(Outbound(text=turn.text("staff.menu", partner=partner.name), buttons=rows))

    async def add_opportunity(self, turn: Turn) -> None:
        """Starts the short conversation that adds an opportunity."""
        if staff_or_refuse(turn) is None:
            return
        await turn.flows.start(turn, "add_opportunity")

    async def opportunity_added(self, turn: Turn, answers: dict[str, Any]) -> None:
        """Writes the new opportunity from the answers gathered."""
        member = staff_or_refuse(turn)
        if member is None:
            return
        partner = await partner_of(turn.session, member)
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
        member = staff_or_refuse(turn)
        if member is None:
            return
        partner = await partner_of(turn.session, member)
        figures = await stats.partner_figures(turn.session, member.partner_id, turn.now)
        lines = [
            turn.text(
                "staff.stats", partner=partner.name, recent=figures.recent, total=figures.total
            )
        ]
        lines += [turn.text("staff.stats_line", **row) for row in figures.by_opportunity]
        if self.pathways is not None:
            towards = await partner_towards(turn.session, member.partner_id, self.pathways)
            if towards:
                lines.append(turn.text("staff.stats_pathways", towards=towards))
        turn.send(Outbound(text="\n".join(lines)))

    async def invite(self, turn: Turn) -> None:
        """A one-time invite link: partner admins for their partner, city admins for any."""
        if turn.actor.city_admin:
            chosen = [a for a in turn.inbound.args if a]
            if chosen:
                partner = await catalogue.find_partner(turn.session, " ".join(chosen))
                if partner is not None:
                    await self._send_invite(turn, partner)
                    return
            all_partners = await partners.list_partners(turn.session)
            rows = tuple((button(p.name[:60], INVITE_FOR, str(p.id)),) for p, _ in all_partners)
            turn.send(Outbound(text=turn.text("staff.invite_pick_partner"), buttons=rows[:50]))
            return
        member = staff_or_refuse(turn)
        if member is None:
            return
        if not member.is_admin:
            turn.say("staff.not_admin")
            return
        await self._send_invite(turn, await partner_of(turn.session, member))

    async def invite_for(self, turn: Turn) -> None:
        data = ButtonData.decode(turn.inbound.button_data)
        partner = (
            await turn.session.get(Partner, int(data.target))
            if data and data.target.isdigit()
            else None
        )
        if not turn.actor.city_admin or partner is None:
            turn.say("staff.not_admin")
            return
        await self._send_invite(turn, partner)

    async def _send_invite(self, turn: Turn, partner: Partner) -> None:
        payload = await partners.create_invite(
            turn.session, partner, turn.now, turn.inbound.chat_id, turn.inbound.channel
        )
        bot = self.bot_username()
        turn.say(
            "staff.invite_made",
            partner=partner.name,
            link=web_chat_start(self.public_url, payload),
            telegram_link=partners.invite_link(bot, payload) if bot else "",
        )

    async def staff_list(self, turn: Turn) -> None:
        """The partner's staff; admins get a button to remove each of the others."""
        member = staff_or_refuse(turn)
        if member is None:
            return
        partner = await partner_of(turn.session, member)
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
                    button(
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
        member = staff_or_refuse(turn)
        data = ButtonData.decode(turn.inbound.button_data)
        if member is None or data is None or not data.target.isdigit():
            return
        removed = await partners.remove_staff(turn.session, member, int(data.target), turn.now)
        if removed is None:
            turn.say("staff.staff_cannot_remove" if member.is_admin else "staff.not_admin")
            return
        turn.say("staff.staff_removed", name=removed.display_name or "Staff member")
