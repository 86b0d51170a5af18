"""Exploring: recommendation cards and what can be done with them (save, remind, dismiss)."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import replace
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import func, select

from colbot.chat.buttons import ButtonData, button
from colbot.chat.messages import Button, Outbound
from colbot.chat.router import FlowHooks, Router
from colbot.chat.steps import PassionChoice
from colbot.chat.turn import Turn
from colbot.dashboard import funnel
from colbot.domain.passions import PassionMatcher
from colbot.domain.reading import Words
from colbot.domain.when import local_when
from colbot.explore.actions import (
    CANT_MAKE_IT,
    DISMISS,
    EXPLORE,
    FILTER,
    MORE_LIKE,
    REASON,
    REMIND,
    SAVE,
    SURPRISE,
    TURN,
    UNSAVE,
)
from colbot.explore.cards import Cards
from colbot.explore.paged import Turning, paged_card, paged_end
from colbot.explore.ranking import Ranked, Seeker, similar_to
from colbot.explore.recommend import (
    PAGE_SIZE,
    Recommender,
    card_query,
    other_dates,
    record_shown,
)
from colbot.outreach.leads import DEFAULT_REMINDER_LEADS, Lead, parse_leads, reminder_times
from colbot.storage.models import Dismissal, Opportunity, Partner, Reminder, SavedItem

PICK_TASK = "explore.pick"
REASON_TASK = "explore.reason"
OPPORTUNITY_KEY = "opportunity"
DISMISS_REASONS = ("far", "time", "interest", "cost")
MORE_LIKE_COUNT = 3
CARDS = "cards"
PAGED = "paged"


class Explorer:
    """Shows recommendation cards and handles the buttons on them."""

    def __init__(
        self,
        recommender: Recommender,
        passions: tuple[PassionChoice, ...],
        tz: ZoneInfo,
        leads: tuple[Lead, ...] | None = None,
        matcher: PassionMatcher | None = None,
        words: Words | None = None,
        layout: str = CARDS,
    ) -> None:
        # COLBOT_EXPLORE_LAYOUT: five card messages, or one paged message (see explore/paged.py).
        self.layout = layout
        # Reads a reason typed after "Not for me" ("its too far"), in the person's language.
        self.words = words or Words()
        # Reads a passion typed after "Pick a passion" ("footy"), as onboarding does.
        self.matcher = matcher
        self.leads = leads if leads is not None else parse_leads(DEFAULT_REMINDER_LEADS)
        self.recommender = recommender
        self.passions = passions
        self.tz = tz
        self.cards = Cards(tz, {p.id: p.label for p in passions})

    def router(self) -> Router:
        """/explore, /saved, the card buttons, and recommendations once the questions are done."""
        routes = Router("explore")
        routes.command("explore", self.explore)
        routes.command("saved", self.saved)
        for action, handler in (
            (EXPLORE, self.next_page),
            (TURN, self.turn_page),
            (SAVE, self.save),
            (REMIND, self.remind),
            (DISMISS, self.dismiss),
            (REASON, self.reason),
            (MORE_LIKE, self.more_like),
            (FILTER, self.filter),
            (SURPRISE, self.surprise),
            (UNSAVE, self.unsave),
            (CANT_MAKE_IT, self.cant_make_it),
        ):
            routes.action(action, handler)
        routes.text(self.typed_passion)
        routes.text(self.typed_reason)
        routes.flow("onboarding", FlowHooks(on_finish=self._after_onboarding))
        return routes

    async def typed_passion(self, turn: Turn) -> bool:
        """A passion typed after "Pick a passion" shows its page; anything else passes on."""
        if turn.task != PICK_TASK:
            return False
        turn.state.flow = None
        known = {p.id for p in self.passions}
        found = (
            [p for p in self.matcher.match(turn.inbound.text) if p in known] if self.matcher else []
        )
        if len(found) != 1:
            return False
        turn.say("common.got_it", what=self.cards.passion_names[found[0]])
        await self.show_page(turn, 0, found[0])
        return True

    async def typed_reason(self, turn: Turn) -> bool:
        """A reason typed after "Not for me" counts as a tap; only the very next message does."""
        if turn.task != REASON_TASK:
            return False
        target = turn.state.answers.get(OPPORTUNITY_KEY)
        turn.state.flow = None
        turn.state.answers = {}
        if self.words.command_in(turn.inbound.text) or turn.person is None:
            return False
        reason = self.words.reason_in(turn.inbound.text)
        if reason is None:
            turn.say("explore.reason_other")  # the words themselves are not kept
            return True
        await self._keep_reason(turn, target, reason)
        turn.say("common.got_it", what=turn.text(f"explore.reason_{reason}"))
        turn.say("explore.reason_thanks")
        return True

    async def _keep_reason(self, turn: Turn, target: object, reason: str) -> None:
        if turn.person is None or not isinstance(target, int):
            return
        dismissal = await turn.session.scalar(
            select(Dismissal).where(
                Dismissal.young_person_id == turn.person.id,
                Dismissal.opportunity_id == target,
            )
        )
        if dismissal is not None:
            dismissal.reason = reason

    async def _after_onboarding(self, turn: Turn, answers: dict[str, Any]) -> None:
        await self.after_onboarding(turn)

    async def explore(self, turn: Turn) -> None:
        """The first page of recommendations."""
        await self.show_page(turn, page=0, only_passion=None)

    async def after_onboarding(self, turn: Turn) -> None:
        """Shows recommendations straight after onboarding."""
        await self.show_page(turn, page=0, only_passion=None)

    async def _seeker(self, turn: Turn) -> Seeker | None:
        if turn.person is None:
            turn.offer_start()
            return None
        return await self.recommender.seeker(turn.session, turn.person)

    async def show_page(self, turn: Turn, page: int, only_passion: str | None) -> None:
        """Shows one page of cards and the buttons below them (or, paged, its first idea)."""
        seeker = await self._seeker(turn)
        if seeker is None or turn.person is None:
            return
        ranked = await self.recommender.ranked(turn.session, seeker, turn.now, only_passion)
        if self.layout == PAGED:
            await self._show_idea(turn, ranked, page * PAGE_SIZE, only_passion, edit=False)
            return
        shown = ranked[page * PAGE_SIZE : (page + 1) * PAGE_SIZE]
        if not shown:
            turn.send(
                self._footer(
                    turn, "explore.no_more" if page else "explore.nothing", None, only_passion
                )
            )
            return
        if page == 0:
            passion = self.cards.passion_names.get(only_passion or "", "")
            turn.say("explore.intro_filtered" if only_passion else "explore.intro", passion=passion)
        await self._cards(turn, shown, f"page{page}")
        more = len(ranked) > (page + 1) * PAGE_SIZE
        turn.send(self._footer(turn, "explore.footer", page + 1 if more else None, only_passion))

    async def _cards(self, turn: Turn, shown: Sequence[Ranked], context: str) -> None:
        for card in await self._drawn(turn, shown, context):
            turn.send(card)

    async def _drawn(
        self, turn: Turn, shown: Sequence[Ranked], context: str, first: int = 0
    ) -> list[Outbound]:
        """Draws these ranked ideas as cards and notes them shown (from place `first` on)."""
        assert turn.person is not None
        ids = [item.candidate.id for item in shown]
        rows = await turn.session.execute(card_query(ids))
        details = {opportunity.id: (opportunity, partner) for opportunity, partner in rows}
        also = await other_dates(turn.session, (o for o, _ in details.values()), turn.now)
        drawn = []
        for item in shown:
            opportunity, partner = details[item.candidate.id]
            drawn.append(
                self.cards.card(turn, item, opportunity, partner, also.get(opportunity.id, ()))
            )
        first_time = await funnel.first_shown(turn.session, turn.person.id, ids)
        self._count(turn, funnel.RECOMMENDED, first_time)
        await record_shown(turn.session, turn.person, shown, context[:16], turn.now, first)
        return drawn

    async def _show_idea(
        self,
        turn: Turn,
        ranked: Sequence[Ranked],
        index: int,
        only_passion: str | None,
        edit: bool,
    ) -> None:
        """The paged layout: one idea as one message, which ◀ ▶ then edit in place."""
        if not ranked:
            footer = self._footer(turn, "explore.nothing", None, only_passion)
            turn.send(replace(footer, edit=edit))
            return
        if index >= len(ranked):
            turn.send(paged_end(turn, len(ranked), only_passion))
            return
        item = ranked[index]
        (card,) = await self._drawn(turn, [item], PAGED, first=index)
        if index == 0:
            passion = self.cards.passion_names.get(only_passion or "", "")
            key = "explore.intro_filtered" if only_passion else "explore.intro"
            heading = turn.text(key, passion=passion)
        else:
            heading = turn.text("explore.paged_idea", number=index + 1)
        has_next = index + 1 < len(ranked)
        turn.send(
            paged_card(turn, card, index, item.candidate.id, has_next, only_passion, heading, edit)
        )

    async def turn_page(self, turn: Turn) -> None:
        """◀ or ▶ on the paged message: shows the idea before or after, in the same message."""
        turning = Turning.read(ButtonData.decode(turn.inbound.button_data))
        if turning is None:
            turn.say("common.unknown_button")
            return
        seeker = await self._seeker(turn)
        if seeker is None:
            return
        only = turning.only_passion if turning.only_passion in self.cards.passion_names else None
        ranked = await self.recommender.ranked(turn.session, seeker, turn.now, only)
        index = turning.lands_on([item.candidate.id for item in ranked])
        await self._show_idea(turn, ranked, index, only, edit=True)

    def _footer(
        self, turn: Turn, key: str, next_page: int | None, only_passion: str | None
    ) -> Outbound:
        rows: list[tuple[Button, ...]] = []
        if next_page is not None:
            rows.append(
                (
                    button(
                        turn.text("explore.next_page"), EXPLORE, only_passion or "", str(next_page)
                    ),
                )
            )
        rows.append(
            (
                button(turn.text("explore.filter"), FILTER),
                button(turn.text("explore.surprise"), SURPRISE),
            )
        )
        return Outbound(text=turn.text(key), buttons=tuple(rows))

    async def next_page(self, turn: Turn) -> None:
        data = ButtonData.decode(turn.inbound.button_data)
        assert data is not None
        page = int(data.value) if data.value.isdigit() else 0
        only = data.target if data.target in self.cards.passion_names else None
        await self.show_page(turn, page, only)

    async def filter(self, turn: Turn) -> None:
        data = ButtonData.decode(turn.inbound.button_data)
        assert data is not None
        if data.target in self.cards.passion_names:
            if turn.task == PICK_TASK:
                turn.state.flow = None
            await self.show_page(turn, 0, data.target)
            return
        buttons = [button(p.label, FILTER, p.id) for p in self.passions]
        rows = tuple(tuple(buttons[i : i + 2]) for i in range(0, len(buttons), 2))
        turn.send(Outbound(text=turn.text("explore.filter_ask"), buttons=rows))
        if not turn.in_flow:
            turn.state.flow = PICK_TASK  # a typed passion counts as a tap

    async def surprise(self, turn: Turn) -> None:
        seeker = await self._seeker(turn)
        if seeker is None:
            return
        found = await self.recommender.surprise(turn.session, seeker, turn.now)
        if found is None:
            turn.say("explore.no_surprise")
            return
        turn.say("explore.surprise_intro")
        await self._cards(turn, [found], "surprise")

    async def more_like(self, turn: Turn) -> None:
        opportunity = await self._opportunity(turn)
        seeker = await self._seeker(turn)
        if opportunity is None or seeker is None:
            return
        wanted = {p.passion_id for p in opportunity.passions}
        like = Seeker(
            **{
                **seeker.__dict__,
                "passions": frozenset(wanted),
                "excluded": seeker.excluded | {opportunity.id},
            }
        )
        ranked = await self.recommender.ranked(turn.session, like, turn.now)
        similar = similar_to(ranked, frozenset(wanted), seeker, MORE_LIKE_COUNT)
        if not similar:
            turn.say("explore.no_more")
            return
        turn.say("explore.more_like_intro")
        await self._cards(turn, similar, "more_like")

    async def _opportunity(self, turn: Turn, must_be_upcoming: bool = True) -> Opportunity | None:
        data = ButtonData.decode(turn.inbound.button_data)
        opportunity = None
        if data is not None and data.target.isdigit():
            opportunity = await turn.session.get(Opportunity, int(data.target))
        if opportunity is None:
            turn.say("common.unknown_button")
            return None
        if must_be_upcoming and opportunity.starts_at <= turn.now:
            turn.say("explore.gone")
            return None
        return opportunity

    async def _places_taken(self, turn: Turn, opportunity: Opportunity) -> int:
        return (
            await turn.session.scalar(
                select(func.count())
                .select_from(SavedItem)
                .where(SavedItem.opportunity_id == opportunity.id)
            )
            or 0
        )

    async def _saved_item(self, turn: Turn, opportunity: Opportunity) -> SavedItem | None:
        assert turn.person is not None
        return await turn.session.scalar(
            select(SavedItem).where(
                SavedItem.young_person_id == turn.person.id,
                SavedItem.opportunity_id == opportunity.id,
            )
        )

    async def _hold_place(self, turn: Turn, opportunity: Opportunity) -> bool:
        """Saves the opportunity for them if there is room; False if it is full."""
        assert turn.person is not None
        if await self._saved_item(turn, opportunity) is not None:
            return True
        if (
            opportunity.capacity is not None
            and await self._places_taken(turn, opportunity) >= opportunity.capacity
        ):
            return False
        turn.session.add(
            SavedItem(
                young_person_id=turn.person.id, opportunity_id=opportunity.id, saved_at=turn.now
            )
        )
        self._count(turn, funnel.SAVED, [opportunity.id])
        await turn.session.flush()
        return True

    def _count(self, turn: Turn, stage: str, opportunity_ids: Collection[int]) -> None:
        """Adds to the day's funnel counts (see Turn.count_shared): everyone shown the same card
        adds to the same row."""
        if opportunity_ids:
            now, tz = turn.now, self.tz
            turn.count_shared(
                lambda session: funnel.count(session, stage, opportunity_ids, now, tz)
            )

    async def save(self, turn: Turn) -> None:
        opportunity = await self._opportunity(turn)
        if opportunity is None or await self._seeker(turn) is None:
            return
        already = await self._saved_item(turn, opportunity) is not None
        if not await self._hold_place(turn, opportunity):
            turn.say("explore.full")
            return
        turn.say("explore.already_saved" if already else "explore.saved")

    async def remind(self, turn: Turn) -> None:
        opportunity = await self._opportunity(turn)
        if opportunity is None or turn.person is None:
            if turn.person is None:
                turn.offer_start()
            return
        existing = await turn.session.scalar(
            select(func.count())
            .select_from(Reminder)
            .where(
                Reminder.young_person_id == turn.person.id,
                Reminder.opportunity_id == opportunity.id,
                Reminder.cancelled_at.is_(None),
            )
        )
        if existing:
            turn.say("explore.remind_already")
            return
        if not await self._hold_place(turn, opportunity):
            turn.say("explore.full")
            return
        if await funnel.is_first_reminder(turn.session, turn.person.id, opportunity.id):
            self._count(turn, funnel.REMINDED, [opportunity.id])
        for due in self.reminder_times(opportunity.starts_at, turn.now):
            turn.session.add(
                Reminder(young_person_id=turn.person.id, opportunity_id=opportunity.id, due_at=due)
            )
        turn.say("explore.remind_set", when=local_when(opportunity.starts_at, self.tz))

    def reminder_times(self, starts_at: datetime, now: datetime) -> list[datetime]:
        """The reminder times from COLBOT_REMINDER_LEADS, leaving out any already past."""
        return reminder_times(starts_at, now, self.leads, self.tz)

    async def dismiss(self, turn: Turn) -> None:
        opportunity = await self._opportunity(turn, must_be_upcoming=False)
        if opportunity is None or turn.person is None:
            return
        exists = await turn.session.scalar(
            select(Dismissal).where(
                Dismissal.young_person_id == turn.person.id,
                Dismissal.opportunity_id == opportunity.id,
            )
        )
        if exists is None:
            turn.session.add(
                Dismissal(
                    young_person_id=turn.person.id,
                    opportunity_id=opportunity.id,
                    dismissed_at=turn.now,
                )
            )
        target = str(opportunity.id)
        reasons = [
            button(turn.text(f"explore.reason_{r}"), REASON, target, r) for r in DISMISS_REASONS
        ]
        turn.send(
            Outbound(
                text=turn.text("explore.dismissed"),
                buttons=(tuple(reasons[:2]), tuple(reasons[2:])),
            )
        )
        if not turn.in_flow:
            turn.state.flow = REASON_TASK  # a reason typed next counts as a tap
            turn.state.answers = {OPPORTUNITY_KEY: opportunity.id}

    async def reason(self, turn: Turn) -> None:
        data = ButtonData.decode(turn.inbound.button_data)
        if (
            data is None
            or turn.person is None
            or data.value not in DISMISS_REASONS
            or not data.target.isdigit()
        ):
            turn.say("common.unknown_button")
            return
        await self._keep_reason(turn, int(data.target), data.value)
        if turn.task == REASON_TASK:
            turn.state.flow = None
            turn.state.answers = {}
        turn.send(Outbound(text=turn.text("explore.reason_thanks"), edit=True))

    async def saved(self, turn: Turn) -> None:
        """Lists what they saved that is still to come."""
        if turn.person is None:
            turn.offer_start()
            return
        rows = (
            await turn.session.execute(
                select(Opportunity, Partner.name)
                .join(SavedItem, SavedItem.opportunity_id == Opportunity.id)
                .join(Partner, Partner.id == Opportunity.partner_id)
                .where(
                    SavedItem.young_person_id == turn.person.id, Opportunity.starts_at > turn.now
                )
                .order_by(Opportunity.starts_at)
            )
        ).all()
        if not rows:
            turn.say("saved.none")
            return
        turn.say("saved.title")
        for opportunity, partner in rows:
            text = (
                f"{opportunity.title}\n{partner}\n📅 {local_when(opportunity.starts_at, self.tz)}"
            )
            turn.send(
                Outbound(
                    text=text,
                    buttons=((button(turn.text("saved.remove"), UNSAVE, str(opportunity.id)),),),
                )
            )

    async def unsave(self, turn: Turn) -> None:
        await self._give_back(turn, "saved.removed")

    async def cant_make_it(self, turn: Turn) -> None:
        """From a reminder: cancels the reminders still to come and gives the place back."""
        await self._give_back(turn, "reminders.cancelled")

    async def _give_back(self, turn: Turn, reply: str) -> None:
        opportunity = await self._opportunity(turn, must_be_upcoming=False)
        if opportunity is None or turn.person is None:
            return
        item = await self._saved_item(turn, opportunity)
        if item is not None:
            await turn.session.delete(item)
        for reminder in await turn.session.scalars(
            select(Reminder).where(
                Reminder.young_person_id == turn.person.id,
                Reminder.opportunity_id == opportunity.id,
                Reminder.cancelled_at.is_(None),
            )
        ):
            reminder.cancelled_at = turn.now
        turn.send(Outbound(text=turn.text(reply), edit=True))
