"""A young person's own part of the chat: the first questions, /help, /settings, /passions."""

from __future__ import annotations

from typing import Any

from colbot.chat.buttons import SETTINGS, ButtonData, button
from colbot.chat.messages import Outbound
from colbot.chat.router import FlowHooks, Router
from colbot.chat.turn import Turn
from colbot.content.conversations import Step
from colbot.people import pause, privacy, privacy_chat
from colbot.people import store as people

ONBOARDING = "onboarding"
# Flows whose answers are kept in the young person's profile, and where /settings finds each
# step's menu label.
PROFILE_FLOWS = {ONBOARDING: "settings", "notifications": "notifications.menu"}


def router() -> Router:
    """The people feature: onboarding, settings, help, /stop, /mydata, /delete and /privacy."""
    routes = Router("people")
    routes.greets(welcome)
    routes.command("help", show_help)
    routes.command("settings", settings)
    routes.command("passions", passions)
    routes.command("stop", pause.stop)
    routes.command("mydata", privacy_chat.my_data)
    routes.command("delete", privacy_chat.delete_request)
    routes.command("privacy", privacy_chat.privacy_link)
    routes.action(privacy_chat.DELETE, privacy_chat.delete_answer)
    routes.action(SETTINGS, settings_choice)
    for flow_id in PROFILE_FLOWS:
        routes.flow(
            flow_id,
            FlowHooks(
                on_answer=keep_answer,
                preselect=chosen_before,
                on_finish=finished,
                on_ended_early=ended_early,
                on_cancel=cancelled,
            ),
        )
    return routes


async def welcome(turn: Turn) -> None:
    """A plain /start: the first questions for a newcomer, a welcome back for everyone else."""
    if turn.in_flow:
        turn.say("welcome_back")
        turn.flows.ask(turn)
    elif turn.person is not None and turn.person.onboarded_at is not None:
        turn.say("welcome_back")
        if turn.person.messages_asked_at is None and _asks_messages(turn):
            # Asked once: unanswered, it stays off and is not asked again at every /start.
            turn.person.messages_asked_at = turn.now
            await turn.flows.start(turn, ONBOARDING, only_step=people.MESSAGES_STEP)
            return
        say_help(turn)
    else:
        await turn.flows.start(turn, ONBOARDING)


def _asks_messages(turn: Turn) -> bool:
    """Whether this city's onboarding has the "may I message you first?" question."""
    return turn.content.flow(ONBOARDING).step(people.MESSAGES_STEP) is not None


async def show_help(turn: Turn) -> None:
    """What colbot can do; mid-question, the question again so nobody is stuck."""
    say_help(turn)
    if turn.in_flow:
        turn.flows.ask(turn)


def say_help(turn: Turn) -> None:
    """Every command this person may use (staff's and the team's too), and this channel's own."""
    commands = turn.menu_for(turn.actor, unlisted=True)
    turn.say("help", commands=commands, channel=turn.inbound.channel)


async def _needs_profile(turn: Turn) -> bool:
    if turn.person is None:
        await turn.flows.start(turn, ONBOARDING)
        return True
    return False


async def settings(turn: Turn) -> None:
    """One button per answer they can change."""
    if await _needs_profile(turn):
        return
    rows = tuple(
        (button(turn.text(label), SETTINGS, step.id),)
        for flow_id, menu in PROFILE_FLOWS.items()
        if flow_id in turn.content.flows
        for step in turn.content.flow(flow_id).steps
        if turn.content.has(label := f"{menu}.{step.id}")
    )
    turn.flows.leave(turn)
    turn.send(Outbound(text=turn.text("settings.ask"), buttons=rows))


async def passions(turn: Turn) -> None:
    """Asks the passions question again on its own."""
    if await _needs_profile(turn):
        return
    await turn.flows.start(turn, ONBOARDING, only_step="passions")


async def settings_choice(turn: Turn) -> None:
    """Asks the one question they chose to change in /settings."""
    data = ButtonData.decode(turn.inbound.button_data)
    flow_id = next(
        (
            flow_id
            for flow_id in PROFILE_FLOWS
            if flow_id in turn.content.flows
            and data is not None
            and turn.content.flow(flow_id).step(data.target) is not None
        ),
        None,
    )
    if data is None or flow_id is None or turn.person is None:
        if turn.in_flow:
            turn.flows.ask(turn, turn.text("common.unknown_button"))
        else:
            turn.say("common.unknown_button")
        return
    await turn.flows.start(turn, flow_id, only_step=data.target)


async def keep_answer(turn: Turn, step: Step, value: Any) -> None:
    """Creates the profile once the age is known, then keeps each answer in it."""
    if turn.person is None and step.id == "age":
        turn.person = await people.create_for_chat(
            turn.session, turn.inbound, turn.content.language, turn.now
        )
        turn.state.young_person_id = turn.person.id
    if turn.person is not None:
        if step.id == "consent" and turn.person.consented_at is None:
            turn.person.consented_at = turn.now
        await people.apply_answer(turn.session, turn.person, step.id, value, turn.now)


async def chosen_before(turn: Turn, step: Step) -> list[str]:
    """What they chose last time, ticked already when they answer again."""
    if turn.person is None or turn.state.flow != ONBOARDING:
        return []
    if step.kind == "passions":
        return await people.passion_ids(turn.session, turn.person)
    if step.kind == "multi_choice" and step.id == "availability":
        return list(turn.person.availability or [])
    return []


async def finished(turn: Turn, answers: dict[str, Any]) -> None:
    """Marks the profile as set up once the questions are all answered."""
    if turn.person is not None and turn.person.onboarded_at is None:
        turn.person.onboarded_at = turn.now


async def ended_early(turn: Turn, reason: str) -> None:
    """A refusal (too young, no consent) keeps nothing about the person but a count."""
    if turn.person is not None:
        await privacy.erase(turn.session, turn.person)
        turn.person = None
    await people.count(turn.session, f"onboarding_ended:{reason}:{turn.inbound.channel}")


async def cancelled(turn: Turn) -> None:
    """Cancelling the first questions before the age is known leaves no conversation behind."""
    if turn.person is None:
        turn.forget = True
