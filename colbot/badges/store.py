"""Issuing badges when a code is redeemed, in every signed form at once, and revoking them."""

# Everything here runs inside the redemption's own transaction. SQLite lets one writer in at
# a time, so the work is kept small: keys and artwork are cached, and each badge costs two
# RSA signatures, one Ed25519 proof (most of the time: canonicalising the credential) and
# a few small queries.

from __future__ import annotations

import secrets
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Protocol

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from colbot.badges.classes import BadgeClass, cached_classes
from colbot.badges.issuers import CityIssuer, IssuerInfo, shared_key_store
from colbot.badges.linkedin import add_to_profile_url
from colbot.badges.publishing import Publisher, bake_png
from colbot.badges.urls import BadgeUrls
from colbot.clock import Clock
from colbot.content.city import City
from colbot.content.locations import badges_dir
from colbot.openbadges import dataintegrity, documents, jws, vcjwt
from colbot.openbadges.documents import EMAIL_IDENTITY, Document
from colbot.openbadges.recipients import hash_identity, new_salt
from colbot.openbadges.statuslist import BITS_PER_BYTE, MIN_STATUS_LIST_BYTES
from colbot.storage import audit
from colbot.storage.models import (
    IssuedBadge,
    Opportunity,
    Partner,
    Redemption,
    YoungPerson,
)

PUBLIC_ID_BYTES = 16
STATUS_LIST_ENTRIES = MIN_STATUS_LIST_BYTES * BITS_PER_BYTE
STATUS_INDEX_ATTEMPTS = 64
SYSTEM_IDENTITY = "systemId"
OB2_ID_RECIPIENT = "id"
WITHDRAWN = "withdrawn at the recipient's request"
MAX_REASON = 300
SYSTEM_ACTOR = "colbot"


def new_public_id() -> str:
    """A random badge id that never starts with "-", which a command line reads as an option."""
    while (public_id := secrets.token_urlsafe(PUBLIC_ID_BYTES)).startswith("-"):
        pass
    return public_id


@dataclass(frozen=True)
class Award:
    """One badge just issued, with what the chat needs to hand it over."""

    badge: IssuedBadge
    badge_class: BadgeClass
    issuer_name: str
    baked_png: bytes
    linkedin_url: str
    finishes: str = ""  # the chosen pathway this city badge finishes, named in the cheer

    @property
    def city(self) -> bool:
        """Whether this is a city badge, earned at the end of a pathway."""
        return self.badge_class.city


@dataclass(frozen=True)
class Awarded:
    """The badges one redemption brought, and the learning hours they now add up to."""

    awards: list[Award]
    hours: float
    title: str = ""


class AfterAward(Protocol):
    """What else a redemption's badge brings, such as a city badge at the end of a pathway."""

    async def __call__(
        self, issuer: BadgeIssuer, session: AsyncSession, person: YoungPerson, now: datetime
    ) -> list[Award]: ...


def publisher_for(
    public_url: str, data_dir: Path, city: City, clock: Clock, passions: Iterable[str] | None = None
) -> Publisher:
    """The publisher for a running colbot: its URLs, keys, city and badges/ content."""
    return Publisher(
        urls=BadgeUrls(public_url),
        keys=shared_key_store(data_dir.resolve()),
        city=CityIssuer(city.name, public_url, city.safeguarding.email),
        classes=cached_classes(badges_dir(), frozenset(passions) if passions is not None else None),
        clock=clock,
    )


async def _free_status_index(session: AsyncSession, issuer: str) -> int:
    """A random unused bit of the issuer's status list, so positions say nothing about order."""
    for _ in range(STATUS_INDEX_ATTEMPTS):
        index = secrets.randbelow(STATUS_LIST_ENTRIES)
        taken = await session.scalar(
            select(IssuedBadge.id).where(
                IssuedBadge.issuer_id == issuer, IssuedBadge.status_index == index
            )
        )
        if taken is None:
            return index
    raise RuntimeError(f"the status list of issuer {issuer} is too full to place a badge")


async def total_hours(session: AsyncSession, person_id: int) -> float:
    """The learning hours of the sessions whose badge still stands."""
    total = await session.scalar(
        select(func.sum(Redemption.learning_hours))
        .join(IssuedBadge, IssuedBadge.redemption_id == Redemption.id)
        .where(Redemption.young_person_id == person_id, IssuedBadge.revoked_at.is_(None))
    )
    return float(total or 0.0)


