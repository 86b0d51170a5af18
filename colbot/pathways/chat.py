"""/pathways: the pathways that fit a young person, following one (never required), and progress."""

from __future__ import annotations

from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select

from colbot.badges.classes import BadgeClasses
from colbot.chat.buttons import ButtonData, button
from colbot.chat.messages import Button, Outbound
from colbot.chat.router import Router
from colbot.chat.turn import Turn
from colbot.domain.when import local_when
from colbot.pathways import store
from colbot.pathways.definitions import Pathway, Pathways
from colbot.pathways.progress import PathwayProgress, StepProgress, progress
from colbot.pathways.records import records
from colbot.pathways.upcoming import coming_up
from colbot.storage.models import YoungPerson, YoungPersonPassion

LIST = "pwl"
OPEN = "pwo"
FOLLOW = "pwf"
UNFOLLOW = "pwu"
DONE_MARK = "✅"
NEXT_MARK = "➡️"
LATER_MARK = "⬜"


def _step_line(number: int, step: StepProgress, next_number: int) -> dict[str, Any]:
    mark = DONE_MARK if step.done else NEXT_MARK if number == next_number else LATER_MARK
    return {
        "number": number,
        "name": step.step.name,
        "mark": mark,
        "choice": step.step.is_choice,
        "chosen": min(step.chosen, step.step.need),
        "need": step.step.need,
        "options": [option.name for option in step.step.options],
    }


class PathwaysChat:
    """Shows pathways that fit, each with its steps, the next one and what is coming up for it."""

    def __init__(self, pathways: Pathways, classes: BadgeClasses, tz: ZoneInfo) -> None:
        self.pathways = pathways
        self.classes = classes
        self.tz = tz

    def router(self) -> Router:
        """/pathways, and the buttons to open, follow and stop following one."""
        routes = Router("pathways")
        routes.command("pathways", self.show)
        routes.action(LIST, self.show_list)
        routes.action(OPEN, self.open)
        routes.action(FOLLOW, self.follow)
        routes.action(UNFOLLOW, self.unfollow)
        return routes

    async def _fitting(self, turn: Turn, person: YoungPerson) -> list[Pathway]:
        """The chosen-only pathways for their passions and age, and any they already follow."""
        passions = set(
            await turn.session.scalars(
                select(YoungPersonPassion.passion_id).where(
                    YoungPersonPassion.young_person_id == person.id
                )
            )
        )
        following = {p.id for p in await store.followed(turn.session, person.id, self.pathways)}
        return [
            p
            for p in self.pathways.to_choose()
            if p.id in following or p.fits(passions, person.age)
        ]

    async def _list(self, turn: Turn, edit: bool) -> Outbound | None:
        person = turn.person
        if person is None:
            turn.offer_start()
            return None
        held = await records(turn.session, person.id, self.classes)
        following = {p.id for p in await store.followed(turn.session, person.id, self.pathways)}
        shown = await self._fitting(turn, person)
        milestones = [progress(p, held) for p in self.pathways.for_everyone()]
        items = []
        rows: list[tuple[Button, ...]] = []
        for pathway in shown:
            found = progress(pathway, held)
            items.append(
                {
                    "name": pathway.name,
                    "done": found.steps_done,
                    "steps": len(pathway.steps),
                    "following": pathway.id in following,
                    "finished": found.done,
                }
            )
            rows.append((button(pathway.name, OPEN, pathway.id),))
        text = turn.text(
            "pathways.list" if shown else "pathways.none",
            pathways=items,
            milestones_done=sum(1 for m in milestones if m.done),
            milestones=len(milestones),
        )
        return Outbound(text=text, buttons=tuple(rows), edit=edit)

    async def show(self, turn: Turn) -> None:
        """/pathways: the ones that fit, a button each."""
        message = await self._list(turn, edit=False)
        if message is not None:
            turn.send(message)

    async def show_list(self, turn: Turn) -> None:
        """Back to the list from one pathway."""
        message = await self._list(turn, edit=True)
        if message is not None:
            turn.send(message)

    def _chosen_by_someone(self, turn: Turn) -> Pathway | None:
        """The pathway a button names, for someone with a profile; else says why not (None)."""
        data = ButtonData.decode(turn.inbound.button_data)
        pathway = self.pathways.get(data.target) if data is not None else None
        if pathway is None or pathway.everyone:
            turn.say("pathways.unknown")
            return None
        if turn.person is None:
            turn.offer_start()
            return None
        return pathway

    async def card(self, turn: Turn, pathway: Pathway, edit: bool = True) -> Outbound:
        """One pathway: its steps ticked off, the next one, and what is coming up for it."""
        person = turn.person
        assert person is not None
        found: PathwayProgress = progress(
            pathway, await records(turn.session, person.id, self.classes)
        )
        following = await store.follow_row(turn.session, person.id, pathway.id) is not None
        next_step = found.next_step
        coming = (
            await coming_up(turn.session, next_step.to_do, turn.now, person.age)
            if next_step is not None
            else []
        )
        badge = self.classes.get(pathway.badge)
        text = turn.text(
            "pathways.card",
            name=pathway.name,
            description=pathway.description,
            steps=[_step_line(n, s, found.next_number) for n, s in enumerate(found.steps, 1)],
            finished=found.done,
            next_step=next_step.step.name if next_step is not None else "",
            into=pathway.steps[-1].into or "",
            badge=badge.name if badge is not None else pathway.name,
            coming=[{"title": o.title, "when": local_when(o.starts_at, self.tz)} for o in coming],
            following=following,
        )
        toggle = (
            button(turn.text("pathways.unfollow_button"), UNFOLLOW, pathway.id)
            if following
            else button(turn.text("pathways.follow_button"), FOLLOW, pathway.id)
        )
        back = button(turn.text("pathways.back_button"), LIST)
        return Outbound(text=text, buttons=((toggle,), (back,)), edit=edit)

    async def open(self, turn: Turn) -> None:
        """Opens one pathway from the list."""
        pathway = self._chosen_by_someone(turn)
        if pathway is not None:
            turn.send(await self.card(turn, pathway))

    async def follow(self, turn: Turn) -> None:
        """Follows a pathway, so they hear when one step is left."""
        await self._set_following(turn, following=True)

    async def unfollow(self, turn: Turn) -> None:
        """Stops following; their badges still count if they come back to it."""
        await self._set_following(turn, following=False)

    async def _set_following(self, turn: Turn, following: bool) -> None:
        """Starts or stops following the pathway a button names, and shows it again."""
        pathway = self._chosen_by_someone(turn)
        if pathway is None or turn.person is None:
            return
        change = store.follow if following else store.unfollow
        await change(turn.session, turn.person.id, pathway.id, turn.now)
        await turn.session.flush()
        turn.send(await self.card(turn, pathway))
        turn.say("pathways.followed" if following else "pathways.unfollowed", name=pathway.name)
