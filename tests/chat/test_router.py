"""Features join the chat kernel through routers: claims are checked at start, menus by speaker."""

from __future__ import annotations

import pytest

from colbot.app import build_app
from colbot.chat.router import Audience, DuplicateRoute, Router
from colbot.chat.turn import Actor, Turn
from colbot.clock import FrozenClock
from colbot.settings import Settings
from colbot.storage.models import StaffMember


async def nothing(turn: Turn) -> None:
    """A handler that does nothing: these tests are about who claims what."""


def test_a_command_two_features_claim_stops_colbot_at_start(
    settings: Settings, clock: FrozenClock
) -> None:
    engine = build_app(settings, clock=clock).engine
    thief = Router("thief")
    thief.command("help", nothing)
    with pytest.raises(DuplicateRoute, match=r"/help is claimed by both people and thief"):
        engine.include(thief)


def test_a_button_action_two_features_claim_stops_colbot_at_start(
    settings: Settings, clock: FrozenClock
) -> None:
    engine = build_app(settings, clock=clock).engine
    taken = next(iter(engine.actions))
    thief = Router("thief")
    thief.action(taken, nothing)
    with pytest.raises(DuplicateRoute, match="thief reuses the button action"):
        engine.include(thief)


def test_only_one_feature_answers_a_plain_start(settings: Settings, clock: FrozenClock) -> None:
    engine = build_app(settings, clock=clock).engine
    second = Router("second")
    second.greets(nothing)
    with pytest.raises(DuplicateRoute, match="both answer /start"):
        engine.include(second)


def test_a_router_refuses_its_own_duplicates() -> None:
    routes = Router("twice")
    routes.command("same", nothing)
    with pytest.raises(DuplicateRoute):
        routes.command("same", nothing)
    routes.action("x", nothing)
    with pytest.raises(DuplicateRoute):
        routes.action("x", nothing)


def test_a_refused_router_leaves_the_engine_as_it_was(
    settings: Settings, clock: FrozenClock
) -> None:
    engine = build_app(settings, clock=clock).engine
    before = (dict(engine.commands), dict(engine.actions), list(engine.routers))
    half = Router("half")
    half.command("brand_new", nothing)
    half.command("help", nothing)
    with pytest.raises(DuplicateRoute):
        engine.include(half)
    assert (engine.commands, engine.actions, engine.routers) == before


def test_each_speaker_sees_the_commands_meant_for_them(
    settings: Settings, clock: FrozenClock
) -> None:
    engine = build_app(settings, clock=clock).engine
    everyone = {name for name, _ in engine.menu(Actor())}
    staff = {name for name, _ in engine.menu(Actor(staff=StaffMember(partner_id=1)))}
    team = {name for name, _ in engine.menu(Actor(city_admin=True))}
    assert {"start", "help", "explore", "redeem"} <= everyone
    assert not everyone & {"newcode", "broadcast", "dashboard", "email"}
    assert {"newcode", "codes", "partner", "dashboard"} <= staff - everyone
    assert "broadcast" not in staff
    assert {"broadcast", "dashboard", "invite"} <= team - everyone
    assert "newcode" not in team
    assert "email" not in everyone | staff | team  # typed only, offered in the badge message


def test_the_menu_follows_the_order_the_content_lists(
    settings: Settings, clock: FrozenClock
) -> None:
    engine = build_app(settings, clock=clock).engine
    listed = [
        key.removeprefix("commands.")
        for key in engine.content.messages
        if key.startswith("commands.")
    ]
    shown = [name for name, _ in engine.menu(Actor(city_admin=True))]
    assert shown == [name for name in listed if name in shown]
    assert shown[0] == "start"


def test_every_command_in_a_menu_has_its_words_in_the_content(
    settings: Settings, clock: FrozenClock
) -> None:
    engine = build_app(settings, clock=clock).engine
    listed = {
        name for name, command in engine.commands.items() if command.audiences - {Audience.NOBODY}
    }
    missing = {name for name in listed if not engine.content.has(f"commands.{name}")}
    assert not missing