class BadgeIssuer:
    """Issues each redemption's badge, and any city badges it brings, signed in every form."""

    def __init__(self, publisher: Publisher, after: Sequence[AfterAward] = ()) -> None:
        self.publisher = publisher
        self.urls = publisher.urls
        self.after = tuple(after)

    async def award_redemption(
        self, session: AsyncSession, person: YoungPerson, redemption: Redemption, now: datetime
    ) -> Awarded:
        """The badge for a redeemed opportunity, then each city badge it brings, once only."""
        opportunity = await session.get(Opportunity, redemption.opportunity_id)
        assert opportunity is not None
        partner = await session.get(Partner, opportunity.partner_id)
        assert partner is not None
        named = self.publisher.classes.get(opportunity.badge_class_id)
        badge_class = (
            named
            if named is not None and not named.city
            else self.publisher.derived_class(opportunity, partner.name)
        )
        earned = await self.issue(
            session,
            person,
            badge_class,
            self.publisher.city.partner_info(partner),
            now,
            redemption=redemption,
            evidence=f"Completed {opportunity.title} with {partner.name}.",
        )
        awards = [earned]
        for then in self.after:
            awards.extend(await then(self, session, person, now))
        hours = await total_hours(session, person.id)
        return Awarded(awards, hours, opportunity.title)

    async def issue(
        self,
        session: AsyncSession,
        person: YoungPerson,
        badge_class: BadgeClass,
        issuer: IssuerInfo,
        now: datetime,
        redemption: Redemption | None = None,
        evidence: str | None = None,
        evidence_items: Sequence[Document] = (),
    ) -> Award:
        """Signs one badge three ways: OB 2.0 JWS, OB 3.0 VC-JWT, OB 3.0 credential with a proof."""
        public_id = new_public_id()
        status_index = await _free_status_index(session, issuer.issuer)
        keys = self.publisher.keys.current(issuer.issuer)
        salt = new_salt()
        assertion = documents.ob2_assertion(
            assertion_id=self.urls.assertion(public_id),
            badge_id=self.urls.badge_class(issuer.issuer, badge_class.id),
            recipient=self._ob2_recipient(person, salt),
            issued_on=now,
            key_id=self.urls.key(issuer.issuer, keys.rsa_key_id()),
            narrative=evidence,
            evidence=evidence_items,
        )
        credential = documents.ob3_credential(
            credential_id=self.urls.credential(public_id),
            issuer=self.publisher.embedded_profile(issuer),
            achievement=self.publisher.achievement(issuer.issuer, badge_class),
            identifiers=[self._ob3_identity(person, salt)],
            valid_from=now,
            name=badge_class.name,
            description=badge_class.description,
            status=documents.status_list_entry(
                status_list_credential=self.urls.status_list(issuer.issuer), index=status_index
            ),
            evidence=evidence_items
            or ([{"name": badge_class.name, "narrative": evidence}] if evidence else ()),
        )
        signed_assertion = jws.sign_assertion(assertion, keys.rsa)
        method = self.publisher.verification_method(issuer.issuer, keys.rsa_key_id())
        proved = dataintegrity.sign(credential, keys.ed25519, method, now)
        token = vcjwt.sign_credential(
            credential, keys.rsa, self.urls.jwk(issuer.issuer, keys.rsa_key_id())
        )
        badge = IssuedBadge(
            public_id=public_id,
            young_person_id=person.id,
            redemption_id=redemption.id if redemption is not None else None,
            badge_class_id=badge_class.id,
            issuer_id=issuer.issuer,
            name=badge_class.name,
            artwork=badge_class.artwork,
            learning_hours=redemption.learning_hours if redemption is not None else 0.0,
            issued_at=now,
            status_index=status_index,
            ob2_assertion_jws=signed_assertion,
            ob3_credential=proved,
            ob3_jwt=token,
        )
        session.add(badge)
        artwork = self.publisher.artwork_png(badge_class.artwork)
        return Award(
            badge=badge,
            badge_class=badge_class,
            issuer_name=issuer.name,
            baked_png=bake_png(artwork, signed_assertion, proved),
            linkedin_url=add_to_profile_url(
                name=badge_class.name,
                organisation=issuer.name,
                issued=now,
                cert_url=self.urls.credential(public_id),
                cert_id=public_id,
            ),
        )

    @staticmethod
    def _ob2_recipient(person: YoungPerson, salt: str) -> Document:
        """Their email if they chose to add one (so wallets can import it), else their colbot id."""
        if person.email:
            return documents.ob2_recipient(person.email, salt)
        return {
            "type": OB2_ID_RECIPIENT,
            "hashed": True,
            "salt": salt,
            "identity": hash_identity(person.public_id, salt),
        }

    @staticmethod
    def _ob3_identity(person: YoungPerson, salt: str) -> Document:
        """The same choice for OB 3.0: a hashed email, else a hashed colbot id; never a chat id."""
        if person.email:
            return documents.ob3_identity(person.email, salt, EMAIL_IDENTITY)
        return documents.ob3_identity(person.public_id, salt, SYSTEM_IDENTITY)


async def find(session: AsyncSession, public_id: str) -> IssuedBadge | None:
    """An issued badge by its public id."""
    return await session.scalar(select(IssuedBadge).where(IssuedBadge.public_id == public_id))


async def revoke(
    session: AsyncSession,
    public_id: str,
    reason: str,
    now: datetime,
    actor: str = SYSTEM_ACTOR,
    channel: str = "cli",
) -> IssuedBadge | None:
    """Revokes a badge in every form: its OB 2.0 list entry and OB 3.0 status bit follow the row."""
    badge = await find(session, public_id)
    if badge is None:
        return None
    if badge.revoked_at is None:
        badge.revoked_at = now
        badge.revocation_reason = " ".join(reason.split())[:MAX_REASON]
        await audit.record(session, now, actor, channel, "badge.revoked", public_id, reason=reason)
    return badge


async def valid_badges(session: AsyncSession, person_id: int) -> int:
    """How many of a young person's badges are still valid."""
    count = await session.scalar(
        select(func.count(IssuedBadge.id)).where(
            IssuedBadge.young_person_id == person_id, IssuedBadge.revoked_at.is_(None)
        )
    )
    return count or 0


async def withdraw_all(session: AsyncSession, person: YoungPerson, now: datetime) -> int:
    """Revokes every badge of a young person who asked, and drops the signed copies colbot kept."""
    badges = list(
        await session.scalars(
            select(IssuedBadge).where(
                IssuedBadge.young_person_id == person.id, IssuedBadge.revoked_at.is_(None)
            )
        )
    )
    for badge in badges:
        await revoke(session, badge.public_id, WITHDRAWN, now, person.public_id, "chat")
        badge.ob2_assertion_jws = badge.ob3_credential = badge.ob3_jwt = None
    return len(badges)
