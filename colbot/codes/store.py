"""Completion codes: partners make them; young people redeem them exactly as often as allowed."""

from __future__ import annotations

import enum
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from colbot.codes import format as code_format
from colbot.codes.format import CodeCheck
from colbot.codes.window import CodeWindow, Times
from colbot.delivery import outbox
from colbot.domain.timing import Timing
from colbot.storage import audit
from colbot.storage.models import (
    AuditEntry,
    CompletionCode,
    Opportunity,
    Partner,
    Redemption,
    StaffMember,
    YoungPerson,
)

WRONG_CODES_ALLOWED = 5
WRONG_CODE_WINDOW = timedelta(hours=1)
SPIKE_WINDOW = timedelta(minutes=10)
SPIKE_THRESHOLD = 30
MAX_USES_LIMIT = 500
MAKE_ATTEMPTS = 5
WRONG = "code.wrong"

# The chats the city team is reached on, asked only when there is something to tell them.
TeamChats = Callable[[AsyncSession], Awaitable[Sequence[tuple[str, str]]]]


async def no_team(session: AsyncSession) -> Sequence[tuple[str, str]]:
    """No city team to tell (as in tests of the codes alone)."""
    return ()


class RedeemOutcome(enum.StrEnum):
    """What happened to a code someone sent."""

    REDEEMED = "redeemed"
    ALREADY_HAVE = "already_have"
    USED_UP = "used_up"
    EXPIRED = "expired"
    REVOKED = "revoked"
    NOT_YET = "not_yet"
    MISTYPED = "mistyped"
    UNKNOWN = "unknown"
    COOLING_DOWN = "cooling_down"


@dataclass(frozen=True)
class RedeemResult:
    """The answer to one redemption attempt, with what the young person needs to hear."""

    outcome: RedeemOutcome
    opportunity: Opportunity | None = None
    partner_name: str = ""
    redemption: Redemption | None = None
    cool_down_until: datetime | None = None
    opens_at: datetime | None = None


def times_of(opportunity: Opportunity) -> Times:
    """An opportunity's times, and whether it happens at them, for its codes' window."""
    return Times(opportunity.starts_at, opportunity.ends_at, Timing(opportunity.timing))


def window_of(code: CompletionCode) -> CodeWindow:
    """When a stored code works."""
    return CodeWindow(code.not_before, code.expires_at)


async def make_code(
    session: AsyncSession,
    staff: StaffMember,
    opportunity: Opportunity,
    max_uses: int,
    window: CodeWindow,
    now: datetime,
) -> CompletionCode:
    """Makes a fresh code for one of the staff member's own opportunities, working in `window`."""
    if opportunity.partner_id != staff.partner_id:
        raise PermissionError("a partner can only make codes for its own opportunities")
    if not 1 <= max_uses <= MAX_USES_LIMIT:
        raise ValueError(f"a code can be used by 1 to {MAX_USES_LIMIT} people")
    for _ in range(MAKE_ATTEMPTS):
        value = code_format.generate_code()
        if await session.scalar(select(CompletionCode.id).where(CompletionCode.code == value)):
            continue
        code = CompletionCode(
            code=value,
            opportunity_id=opportunity.id,
            created_by_staff_id=staff.id,
            max_uses=max_uses,
            uses=0,
            created_at=now,
            not_before=window.opens_at,
            expires_at=window.closes_at,
        )
        session.add(code)
        await session.flush()
        await audit.record(
            session,
            now,
            staff.external_id,
            staff.channel,
            "code.made",
            str(code.id),
            opportunity=opportunity.id,
            max_uses=max_uses,
            not_before=window.opens_at.isoformat() if window.opens_at else None,
            expires_at=window.closes_at.isoformat(),
        )
        return code
    raise RuntimeError("could not draw an unused code")


