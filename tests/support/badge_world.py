"""A fictional issuer's published badge documents, served by an in-memory fetch."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from colbot.openbadges import dataintegrity, documents, jws, vcjwt
from colbot.openbadges.documents import Alignment
from colbot.openbadges.keys import IssuerKeys
from colbot.openbadges.statuslist import new_bitstring, with_status_bit

REPOSITORY = Path(__file__).resolve().parents[2]
SHARED = REPOSITORY.parent / "shared" / "openbadges"

NOW = datetime(2026, 11, 28, 9, 30, tzinfo=UTC)
ISSUED = datetime(2026, 9, 1, 15, 0, tzinfo=UTC)
SIGNED_AT = ISSUED + timedelta(minutes=5)

SITE = "https://badges.northbridge.example"
ISSUER_V2 = f"{SITE}/ob2/issuer.json"
ISSUER_V3 = f"{SITE}/issuers/northbridge"
KEY_V2 = f"{SITE}/ob2/keys/2026.json"
OLD_KEY_V2 = f"{SITE}/ob2/keys/2025.json"
REVOCATIONS_V2 = f"{SITE}/ob2/revocations.json"
BADGE_V2 = f"{SITE}/ob2/badges/bike-repair.json"
ASSERTION_V2 = "urn:uuid:8d3f5a3e-6b7c-4f0e-9a57-3c1b8e2f4d10"
JWK_URL = f"{SITE}/keys/rsa-2026.jwk"
ACHIEVEMENT = f"{SITE}/achievements/bike-repair"
CREDENTIAL = "urn:uuid:0c6a1f1e-2d4b-4b8a-a2b4-7e9f1d3c5a77"
STATUS_LIST = f"{SITE}/status/revocation-1"
STATUS_INDEX = 4242

EMAIL = "Sam.Learner@example.net"
SALT = "f00dfacecafe"


def load_json(path: Path) -> Any:
    """Reads one reference JSON file."""
    return json.loads(path.read_text(encoding="utf-8"))


@dataclass
class World:
    """Everything the fictional issuer publishes, plus its keys and a way to fetch."""

    keys: IssuerKeys
    old_keys: IssuerKeys
    served: dict[str, bytes] = field(default_factory=dict)
    fetched: list[str] = field(default_factory=list)

    def publish(self, url: str, document: Any) -> None:
        """Serves a document (JSON, or text for a JWT) at a URL."""
        body = document if isinstance(document, str) else json.dumps(document)
        self.served[url] = body.encode("utf-8")

    def withdraw(self, url: str) -> None:
        """Stops serving a URL."""
        del self.served[url]

    def fetch(self, url: str) -> tuple[str, bytes]:
        """What an HTTP client would return; LookupError stands in for a 404."""
        self.fetched.append(url)
        if url not in self.served:
            raise LookupError(f"404 Not Found: {url}")
        return "application/json", self.served[url]

    # OB 2.0

    def ob2_issuer(self, public_keys: list[str] | None = None) -> dict[str, Any]:
        """The OB 2.0 issuer profile, listing the current key by default."""
        return documents.ob2_issuer(
            issuer_id=ISSUER_V2,
            name="Northbridge City of Learning",
            url=SITE,
            email="badges@northbridge.example",
            public_keys=public_keys or [KEY_V2],
            revocation_list=REVOCATIONS_V2,
            image=f"{SITE}/logo.png",
            description="Badges for things young people learn around Northbridge.",
        )

    def ob2_assertion(self, **changes: Any) -> dict[str, Any]:
        """An OB 2.0 assertion for the bike repair badge."""
        values: dict[str, Any] = {
            "assertion_id": ASSERTION_V2,
            "badge_id": BADGE_V2,
            "recipient": documents.ob2_recipient(EMAIL, SALT),
            "issued_on": ISSUED,
            "key_id": KEY_V2,
            "narrative": "Trued a wheel and replaced brake pads at the Saturday workshop.",
        }
        values.update(changes)
        return documents.ob2_assertion(**values)

    def signed_assertion(self, **changes: Any) -> str:
        """The OB 2.0 assertion as a compact JWS signed with the current key."""
        return jws.sign_assertion(self.ob2_assertion(**changes), self.keys.rsa)

    def revoke_ob2(self, reason: str = "Issued by mistake") -> None:
        """Puts the assertion on the OB 2.0 revocation list."""
        self.publish(
            REVOCATIONS_V2,
            documents.ob2_revocation_list(
                list_id=REVOCATIONS_V2, issuer_id=ISSUER_V2, revoked={ASSERTION_V2: reason}
            ),
        )

    # OB 3.0

    def ob3_profile(self, keys: list[IssuerKeys] | None = None) -> dict[str, Any]:
        """The OB 3.0 issuer profile listing its Ed25519 and RSA keys."""
        methods = [
            documents.multikey_method(ISSUER_V3, key.public_key_multibase())
            for key in keys or [self.keys]
        ]
        methods.append(documents.jwk_method(ISSUER_V3, self.keys.public_jwk(JWK_URL)))
        return documents.ob3_profile(
            issuer_id=ISSUER_V3,
            name="Northbridge City of Learning",
            url=SITE,
            email="badges@northbridge.example",
            image=f"{SITE}/logo.png",
            description="Badges for things young people learn around Northbridge.",
            verification_methods=methods,
        )

    def ob3_credential(self, **changes: Any) -> dict[str, Any]:
        """An unsigned OpenBadgeCredential for the bike repair achievement."""
        values: dict[str, Any] = {
            "credential_id": CREDENTIAL,
            "issuer": self.ob3_profile(),
            "achievement": documents.ob3_achievement(
                achievement_id=ACHIEVEMENT,
                name="Bike Repair",
                description="Can diagnose and fix common faults on a bicycle.",
                criteria_narrative="Fix a puncture, adjust brakes and true a wheel.",
                image=f"{SITE}/images/bike-repair.png",
                tags=["mechanics", "sustainability"],
                alignment=[
                    Alignment(
                        target_name="Practical problem solving",
                        target_url=f"{SITE}/skills/problem-solving",
                        target_framework="Northbridge Skills",
                    )
                ],
                achievement_type="Badge",
            ),
            "identifiers": [documents.ob3_identity(EMAIL, SALT)],
            "valid_from": ISSUED,
            "status": documents.status_list_entry(
                status_list_credential=STATUS_LIST, index=STATUS_INDEX
            ),
        }
        values.update(changes)
        return documents.ob3_credential(**values)

    def proof_credential(self, **changes: Any) -> dict[str, Any]:
        """The credential with an eddsa-rdfc-2022 proof."""
        return dataintegrity.sign(
            self.ob3_credential(**changes),
            self.keys.ed25519,
            self.keys.verification_method(ISSUER_V3),
            SIGNED_AT,
        )

    def jwt_credential(self, **changes: Any) -> str:
        """The credential as a VC-JWT."""
        return vcjwt.sign_credential(self.ob3_credential(**changes), self.keys.rsa, JWK_URL)

    def publish_status_list(self, revoked: bool = False) -> None:
        """Signs and serves the revocation status list, with our bit set or clear."""
        bits = with_status_bit(new_bitstring(), STATUS_INDEX, revoked)
        status_list = documents.ob3_status_list_credential(
            list_id=STATUS_LIST, issuer_id=ISSUER_V3, valid_from=ISSUED, bits=bits
        )
        signed = dataintegrity.sign(
            status_list,
            self.keys.ed25519,
            self.keys.verification_method(ISSUER_V3),
            SIGNED_AT,
        )
        self.publish(STATUS_LIST, signed)


def build_world(keys: IssuerKeys, old_keys: IssuerKeys) -> World:
    """Publishes every document a verifier needs for the fictional issuer."""
    world = World(keys=keys, old_keys=old_keys)
    world.publish(ISSUER_V2, world.ob2_issuer())
    world.publish(
        KEY_V2, documents.ob2_key(key_id=KEY_V2, owner=ISSUER_V2, public_key_pem=keys.public_pem())
    )
    world.publish(
        BADGE_V2,
        documents.ob2_badge_class(
            badge_id=BADGE_V2,
            name="Bike Repair",
            description="Can diagnose and fix common faults on a bicycle.",
            image=f"{SITE}/images/bike-repair.png",
            criteria_narrative="Fix a puncture, adjust brakes and true a wheel.",
            issuer_id=ISSUER_V2,
            tags=["mechanics"],
            alignment=[
                Alignment(
                    target_name="Practical problem solving",
                    target_url=f"{SITE}/skills/problem-solving",
                )
            ],
        ),
    )
    world.publish(
        REVOCATIONS_V2,
        documents.ob2_revocation_list(list_id=REVOCATIONS_V2, issuer_id=ISSUER_V2, revoked={}),
    )
    world.publish(ISSUER_V3, world.ob3_profile())
    world.publish(JWK_URL, keys.public_jwk(JWK_URL))
    world.publish_status_list()
    return world
