"""Partners and completion codes through the engine: invites, making and redeeming codes."""

from __future__ import annotations

import asyncio
import re
from datetime import timedelta

from sqlalchemy import func, select

from colbot.app import Colbot
from colbot.catalogue.store import find_partner
from colbot.clock import FrozenClock
from colbot.codes import format as code_format
from colbot.codes.venue_links import venue_link
from colbot.storage.models import (
    AuditEntry,
    CompletionCode,
    IssuedBadge,
    Opportunity,
    Redemption,
)
from tests.doubles.telegram import TelegramDouble
from tests.support.staff import (
    after_the_session,
    invite_payload,
    make_code,
    scanned,
    staff_talker,
)
from tests.support.talk import Talk


async def test_invite_makes_staff_and_first_is_admin(
    channel_colbot: Colbot, talk: Talk, telegram: TelegramDouble | None
) -> None:
    first = await staff_talker(channel_colbot, talk, "staff-1")
    assert "the admin" in first.recent(3)
    if telegram is None:
        assert first.history[-1].menu is not None
        assert "newcode" in dict(first.history[-1].menu)
    else:
        staff_menu = [c.command for c in telegram.commands(scope_chat_id=int(first.chat_id))]
        assert "newcode" in staff_menu and "start" in staff_menu
        assert "newcode" not in [c.command for c in telegram.commands()]
    second = await staff_talker(channel_colbot, talk, "staff-2")
    assert "a staff member" in second.recent(3)
    await second.say("/invite")
    assert "Only your partner's admin" in second.last_text()
    await first.say("/invite")
    invite = first.last_text()
    assert f"{channel_colbot.settings.public_url}/chat?start=i_" in invite
    # A Telegram link only where Telegram is on: never one to a bot that does not exist.
    assert ("https://t.me/" in invite) == (telegram is not None)


async def test_used_expired_and_unknown_invites_say_which(
    channel_colbot: Colbot, clock: FrozenClock, talk: Talk
) -> None:
    payload = await invite_payload(channel_colbot, "pixel-forge")
    await talk("a").say(f"/start {payload}")
    again = talk("b")
    await again.say(f"/start {payload}")
    assert "already been used" in again.last_text()
    await again.say("/start i_not-a-real-invite")
    assert "doesn't work" in again.last_text()
    old = await invite_payload(channel_colbot, "pixel-forge")
    clock.advance(timedelta(days=8))
    await again.say(f"/start {old}")
    assert "expired" in again.last_text()


async def test_young_people_cannot_use_staff_commands(channel_colbot: Colbot, talk: Talk) -> None:
    young = talk("young")
    for command in ("/newcode", "/codes", "/revokecode", "/stats", "/partner", "/addopportunity"):
        await young.say(command)
        assert "only for partner staff" in young.last_text(), command


async def test_a_partner_cannot_make_a_code_for_another_partners_opportunity(
    channel_colbot: Colbot, talk: Talk
) -> None:
    staff = await staff_talker(channel_colbot, talk, "sneaky")
    async with channel_colbot.database.transaction() as session:
        other = await session.scalar(
            select(Opportunity.id)
            .join(Opportunity.passions)
            .where(Opportunity.partner_id != (await find_partner(session, "pixel-forge")).id)
            .limit(1)
        )  # type: ignore[union-attr]
    await staff.press_data(f"ncu|{other}|1")
    assert "isn't one of yours" in staff.last_text()
    await staff.press_data(f"nce|{other}:1|default")
    assert "isn't one of yours" in staff.last_text()
    async with channel_colbot.database.transaction() as session:
        assert await session.scalar(select(func.count()).select_from(CompletionCode)) == 0


async def test_the_chat_qr_and_the_wall_card_qr_both_open_the_venue_page(
    channel_colbot: Colbot, talk: Talk
) -> None:
    staff = await staff_talker(channel_colbot, talk, "scanner")
    await staff.say("/newcode")
    await staff.press("·")
    await staff.press("Just 1")
    replies = await staff.press("Until the end of the day after")
    code = next(
        code_format.normalise(line.strip()) or ""
        for line in replies[0].text.splitlines()
        if code_format.looks_like_code(line.strip())
    )
    assert replies[1].image is not None and replies[2].file is not None
    chat_qr = scanned(replies[1].image.content)
    card_qr = scanned(replies[2].file.content)
    # The venue page offers the web chat, and Telegram only when it is on: no QR may point at
    # a bot that does not exist.
    assert chat_qr == card_qr == [venue_link(channel_colbot.settings.public_url, code)]


