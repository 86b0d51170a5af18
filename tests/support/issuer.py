"""A stand-in issuer until colbot issues badges: real signed documents, served from the DB."""

from __future__ import annotations

import json
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import func, select

from colbot.openbadges import dataintegrity, documents, jws, vcjwt
from colbot.openbadges.keys import IssuerKeys
from colbot.openbadges.statuslist import new_bitstring, with_status_bit
from colbot.storage.database import Database
from colbot.storage.models import IssuedBadge, YoungPerson

ISSUER_ID = "test-issuer"
ISSUER_NAME = "Kensalfield City of Learning"
SALT = "5a1t"
JSON_TYPE = "application/json"


@dataclass(frozen=True)
class BadgeClass:
    """What one kind of badge means."""

    id: str
    name: str
    description: str
    criteria: str


BIKE_REPAIR = BadgeClass(
    "bike-repair",
    "Bike Repair",
    "Can diagnose and fix common faults on a bicycle.",
    "Fix a puncture, adjust brakes and true a wheel.",
)
CODING = BadgeClass(
    "game-jam", "Game Jam", "Made a playable game in a weekend team.", "Ship a game in 48 hours."
)


class StandInIssuer:
    """Signs OB 2.0 and OB 3.0 badges and answers every URL a verifier asks, like colbot will."""

    def __init__(self, keys: IssuerKeys, database: Database, public_url: str) -> None:
        self.keys = keys
        self.database = database
        self.site = public_url.rstrip("/")
        self.base = f"{self.site}/badges/test-issuer"
        self.issuer_v2 = f"{self.base}/ob2/issuer.json"
        self.key_v2 = f"{self.base}/ob2/key.json"
        self.revocations_v2 = f"{self.base}/ob2/revocations.json"
        self.issuer_v3 = f"{self.base}/issuer"
        self.jwk_url = f"{self.base}/keys/rsa.jwk"
        self.status_list = f"{self.base}/status/1"
        self.classes: dict[str, BadgeClass] = {}

    def badge_class_url(self, class_id: str) -> str:
        return f"{self.base}/ob2/badges/{class_id}.json"

    def _image(self, class_id: str) -> str:
        return f"{self.site}/artwork/{class_id}.png"

    def ob3_profile(self) -> dict[str, Any]:
        methods = [
            documents.multikey_method(self.issuer_v3, self.keys.public_key_multibase()),
            documents.jwk_method(self.issuer_v3, self.keys.public_jwk(self.jwk_url)),
        ]
        return documents.ob3_profile(
            issuer_id=self.issuer_v3,
            name=ISSUER_NAME,
            url=self.site,
            verification_methods=methods,
        )

    async def issue(
        self,
        person: YoungPerson,
        badge: BadgeClass,
        hours: float,
        issued_at: datetime,
        narrative: str | None = None,
        redemption_id: int | None = None,
    ) -> IssuedBadge:
        """Signs a badge in all three forms and stores it, as colbot's issuing will."""
        self.classes[badge.id] = badge
        public_id = secrets.token_urlsafe(16)
        email = f"{person.public_id}@learners.invalid"
        async with self.database.transaction() as session:
            index = await session.scalar(
                select(func.count())
                .select_from(IssuedBadge)
                .where(IssuedBadge.issuer_id == ISSUER_ID)
            )
            assertion = documents.ob2_assertion(
                assertion_id=f"urn:uuid:{public_id}",
                badge_id=self.badge_class_url(badge.id),
                recipient=documents.ob2_recipient(email, SALT),
                issued_on=issued_at,
                key_id=self.key_v2,
                narrative=narrative,
            )
            credential = documents.ob3_credential(
                credential_id=f"urn:uuid:{public_id}",
                issuer=self.ob3_profile(),
                achievement=documents.ob3_achievement(
                    achievement_id=f"{self.base}/achievements/{badge.id}",
                    name=badge.name,
                    description=badge.description,
                    criteria_narrative=badge.criteria,
                    image=self._image(badge.id),
                    achievement_type="Badge",
                ),
                identifiers=[documents.ob3_identity(email, SALT)],
                valid_from=issued_at,
                status=documents.status_list_entry(
                    status_list_credential=self.status_list, index=int(index or 0)
                ),
                evidence=[{"narrative": narrative}] if narrative else (),
            )
            row = IssuedBadge(
                public_id=public_id,
                young_person_id=person.id,
                redemption_id=redemption_id,
                badge_class_id=badge.id,
                issuer_id=ISSUER_ID,
                learning_hours=hours,
                issued_at=issued_at,
                status_index=int(index or 0),
                ob2_assertion_jws=jws.sign_assertion(assertion, self.keys.rsa),
                ob3_credential=dataintegrity.sign(
                    credential,
                    self.keys.ed25519,
                    self.keys.verification_method(self.issuer_v3),
                    issued_at,
                ),
                ob3_jwt=vcjwt.sign_credential(credential, self.keys.rsa, self.jwk_url),
            )
            session.add(row)
        return row

    async def revoke(
        self, public_id: str, when: datetime, reason: str = "Issued by mistake"
    ) -> None:
        async with self.database.transaction() as session:
            badge = await session.scalar(
                select(IssuedBadge).where(IssuedBadge.public_id == public_id)
            )
            assert badge is not None
            badge.revoked_at = when
            badge.revocation_reason = reason

    async def _revoked(self) -> list[tuple[str, int | None, str | None]]:
        async with self.database.reading() as session:
            rows = await session.execute(
                select(
                    IssuedBadge.public_id, IssuedBadge.status_index, IssuedBadge.revocation_reason
                ).where(IssuedBadge.issuer_id == ISSUER_ID, IssuedBadge.revoked_at.is_not(None))
            )
            return [tuple(row) for row in rows]  # type: ignore[misc]

    async def _document(self, url: str) -> Any:
        if url == self.issuer_v2:
            return documents.ob2_issuer(
                issuer_id=self.issuer_v2,
                name=ISSUER_NAME,
                url=self.site,
                email="badges@kensalfield.example",
                public_keys=[self.key_v2],
                revocation_list=self.revocations_v2,
            )
        if url == self.key_v2:
            return documents.ob2_key(
                key_id=self.key_v2, owner=self.issuer_v2, public_key_pem=self.keys.public_pem()
            )
        if url == self.revocations_v2:
            revoked = {f"urn:uuid:{pid}": reason for pid, _, reason in await self._revoked()}
            return documents.ob2_revocation_list(
                list_id=self.revocations_v2, issuer_id=self.issuer_v2, revoked=revoked
            )
        if url == self.issuer_v3:
            return self.ob3_profile()
        if url == self.jwk_url:
            return self.keys.public_jwk(self.jwk_url)
        if url == self.status_list:
            return self._status_list(await self._revoked())
        for class_id, badge in self.classes.items():
            if url == self.badge_class_url(class_id):
                return documents.ob2_badge_class(
                    badge_id=url,
                    name=badge.name,
                    description=badge.description,
                    image=self._image(class_id),
                    criteria_narrative=badge.criteria,
                    issuer_id=self.issuer_v2,
                )
        return None

    def _status_list(self, revoked: list[tuple[str, int | None, str | None]]) -> dict[str, Any]:
        bits = new_bitstring()
        for _, index, _ in revoked:
            if index is not None:
                bits = with_status_bit(bits, index, True)
        listing = documents.ob3_status_list_credential(
            list_id=self.status_list,
            issuer_id=self.issuer_v3,
            valid_from=datetime(2026, 1, 1, tzinfo=UTC),
            bits=bits,
        )
        return dataintegrity.sign(
            listing,
            self.keys.ed25519,
            self.keys.verification_method(self.issuer_v3),
            datetime(2026, 1, 1, tzinfo=UTC),
        )

    async def published(self) -> dict[str, bytes]:
        """Every document the issuer serves right now, for a verifier outside colbot."""
        urls = [self.issuer_v2, self.key_v2, self.revocations_v2, self.issuer_v3, self.jwk_url]
        urls += [self.status_list, *(self.badge_class_url(c) for c in self.classes)]
        return {url: found[1] for url in urls if (found := await self.source(url)) is not None}

    async def source(self, url: str) -> tuple[str, bytes] | None:
        """Answers the issuer's own URLs, reading revocations from the database."""
        document = await self._document(url)
        if document is None:
            return None
        return JSON_TYPE, json.dumps(document).encode("utf-8")