async def revoke_code(
    session: AsyncSession, staff: StaffMember, code_id: int, now: datetime
) -> CompletionCode | None:
    """Stops a code working; only its own partner's staff may."""
    code = await session.get(CompletionCode, code_id)
    if code is None:
        return None
    opportunity = await session.get(Opportunity, code.opportunity_id)
    if opportunity is None or opportunity.partner_id != staff.partner_id:
        return None
    if code.revoked_at is None:
        code.revoked_at = now
        await audit.record(
            session, now, staff.external_id, staff.channel, "code.revoked", str(code.id)
        )
    return code


async def partner_codes(
    session: AsyncSession, partner_id: int, now: datetime
) -> list[tuple[CompletionCode, Opportunity]]:
    """A partner's codes that work now or will later, newest first."""
    rows = await session.execute(
        select(CompletionCode, Opportunity)
        .join(Opportunity, Opportunity.id == CompletionCode.opportunity_id)
        .where(
            Opportunity.partner_id == partner_id,
            CompletionCode.revoked_at.is_(None),
            CompletionCode.expires_at > now,
        )
        .order_by(CompletionCode.created_at.desc(), CompletionCode.id.desc())
    )
    return [(code, opportunity) for code, opportunity in rows.tuples()]


async def redeemed_by(
    session: AsyncSession, code_ids: Sequence[int]
) -> dict[int, list[tuple[str | None, datetime]]]:
    """Who used each code, as partners may see it: a nickname and a time, nothing else."""
    rows = await session.execute(
        select(Redemption.code_id, YoungPerson.nickname, Redemption.redeemed_at)
        .outerjoin(YoungPerson, YoungPerson.id == Redemption.young_person_id)
        .where(Redemption.code_id.in_(list(code_ids)))
        .order_by(Redemption.redeemed_at)
    )
    found: dict[int, list[tuple[str | None, datetime]]] = {}
    for code_id, nickname, at in rows.tuples():
        found.setdefault(code_id, []).append((nickname, at))
    return found


async def cool_down_until(
    session: AsyncSession, person: YoungPerson, now: datetime
) -> datetime | None:
    """When a young person may try codes again, if they sent too many wrong ones lately."""
    recent = list(
        await session.scalars(
            select(AuditEntry.at)
            .where(
                AuditEntry.actor == person.public_id,
                AuditEntry.action == WRONG,
                AuditEntry.at > now - WRONG_CODE_WINDOW,
            )
            .order_by(AuditEntry.at)
        )
    )
    if len(recent) <= WRONG_CODES_ALLOWED:
        return None
    return recent[-(WRONG_CODES_ALLOWED + 1)] + WRONG_CODE_WINDOW