async def test_code_redeemed_by_typing_by_command_and_by_deep_link(
    channel_colbot: Colbot, talk: Talk
) -> None:
    staff = await staff_talker(channel_colbot, talk, "maker")
    codes = [await make_code(staff) for _ in range(3)]
    assert len(set(codes)) == 3
    await after_the_session(channel_colbot, codes[0])
    typed, commanded, linked = (talk(f"yp-{i}") for i in range(3))
    await typed.say(codes[0].lower().replace("-", " "))
    assert "Brilliant work" in typed.recent(10) and "learning hour" in typed.recent(10)
    await commanded.say(f"/redeem {codes[1]}")
    assert "Brilliant work" in commanded.recent(10)
    await linked.say(
        f"/start {code_format.deep_link_payload(code_format.normalise(codes[2]) or '')}"
    )
    assert "Brilliant work" in linked.recent(10)
    assert "Let's do it" in linked.history[-1].button_labels()[0]
    await linked.press("Let's do it")
    assert "Is it OK" in linked.last_text()


async def test_typo_twice_used_up_expired_and_revoked(
    channel_colbot: Colbot, clock: FrozenClock, talk: Talk
) -> None:
    staff = await staff_talker(channel_colbot, talk, "rules")
    code = await make_code(staff)
    await after_the_session(channel_colbot, code)
    sam = talk("sam")
    body = code_format.normalise(code) or ""
    typo = body[:3] + ("A" if body[3] != "A" else "B") + body[4:]
    await sam.say(f"/redeem {code_format.display(typo)}")
    assert "looks mistyped" in sam.last_text()
    await sam.say(code)
    assert "Brilliant work" in sam.recent(10)
    await sam.say(code)
    assert "already have this one" in sam.last_text()
    other = talk("other")
    await other.say(code)
    assert "used by as many people" in other.last_text()
    fresh = await make_code(staff, uses="Whole session")
    await staff.say(f"/revokecode {fresh}")
    assert "no longer works" in staff.last_text()
    await other.say(fresh)
    assert "switched off" in other.last_text()
    later = await make_code(staff, expiry="Until the end of the session's day")
    clock.advance(timedelta(days=1))
    await other.say(later)
    assert "expired" in other.last_text()
    async with channel_colbot.database.transaction() as session:
        assert await session.scalar(select(func.count()).select_from(Redemption)) == 1
        actions = set(await session.scalars(select(AuditEntry.action)))
    assert {"code.made", "code.used", "code.refused", "code.revoked", "code.wrong"} <= actions


async def test_brute_force_cool_down(
    channel_colbot: Colbot, clock: FrozenClock, talk: Talk
) -> None:
    staff = await staff_talker(channel_colbot, talk, "bf-staff")
    code = await make_code(staff)
    await after_the_session(channel_colbot, code)
    guesser = talk("guesser")
    for _ in range(6):
        await guesser.say(code_format.display(code_format.generate_code()))
    assert "take a break" in guesser.last_text() and ":" in guesser.last_text()
    await guesser.say(code)
    assert "take a break" in guesser.last_text()
    clock.advance(timedelta(hours=1, minutes=1))
    await guesser.say(code)
    assert "Brilliant work" in guesser.recent(10)


async def test_concurrent_redemption_race_is_exact(channel_colbot: Colbot, talk: Talk) -> None:
    staff = await staff_talker(channel_colbot, talk, "race-staff")
    await staff.say("/newcode")
    await staff.press("·")
    await staff.press("Type a number")
    await staff.say("10")
    replies = await staff.press("Until the end of the day after")
    code = next(
        line.strip()
        for line in replies[0].text.splitlines()
        if code_format.looks_like_code(line.strip())
    )
    await after_the_session(channel_colbot, code)
    redeemers = [talk(f"racer-{i}") for i in range(50)]
    results = await asyncio.gather(*(r.say(code) for r in redeemers))
    succeeded = sum("Brilliant work" in "\n".join(m.text for m in replies) for replies in results)
    assert succeeded == 10
    async with channel_colbot.database.transaction() as session:
        assert await session.scalar(select(func.count()).select_from(Redemption)) == 10
        stored = await session.scalar(
            select(CompletionCode).where(CompletionCode.code == code_format.normalise(code))
        )
        assert stored is not None and stored.uses == 10


