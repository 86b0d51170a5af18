"""The documents colbot publishes so anyone can verify its badges: profiles, keys, lists, images."""

from __future__ import annotations

import logging
from collections import OrderedDict
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from colbot.badges.artwork import cached_png, cached_svg
from colbot.badges.classes import FALLBACK_ARTWORK, BadgeClass, BadgeClasses
from colbot.badges.issuers import CityIssuer, IssuerInfo, KeyStore, PublicKeys
from colbot.badges.medallions import medallion_png
from colbot.badges.urls import CITY_ISSUER, BadgeUrls, partner_issuer
from colbot.clock import Clock
from colbot.openbadges import baking, dataintegrity, documents
from colbot.openbadges.documents import OB3_CONTEXTS, Document
from colbot.openbadges.statuslist import new_bitstring, with_status_bit
from colbot.storage.models import IssuedBadge, Opportunity, Partner

log = logging.getLogger(__name__)

OPPORTUNITY_CLASS_PREFIX = "opportunity-"
ACHIEVEMENT_TYPE = "Badge"
STATUS_LIST_CACHE_SIZE = 32
MAX_DERIVED_NAME = 120
MAX_DERIVED_TEXT = 1000
MAX_ROW_ID = 2**31 - 1  # PostgreSQL's INTEGER; SQLite's is wider


def opportunity_class_id(opportunity_id: int) -> str:
    """The id of the badge class made from an opportunity that names none."""
    return f"{OPPORTUNITY_CLASS_PREFIX}{opportunity_id}"


def _opportunity_id(class_id: str) -> int | None:
    """The opportunity a made-up class id stands for, if it is one."""
    number = class_id.removeprefix(OPPORTUNITY_CLASS_PREFIX)
    if number == class_id or not (number.isascii() and number.isdigit()):
        return None
    # A number no id column holds would make the database raise rather than find nothing.
    fits = len(number) <= len(str(MAX_ROW_ID)) and int(number) <= MAX_ROW_ID
    return int(number) if fits else None


def _shorten(text: str, limit: int) -> str:
    """One line of at most limit characters."""
    line = " ".join(text.split())
    return line if len(line) <= limit else line[: limit - 1].rstrip() + "…"