async def redeem(
    session: AsyncSession,
    person: YoungPerson,
    text: str,
    channel: str,
    now: datetime,
    admin_chats: TeamChats = no_team,
) -> RedeemResult:
    """Checks a code and, if it is good, records the redemption exactly once."""
    actor = person.public_id
    blocked = await cool_down_until(session, person, now)
    if blocked is not None:
        await audit.record(session, now, actor, channel, "code.refused", reason="cooling_down")
        return RedeemResult(RedeemOutcome.COOLING_DOWN, cool_down_until=blocked)
    check = code_format.check(text)
    value = code_format.normalise(text)
    code = None
    if check is CodeCheck.WELL_FORMED and value is not None:
        code = await session.scalar(select(CompletionCode).where(CompletionCode.code == value))
    if code is None:
        outcome = RedeemOutcome.MISTYPED if check is CodeCheck.MISTYPED else RedeemOutcome.UNKNOWN
        return await _wrong(session, person, channel, now, outcome, admin_chats)
    opportunity = await session.get(Opportunity, code.opportunity_id)
    assert opportunity is not None
    partner_name = (
        await session.scalar(select(Partner.name).where(Partner.id == opportunity.partner_id)) or ""
    )
    result = await _refusal(session, person, code, opportunity, now)
    if result is not None:
        await audit.record(
            session, now, actor, channel, "code.refused", str(code.id), reason=result.value
        )
        return RedeemResult(result, opportunity, partner_name, opens_at=code.not_before)
    claimed = await session.execute(
        update(CompletionCode)
        .where(
            CompletionCode.id == code.id,
            CompletionCode.uses < CompletionCode.max_uses,
            CompletionCode.revoked_at.is_(None),
            or_(CompletionCode.not_before.is_(None), CompletionCode.not_before <= now),
            CompletionCode.expires_at > now,
        )
        .values(uses=CompletionCode.uses + 1)
        .execution_options(synchronize_session=False)
    )
    if getattr(claimed, "rowcount", 0) != 1:
        await audit.record(
            session, now, actor, channel, "code.refused", str(code.id), reason="used_up"
        )
        return RedeemResult(RedeemOutcome.USED_UP, opportunity, partner_name)
    redemption = Redemption(
        code_id=code.id,
        young_person_id=person.id,
        opportunity_id=opportunity.id,
        learning_hours=opportunity.learning_hours,
        channel=channel,
        redeemed_at=now,
    )
    try:
        async with session.begin_nested():
            session.add(redemption)
    except IntegrityError:
        await session.execute(
            update(CompletionCode)
            .where(CompletionCode.id == code.id)
            .values(uses=CompletionCode.uses - 1)
            .execution_options(synchronize_session=False)
        )
        return RedeemResult(RedeemOutcome.ALREADY_HAVE, opportunity, partner_name)
    await audit.record(
        session,
        now,
        actor,
        channel,
        "code.used",
        str(code.id),
        opportunity=opportunity.id,
        hours=opportunity.learning_hours,
    )
    return RedeemResult(RedeemOutcome.REDEEMED, opportunity, partner_name, redemption)


async def _refusal(
    session: AsyncSession,
    person: YoungPerson,
    code: CompletionCode,
    opportunity: Opportunity,
    now: datetime,
) -> RedeemOutcome | None:
    if code.revoked_at is not None:
        return RedeemOutcome.REVOKED
    window = window_of(code)
    if window.is_over(now):
        return RedeemOutcome.EXPIRED
    already = await session.scalar(
        select(Redemption.id).where(
            Redemption.young_person_id == person.id, Redemption.opportunity_id == opportunity.id
        )
    )
    if already is not None:
        return RedeemOutcome.ALREADY_HAVE
    if window.too_early(now):
        return RedeemOutcome.NOT_YET
    if code.uses >= code.max_uses:
        return RedeemOutcome.USED_UP
    return None


async def _wrong(
    session: AsyncSession,
    person: YoungPerson,
    channel: str,
    now: datetime,
    outcome: RedeemOutcome,
    admin_chats: TeamChats,
) -> RedeemResult:
    """Counts a wrong code per person and overall, and tells the admins about a spike."""
    await audit.record(session, now, person.public_id, channel, WRONG, reason=outcome.value)
    await session.flush()
    # Only whether there are SPIKE_THRESHOLD of them matters: counting no further keeps each
    # wrong code cheap however many are being guessed.
    recent_wrong = (
        select(AuditEntry.id)
        .where(AuditEntry.action == WRONG, AuditEntry.at > now - SPIKE_WINDOW)
        .limit(SPIKE_THRESHOLD)
        .subquery()
    )
    overall = await session.scalar(select(func.count()).select_from(recent_wrong)) or 0
    if overall >= SPIKE_THRESHOLD:
        window = int(now.timestamp() // SPIKE_WINDOW.total_seconds())
        text = (
            f"⚠️ At least {overall} wrong completion codes were sent in the last "
            f"{int(SPIKE_WINDOW.total_seconds() // 60)} minutes. Someone may be guessing codes."
        )
        for admin_channel, chat_id in await admin_chats(session):
            await outbox.enqueue(
                session, admin_channel, chat_id, text, key=f"code-spike:{window}:{chat_id}", now=now
            )
    blocked = await cool_down_until(session, person, now)
    if blocked is not None:
        return RedeemResult(RedeemOutcome.COOLING_DOWN, cool_down_until=blocked)
    return RedeemResult(outcome)
