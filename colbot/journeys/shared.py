"""What a shared journey shows, read in a few indexed queries on any database, or on sqlite3."""

from __future__ import annotations

import sqlite3
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, exists, select
from sqlalchemy.ext.asyncio import AsyncSession

from colbot.badges.forms import SignedForms
from colbot.pathways.in_progress import InProgress
from colbot.storage.models import (
    IssuedBadge,
    Journey,
    Opportunity,
    PathwayFollow,
    Redemption,
    YoungPerson,
    YoungPersonPassion,
)
from colbot.storage.readers import Prepared


@dataclass(frozen=True)
class ShownBadge:
    """One badge as the journey page shows it."""

    public_id: str
    badge_class_id: str
    artwork: str
    name: str
    description: str
    issuer: str
    issued_at: datetime
    hours: float
    what: str
    revoked: bool = False
    # Who it was awarded to, as the journey shows them: their nickname if they chose to show it.
    holder: str = ""


@dataclass(frozen=True)
class PublicJourney:
    """A shared journey: only what its owner chose to show, and nothing that identifies them."""

    slug: str
    nickname: str | None
    passion_ids: tuple[str, ...]
    badges: tuple[ShownBadge, ...]
    documents: Mapping[str, SignedForms]
    # The pathways they chose, on their way, as far as the badges shown go.
    pathways: tuple[InProgress, ...] = ()
    # The city badges among the badges shown (the ones a pathway ends in), newest first.
    city_badges: tuple[ShownBadge, ...] = ()
    # The ids of the pathways they chose to follow, read with the rest, so a page whose owner
    # follows none needs no more reads to show no pathways.
    chosen_pathways: tuple[str, ...] = ()
    # The journey's version stamp, read with the rest (see Stamp).
    version: int = 0

    @property
    def total_hours(self) -> float:
        """Learning hours across the badges shown."""
        return sum(badge.hours for badge in self.badges)


@dataclass(frozen=True)
class Stamp:
    """What one indexed read tells of a shared journey: its version, which the database bumps on
    every write that changes what its page shows, and whether its owner follows a pathway (whose
    progress reads partners and opportunities, which no version covers)."""

    version: int
    follows_pathways: bool


def text_of(value: object) -> str:
    """Stripped text, or empty for anything that is not text."""
    return value.strip() if isinstance(value, str) else ""


def humanised(badge_class_id: str) -> str:
    """A readable name from a badge class id, for a badge whose credential names none."""
    return badge_class_id.replace("-", " ").replace("_", " ").strip().capitalize()


def _shown(row: Any) -> ShownBadge:
    """A badge in words for people, from what its signed credential says, whatever it leaves out."""
    description = text_of(row.description)
    what = text_of(row.evidence) or text_of(row.title) or text_of(row.criteria) or description
    return ShownBadge(
        public_id=row.public_id,
        badge_class_id=row.badge_class_id,
        artwork=row.artwork or row.badge_class_id,
        name=text_of(row.name) or humanised(row.badge_class_id),
        description=description if description != what else "",
        issuer=text_of(row.issuer),
        issued_at=row.issued_at,
        hours=float(row.learning_hours or 0),
        what=what,
        revoked=row.revoked_at is not None,
    )


def _signed(row: Any) -> SignedForms:
    return SignedForms(row.ob2_assertion_jws, row.ob3_credential, row.ob3_jwt)


def _credential_text(label: str, *path: str | int) -> Any:
    """One text member of the stored credential, read by the database without parsing it here."""
    return IssuedBadge.ob3_credential[path].as_string().label(label)


NAME = _credential_text("name", "credentialSubject", "achievement", "name")
NEWEST_FIRST = (IssuedBadge.issued_at.desc(), IssuedBadge.id.desc())

# Each statement is built once: the page path runs them on plain sqlite3 (see storage.readers),
# every other database through the async session; both give the same rows.