@dataclass
class Publisher:
    """Builds every hosted badge document from the database, badges/ and the issuers' keys."""

    urls: BadgeUrls
    keys: KeyStore
    city: CityIssuer
    classes: BadgeClasses
    clock: Clock
    _status_lists: OrderedDict[tuple[Any, ...], Document] = field(default_factory=OrderedDict)

    # Issuers

    async def issuer(self, session: AsyncSession, issuer: str) -> IssuerInfo | None:
        """The city or a partner, by issuer name."""
        return await self.city.find(session, issuer)

    def embedded_profile(self, info: IssuerInfo) -> Document:
        """The issuer as credentials carry it: who they are, without the key listing."""
        return documents.ob3_profile(
            issuer_id=self.urls.issuer(info.issuer),
            name=info.name,
            url=info.url,
            email=info.email,
            image=self.urls.issuer_image(info.issuer),
            description=info.description,
        )

    def ob3_profile(self, info: IssuerInfo) -> Document:
        """The OB 3.0 Profile: a controller document listing every published key."""
        # Each Ed25519 key twice: at its own URL, which new proofs name, and as
        # '<issuer>#<publicKeyMultibase>', which the first badges name and the CID 1.0 fragment
        # resolution finds here. The RSA keys by reference: their kid URLs serve the JWKs.
        issuer_id = self.urls.issuer(info.issuer)
        methods: list[Document] = []
        jwks: list[str] = []
        for key in self.keys.published(info.issuer):
            methods.append(
                documents.multikey_method(
                    issuer_id, key.multibase, method_id=self.urls.multikey(info.issuer, key.kid)
                )
            )
            methods.append(documents.multikey_method(issuer_id, key.multibase))
            jwks.append(self.urls.jwk(info.issuer, key.kid))
        return documents.ob3_profile(
            issuer_id=issuer_id,
            name=info.name,
            url=info.url,
            email=info.email,
            image=self.urls.issuer_image(info.issuer),
            description=info.description,
            verification_methods=methods,
            referenced_methods=jwks,
        )

    def verification_method(self, issuer: str, kid: str) -> str:
        """What new eddsa-rdfc-2022 proofs name as their verificationMethod: the Multikey URL."""
        return self.urls.multikey(issuer, kid)

    def multikey(self, issuer: str, key: PublicKeys) -> Document:
        """The Multikey document served at a key's verificationMethod URL."""
        return documents.multikey_document(
            self.urls.multikey(issuer, key.kid), self.urls.issuer(issuer), key.multibase
        )

    def ob2_issuer(self, info: IssuerInfo) -> Document:
        """The OB 2.0 Issuer, listing every published key and the revocation list."""
        return documents.ob2_issuer(
            issuer_id=self.urls.issuer_ob2(info.issuer),
            name=info.name,
            url=info.url,
            email=info.email,
            public_keys=[
                self.urls.key(info.issuer, k.kid) for k in self.keys.published(info.issuer)
            ],
            revocation_list=self.urls.revocations(info.issuer),
            image=self.urls.issuer_image(info.issuer),
            description=info.description,
        )

    def ob2_key(self, issuer: str, key: PublicKeys) -> Document:
        """An OB 2.0 CryptographicKey owned by the issuer's OB 2.0 profile."""
        return documents.ob2_key(
            key_id=self.urls.key(issuer, key.kid),
            owner=self.urls.issuer_ob2(issuer),
            public_key_pem=key.pem(),
        )

    def jwks(self, issuer: str) -> Document:
        """Every published RSA key as a JWK Set."""
        return {"keys": [k.jwk(self.urls.jwk(issuer, k.kid)) for k in self.keys.published(issuer)]}

    def warm(self) -> None:
        """Readies what the first redemptions would otherwise pay for inside their transaction."""
        try:
            city = self.city.info()
            keys = self.keys.current(city.issuer)
            city_badges = self.classes.city_badges()
            for badge in city_badges:
                self.artwork_png(badge.artwork)
            first = city_badges[0] if city_badges else None
            if first is not None:
                sample = documents.ob3_credential(
                    credential_id="urn:uuid:00000000-0000-4000-8000-000000000000",
                    issuer=self.embedded_profile(city),
                    achievement=self.achievement(city.issuer, first),
                    identifiers=[documents.ob3_identity("warm-up", "salt", "systemId")],
                    valid_from=self.clock.now(),
                    status=documents.status_list_entry(
                        status_list_credential=self.urls.status_list(city.issuer), index=0
                    ),
                )
                method = self.verification_method(city.issuer, keys.rsa_key_id())
                dataintegrity.sign(sample, keys.ed25519, method, self.clock.now())
        except Exception:  # a cold start is slower, never broken
            log.exception("could not warm up badge issuing")

    # Badge classes

    async def badge_class(
        self, session: AsyncSession, class_id: str
    ) -> tuple[BadgeClass, str] | None:
        """A badge class and the issuer that awards it, from badges/ or made from an opportunity."""
        opportunity_id = _opportunity_id(class_id)
        if opportunity_id is not None:
            opportunity = await session.get(Opportunity, opportunity_id)
            if opportunity is None:
                return None
            partner = await session.get(Partner, opportunity.partner_id)
            assert partner is not None
            return self.derived_class(opportunity, partner.name), partner_issuer(partner.slug)
        found = self.classes.get(class_id)
        if found is None:
            return None
        return found, CITY_ISSUER if found.city else ""

    def derived_class(self, opportunity: Opportunity, partner_name: str) -> BadgeClass:
        """A badge class made from an opportunity, with its passion's artwork and skills."""
        passions = tuple(sorted(p.passion_id for p in opportunity.passions))
        default = next(
            (found for p in passions if (found := self.classes.for_passion(p)) is not None), None
        )
        title = _shorten(opportunity.title, MAX_DERIVED_NAME)
        did = f"Took part in {title} with {partner_name}"
        return BadgeClass(
            id=opportunity_class_id(opportunity.id),
            name=title,
            description=_shorten(opportunity.description or f"{did}.", MAX_DERIVED_TEXT),
            criteria=f"{did}, and got the completion code from the session leader at the end.",
            artwork=default.artwork if default else FALLBACK_ARTWORK,
            tags=passions,
            learning_hours=opportunity.learning_hours,
            alignment=default.alignment if default else (),
        )

    def ob2_badge_class(self, issuer: str, badge_class: BadgeClass) -> Document:
        """The OB 2.0 BadgeClass an assertion points at."""
        return documents.ob2_badge_class(
            badge_id=self.urls.badge_class(issuer, badge_class.id),
            name=badge_class.name,
            description=badge_class.description,
            image=self.urls.artwork_png(badge_class.artwork),
            criteria_narrative=badge_class.criteria,
            issuer_id=self.urls.issuer_ob2(issuer),
            tags=badge_class.tags,
            alignment=badge_class.alignment,
        )

    def achievement(self, issuer: str, badge_class: BadgeClass) -> Document:
        """The OB 3.0 Achievement a credential embeds."""
        return documents.ob3_achievement(
            achievement_id=self.urls.achievement(issuer, badge_class.id),
            name=badge_class.name,
            description=badge_class.description,
            criteria_narrative=badge_class.criteria,
            image=self.urls.artwork_png(badge_class.artwork),
            tags=badge_class.tags,
            alignment=badge_class.alignment,
            achievement_type=ACHIEVEMENT_TYPE,
        )

    def hosted_achievement(self, issuer: str, badge_class: BadgeClass) -> Document:
        """The Achievement as a JSON-LD document of its own."""
        return {"@context": list(OB3_CONTEXTS), **self.achievement(issuer, badge_class)}

    # Revocation

    async def revocation_list(self, session: AsyncSession, issuer: str) -> Document:
        """The OB 2.0 RevocationList: every revoked assertion of this issuer, with its reason."""
        rows = await session.execute(
            select(IssuedBadge.public_id, IssuedBadge.revocation_reason)
            .where(IssuedBadge.issuer_id == issuer, IssuedBadge.revoked_at.is_not(None))
            .order_by(IssuedBadge.revoked_at, IssuedBadge.id)
        )
        return documents.ob2_revocation_list(
            list_id=self.urls.revocations(issuer),
            issuer_id=self.urls.issuer_ob2(issuer),
            revoked={self.urls.assertion(pid): reason for pid, reason in rows.tuples()},
        )

    async def status_list(self, session: AsyncSession, issuer: str) -> Document:
        """The signed Bitstring Status List: one revocation bit per badge of this issuer."""
        revoked: list[int] = sorted(
            await session.scalars(
                select(IssuedBadge.status_index).where(
                    IssuedBadge.issuer_id == issuer,
                    IssuedBadge.revoked_at.is_not(None),
                    IssuedBadge.status_index.is_not(None),
                )
            )
        )
        changed = await session.scalar(
            select(func.max(IssuedBadge.revoked_at)).where(IssuedBadge.issuer_id == issuer)
        ) or await session.scalar(
            select(func.min(IssuedBadge.issued_at)).where(IssuedBadge.issuer_id == issuer)
        )
        signing = self.keys.current(issuer)
        cache_key = (issuer, tuple(revoked), changed, signing.rsa_key_id())
        if cache_key in self._status_lists:
            self._status_lists.move_to_end(cache_key)
            return self._status_lists[cache_key]
        bits = new_bitstring()
        for index in revoked:
            bits = with_status_bit(bits, index)
        issuer_id = self.urls.issuer(issuer)
        valid_from: datetime = changed or self.clock.now()
        unsigned = documents.ob3_status_list_credential(
            list_id=self.urls.status_list(issuer),
            issuer_id=issuer_id,
            valid_from=valid_from,
            bits=bits,
        )
        method = self.verification_method(issuer, signing.rsa_key_id())
        signed = dataintegrity.sign(unsigned, signing.ed25519, method, valid_from)
        self._status_lists[cache_key] = signed
        while len(self._status_lists) > STATUS_LIST_CACHE_SIZE:
            self._status_lists.popitem(last=False)
        return signed

    # Badges

    async def badge(self, session: AsyncSession, public_id: str) -> IssuedBadge | None:
        """An issued badge by its public id."""
        return await session.scalar(select(IssuedBadge).where(IssuedBadge.public_id == public_id))

    async def artwork_drawing(self, session: AsyncSession, name: str) -> str | None:
        """An artwork file, or an issued class's id for its medallion; None if no badge has it."""
        if name in self.classes.artworks:
            return name
        found = await self.badge_class(session, name)
        if found is not None:
            return found[0].artwork
        issued = await session.scalar(
            select(IssuedBadge.id).where(IssuedBadge.badge_class_id == name).limit(1)
        )
        return None if issued is None else name

    def draw_artwork(self, drawing: str) -> bytes:
        """The PNG for what artwork_drawing found: the artwork file, or the class's medallion."""
        if drawing in self.classes.artworks:
            return self.artwork_png(drawing)
        return medallion_png(drawing)

    def artwork_png(self, artwork: str) -> bytes:
        """An artwork drawn as PNG (cached)."""
        return cached_png(self.classes.artwork_path(artwork))

    def artwork_svg(self, artwork: str) -> bytes:
        """An artwork's SVG (cached)."""
        return cached_svg(self.classes.artwork_path(artwork))

    def baked_png(self, badge: IssuedBadge) -> bytes | None:
        """The badge's artwork with both its OB 2.0 assertion and OB 3.0 credential inside."""
        if badge.ob2_assertion_jws is None or badge.ob3_credential is None:
            return None
        return bake_png(
            self.artwork_png(badge.artwork), badge.ob2_assertion_jws, badge.ob3_credential
        )

    def baked_svg(self, badge: IssuedBadge, ob2: bool = False) -> bytes | None:
        """The badge's SVG artwork carrying its OB 3.0 credential (or, with ob2, its assertion)."""
        svg = self.artwork_svg(badge.artwork)
        if ob2:
            jws = badge.ob2_assertion_jws
            return baking.bake_svg_assertion(svg, jws) if jws else None
        credential = badge.ob3_credential
        return baking.bake_svg_credential(svg, credential) if credential else None


def bake_png(artwork: bytes, jws: str, credential: dict[str, Any]) -> bytes:
    """A PNG with the OB 2.0 JWS (iTXt openbadges) and OB 3.0 credential (openbadgecredential)."""
    return baking.bake_png_credential(baking.bake_png_assertion(artwork, jws), credential)