async def test_stats_match_the_redemptions(channel_colbot: Colbot, talk: Talk) -> None:
    staff = await staff_talker(channel_colbot, talk, "stats-staff")
    code = await make_code(staff, uses="Whole session")
    await after_the_session(channel_colbot, code)
    redeemers = [talk(f"stat-{i}") for i in range(4)]
    for redeemer in redeemers:
        await redeemer.say(code)
    listing = await staff.say("/codes")
    assert listing[0].text.count("✓ a young person") == 4
    assert not any(r.chat_id in listing[0].text for r in redeemers), "no chat identities shown"
    replies = await staff.say("/stats")
    text = replies[0].text
    assert "Last 30 days: 4 young people reached · 4 codes redeemed" in text
    assert "All time: 4 young people reached · 4 codes redeemed" in text
    async with channel_colbot.database.transaction() as session:
        hours = await session.scalar(select(func.sum(Redemption.learning_hours)))
        badges = await session.scalar(
            select(func.count())
            .select_from(IssuedBadge)
            .where(IssuedBadge.redemption_id.is_not(None))
        )
        (title,) = (
            await session.scalars(
                select(Opportunity.title)
                .join(Redemption, Redemption.opportunity_id == Opportunity.id)
                .distinct()
            )
        ).all()
    assert badges == 4
    assert f"{hours:g} learning hours · 4 badges" in text
    assert f"• {title}: 4 young people · {hours:g} hours · 4 badges" in text


async def test_add_opportunity_conversation(channel_colbot: Colbot, talk: Talk) -> None:
    staff = await staff_talker(channel_colbot, talk, "adder")
    await staff.say("/addopportunity")
    await staff.say("Level design workshop")
    await staff.press("Gaming")
    await staff.press("Done")
    await staff.say("sat 12th dec")
    assert "what time" in staff.last_text()
    await staff.say("sat 12th dec at 10am")
    assert "Saturday 12 December, 10:00. Is that right?" in staff.last_text()
    await staff.press("Yes, that's right")
    await staff.say("3 hours")
    assert "Got it: 3" in staff.recent(2)
    await staff.say("Pixel Forge Games, KF3 4BH")
    assert "Got it: Pixel Forge Games, KF3 4BH" in staff.recent(2)
    await staff.say("20-13")
    assert "ages" in staff.last_text().lower()
    await staff.say("ages 13 to 19")
    assert "Got it: 13 to 19" in staff.recent(2)
    await staff.say("3")
    await staff.say("about 12")
    assert "Added" in staff.last_text()
    async with channel_colbot.database.transaction() as session:
        added = await session.scalar(
            select(Opportunity).where(Opportunity.title == "Level design workshop")
        )
    assert added is not None and added.capacity == 12 and added.min_age == 13


async def test_the_example_code_in_the_wording_has_the_shape_of_real_codes(
    channel_colbot: Colbot, talk: Talk
) -> None:
    staff = await staff_talker(channel_colbot, talk, "example")
    real = code_format.display(await make_code(staff))
    sam = talk("sam-example")
    await sam.say("/redeem")
    how = sam.last_text()
    body = code_format.normalise(real) or ""
    typo = body[:3] + ("A" if body[3] != "A" else "B") + body[4:]
    await sam.say(f"/redeem {code_format.display(typo)}")
    mistyped = sam.last_text()
    for wording in (how, mistyped):
        example = re.search(r"[0-9A-Z]{4,5}-[0-9A-Z]{4,5}", wording)
        assert example is not None, wording
        shown = example.group()
        assert code_format.check(shown) == code_format.CodeCheck.WELL_FORMED, wording
        assert [len(group) for group in shown.split("-")] == [
            len(group) for group in real.split("-")
        ]