SHARED = (
    select(
        Journey.young_person_id,
        Journey.show_nickname,
        Journey.show_passions,
        Journey.hidden_badge_ids,
        YoungPerson.nickname,
        Journey.version,
        exists()
        .where(
            PathwayFollow.young_person_id == Journey.young_person_id,
            PathwayFollow.unfollowed_at.is_(None),
        )
        .label("follows_pathways"),
    )
    .join(YoungPerson, YoungPerson.id == Journey.young_person_id)
    .where(Journey.slug == bindparam("slug"), Journey.sharing.is_(True))
)
PASSIONS_OF = (
    select(YoungPersonPassion.passion_id)
    .where(YoungPersonPassion.young_person_id == bindparam("person"))
    .order_by(YoungPersonPassion.passion_id)
)
_BADGE_ROWS = (
    select(
        IssuedBadge.public_id,
        IssuedBadge.badge_class_id,
        IssuedBadge.artwork,
        IssuedBadge.learning_hours,
        IssuedBadge.issued_at,
        IssuedBadge.revoked_at,
        NAME,
        _credential_text("description", "credentialSubject", "achievement", "description"),
        _credential_text("criteria", "credentialSubject", "achievement", "criteria", "narrative"),
        _credential_text("issuer", "issuer", "name"),
        _credential_text("evidence", "evidence", 0, "narrative"),
        Opportunity.title,
    )
    .outerjoin(Redemption, Redemption.id == IssuedBadge.redemption_id)
    .outerjoin(Opportunity, Opportunity.id == Redemption.opportunity_id)
)
_BADGES_FROM = _BADGE_ROWS.where(IssuedBadge.young_person_id == bindparam("person"))
_DOCUMENTS = (IssuedBadge.ob2_assertion_jws, IssuedBadge.ob3_credential, IssuedBadge.ob3_jwt)
BADGES_OF = _BADGES_FROM.order_by(*NEWEST_FIRST)
BADGES_WITH_DOCUMENTS_OF = BADGES_OF.add_columns(*_DOCUMENTS)
ONE_BADGE_OF = _BADGES_FROM.add_columns(*_DOCUMENTS).where(
    IssuedBadge.public_id == bindparam("badge")
)
PUBLISHED_BADGE = _BADGE_ROWS.add_columns(*_DOCUMENTS).where(
    IssuedBadge.public_id == bindparam("badge")
)
CHOSEN_PATHWAYS = (
    select(PathwayFollow.pathway_id)
    .where(
        PathwayFollow.young_person_id == bindparam("person"), PathwayFollow.unfollowed_at.is_(None)
    )
    .order_by(PathwayFollow.pathway_id)
)
_PREPARED = {
    statement: Prepared(statement)
    for statement in (
        SHARED,
        PASSIONS_OF,
        BADGES_OF,
        BADGES_WITH_DOCUMENTS_OF,
        ONE_BADGE_OF,
        CHOSEN_PATHWAYS,
    )
}


def _journey(
    slug: str,
    shared: Any,
    passions: Sequence[str],
    rows: Sequence[Any],
    with_documents: bool,
    chosen: Sequence[str] = (),
) -> PublicJourney:
    """Puts a shared journey together from its rows, leaving out hidden and revoked badges."""
    hidden = set(shared.hidden_badge_ids or ())
    shown = [row for row in rows if row.public_id not in hidden and row.revoked_at is None]
    return PublicJourney(
        slug=slug,
        nickname=shared.nickname if shared.show_nickname else None,
        passion_ids=tuple(passions) if shared.show_passions else (),
        badges=tuple(_shown(row) for row in shown),
        documents={row.public_id: _signed(row) for row in shown} if with_documents else {},
        chosen_pathways=tuple(chosen),
        version=shared.version,
    )


def _one(shared: Any, public_id: str, row: Any) -> tuple[ShownBadge, SignedForms] | None:
    if row is None or public_id in (shared.hidden_badge_ids or ()):
        return None
    holder = (shared.nickname or "") if shared.show_nickname else ""
    return replace(_shown(row), holder=holder), _signed(row)


async def public_journey(
    session: AsyncSession, slug: str, with_documents: bool = False
) -> PublicJourney | None:
    """A shared journey by its link, or None for unknown, switched-off and replaced links alike."""
    shared = (await session.execute(SHARED, {"slug": slug})).first()
    if shared is None:
        return None
    person = {"person": shared.young_person_id}
    passions = list(await session.scalars(PASSIONS_OF, person)) if shared.show_passions else []
    statement = BADGES_WITH_DOCUMENTS_OF if with_documents else BADGES_OF
    rows = (await session.execute(statement, person)).all()
    chosen = list(await session.scalars(CHOSEN_PATHWAYS, person)) if shared.follows_pathways else []
    return _journey(slug, shared, passions, rows, with_documents, chosen)


def read_public_journey(
    connection: sqlite3.Connection, slug: str, with_documents: bool = False
) -> PublicJourney | None:
    """public_journey on a plain sqlite3 connection: the same statements and the same answer."""
    shared = _PREPARED[SHARED].first(connection, slug=slug)
    if shared is None:
        return None
    person = shared.young_person_id
    passions = (
        [row.passion_id for row in _PREPARED[PASSIONS_OF].all(connection, person=person)]
        if shared.show_passions
        else []
    )
    statement = BADGES_WITH_DOCUMENTS_OF if with_documents else BADGES_OF
    rows = _PREPARED[statement].all(connection, person=person)
    chosen = (
        [row.pathway_id for row in _PREPARED[CHOSEN_PATHWAYS].all(connection, person=person)]
        if shared.follows_pathways
        else []
    )
    return _journey(slug, shared, passions, rows, with_documents, chosen)


def _stamp(shared: Any) -> Stamp | None:
    return None if shared is None else Stamp(shared.version, bool(shared.follows_pathways))


async def journey_stamp(session: AsyncSession, slug: str) -> Stamp | None:
    """A shared journey's stamp by its link, in the one read every link runs, or None."""
    return _stamp((await session.execute(SHARED, {"slug": slug})).first())


def read_journey_stamp(connection: sqlite3.Connection, slug: str) -> Stamp | None:
    """journey_stamp on a plain sqlite3 connection."""
    return _stamp(_PREPARED[SHARED].first(connection, slug=slug))


async def sharer(session: AsyncSession, slug: str) -> int | None:
    """Whose journey a link shows, while it is shared."""
    shared = (await session.execute(SHARED, {"slug": slug})).first()
    return None if shared is None else int(shared.young_person_id)


def read_sharer(connection: sqlite3.Connection, slug: str) -> int | None:
    """sharer on a plain sqlite3 connection."""
    shared = _PREPARED[SHARED].first(connection, slug=slug)
    return None if shared is None else int(shared.young_person_id)


async def shared_badge(
    session: AsyncSession, slug: str, public_id: str
) -> tuple[ShownBadge, SignedForms] | None:
    """One badge on a shared journey, revoked or not, so anyone holding its link can check it."""
    shared = (await session.execute(SHARED, {"slug": slug})).first()
    if shared is None:
        return None
    values = {"person": shared.young_person_id, "badge": public_id}
    return _one(shared, public_id, (await session.execute(ONE_BADGE_OF, values)).first())


async def published_badge(
    session: AsyncSession, public_id: str
) -> tuple[ShownBadge, SignedForms] | None:
    """Any badge by its public id, naming nobody: what its published credential already says."""
    row = (await session.execute(PUBLISHED_BADGE, {"badge": public_id})).first()
    return None if row is None else (_shown(row), _signed(row))


def read_shared_badge(
    connection: sqlite3.Connection, slug: str, public_id: str
) -> tuple[ShownBadge, SignedForms] | None:
    """shared_badge on a plain sqlite3 connection."""
    shared = _PREPARED[SHARED].first(connection, slug=slug)
    if shared is None:
        return None
    row = _PREPARED[ONE_BADGE_OF].first(connection, person=shared.young_person_id, badge=public_id)
    return _one(shared, public_id, row)
