"""Issuers: the city and each partner, their profiles, and their signing keys on disk."""

# Keys live under COLBOT_DATA_DIR/keys/<issuer>/: current.pem holds the private keys (made
# on demand, owner-only), retired/<kid>.pem the public halves of keys rotated out, which
# stay published so that badges signed with them keep verifying. Key material is never
# logged; only key ids (public thumbprints) are.

from __future__ import annotations

import logging
import os
import threading
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ed25519, rsa
from sqlalchemy.ext.asyncio import AsyncSession

from colbot.badges.classes import CITY_ARTWORK, PARTNER_ARTWORK
from colbot.badges.urls import CITY_ISSUER, partner_issuer, partner_slug_of
from colbot.catalogue.store import find_partner
from colbot.openbadges.keys import (
    IssuerKeys,
    ed25519_public_multibase,
    rsa_public_jwk,
    rsa_public_pem,
    rsa_thumbprint,
)
from colbot.storage.models import Partner
from colbot.storage.private_files import create_once, private_folder, write_private

log = logging.getLogger(__name__)

KEYS_FOLDER = "keys"
CURRENT_FILE = "current.pem"
RETIRED_FOLDER = "retired"
PEM_END = b"-----END PUBLIC KEY-----"
CITY_DESCRIPTION = (
    "{city} City of Learning: the partnership of organisations helping young people in {city} "
    "learn, and get recognised for it."
)


class UnknownIssuer(LookupError):
    """No city or partner goes by that issuer name."""


@dataclass(frozen=True)
class IssuerInfo:
    """What an issuer profile says about who awards a badge."""

    issuer: str
    name: str
    url: str
    email: str
    description: str
    artwork: str


@dataclass(frozen=True)
class CityIssuer:
    """The city partnership, which issues city-wide badges such as milestones."""

    name: str
    url: str
    email: str

    def info(self) -> IssuerInfo:
        """The city's issuer profile details."""
        return IssuerInfo(
            issuer=CITY_ISSUER,
            name=f"{self.name} City of Learning",
            url=self.url,
            email=self.email,
            description=CITY_DESCRIPTION.format(city=self.name),
            artwork=CITY_ARTWORK,
        )

    def partner_info(self, partner: Partner) -> IssuerInfo:
        """A partner's issuer profile details, falling back on the city's contact details."""
        return IssuerInfo(
            issuer=partner_issuer(partner.slug),
            name=partner.name,
            url=partner.website or self.url,
            email=partner.email or self.email,
            description=partner.description
            or f"{partner.name}, a partner of {self.name} City of Learning.",
            artwork=PARTNER_ARTWORK,
        )

    async def find(self, session: AsyncSession, issuer: str) -> IssuerInfo | None:
        """The issuer with this name: 'city', or 'partner-<slug>' for an existing partner."""
        if issuer == CITY_ISSUER:
            return self.info()
        slug = partner_slug_of(issuer)
        partner = await find_partner(session, slug) if slug else None
        if partner is None or partner.slug != slug:
            return None
        return self.partner_info(partner)

    async def named(self, session: AsyncSession, name: str) -> IssuerInfo:
        """The issuer someone typed: 'city', an issuer name, or a partner's name or slug."""
        found = await self.find(session, name)
        if found is None:
            partner = await find_partner(session, name)
            found = self.partner_info(partner) if partner is not None else None
        if found is None:
            raise UnknownIssuer(name)
        return found


@dataclass(frozen=True)
class PublicKeys:
    """The public halves of one issuer key pair, as colbot publishes them."""

    rsa: rsa.RSAPublicKey
    ed25519: ed25519.Ed25519PublicKey
    current: bool

    @property
    def kid(self) -> str:
        """The RSA key's JWK thumbprint: the last part of its key URLs."""
        return rsa_thumbprint(self.rsa)

    @property
    def multibase(self) -> str:
        """The Ed25519 key as publicKeyMultibase."""
        return ed25519_public_multibase(self.ed25519)

    def pem(self) -> str:
        """The RSA key as PEM."""
        return rsa_public_pem(self.rsa)

    def jwk(self, url: str) -> dict[str, str]:
        """The RSA key as a JWK whose kid is its URL."""
        return rsa_public_jwk(self.rsa, url)

    def to_pem(self) -> bytes:
        """Both public keys as two PEM blocks, as a retired key file holds them."""
        return b"".join(
            key.public_bytes(
                serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
            )
            for key in (self.rsa, self.ed25519)
        )

    @classmethod
    def of(cls, keys: IssuerKeys, current: bool) -> PublicKeys:
        """The public halves of a private key pair."""
        return cls(keys.rsa.public_key(), keys.ed25519.public_key(), current)

    @classmethod
    def from_pem(cls, data: bytes) -> PublicKeys:
        """Reads what to_pem wrote."""
        blocks = [block + PEM_END for block in data.split(PEM_END) if block.strip()]
        found = [serialization.load_pem_public_key(block) for block in blocks]
        rsa_keys = [k for k in found if isinstance(k, rsa.RSAPublicKey)]
        ed_keys = [k for k in found if isinstance(k, ed25519.Ed25519PublicKey)]
        if len(rsa_keys) != 1 or len(ed_keys) != 1:
            raise ValueError("a retired key file holds one RSA and one Ed25519 public key")
        return cls(rsa_keys[0], ed_keys[0], current=False)


def _stamp(path: Path) -> tuple[int, int, int] | None:
    """What changes when a file is replaced, so cached keys are reloaded after a rotation."""
    try:
        status = path.stat()
    except FileNotFoundError:
        return None
    return (status.st_mtime_ns, status.st_ino, status.st_size)


class KeyStore:
    """Each issuer's signing keys, loaded once and reloaded only when the files change."""

    def __init__(self, data_dir: Path) -> None:
        self.root = data_dir / KEYS_FOLDER
        self._lock = threading.Lock()
        self._current: dict[str, tuple[tuple[int, int, int], IssuerKeys]] = {}
        self._published: dict[str, tuple[object, list[PublicKeys]]] = {}

    def folder(self, issuer: str) -> Path:
        """Where one issuer's keys are kept."""
        if not issuer or "/" in issuer or issuer.startswith("."):
            raise ValueError(f"not an issuer name: {issuer!r}")
        return self.root / issuer

    def current(self, issuer: str) -> IssuerKeys:
        """The keys new badges are signed with, made the first time an issuer needs them."""
        path = self.folder(issuer) / CURRENT_FILE
        stamp = _stamp(path)
        cached = self._current.get(issuer)
        if cached is not None and cached[0] == stamp:
            return cached[1]
        with self._lock:
            if stamp is None:
                self._create(path)
                stamp = _stamp(path)
            assert stamp is not None
            keys = IssuerKeys.from_pem(path.read_bytes(), own_file=True)
            self._current[issuer] = (stamp, keys)
            return keys

    def _create(self, path: Path) -> None:
        """Makes an issuer's first keys; if another process got there first, theirs stand."""
        private_folder(self.root)
        keys = IssuerKeys.generate()
        if not create_once(path, keys.to_pem()):
            return
        log.info("made signing keys for issuer %s (key %s)", path.parent.name, keys.rsa_key_id())

    def rotate(self, issuer: str) -> tuple[PublicKeys, PublicKeys]:
        """New keys for an issuer; the old public keys stay published. Returns (old, new)."""
        old = PublicKeys.of(self.current(issuer), current=False)
        folder = self.folder(issuer)
        retired = private_folder(folder / RETIRED_FOLDER) / f"{old.kid}.pem"
        if not retired.exists():
            os.replace(write_private(retired, old.to_pem()), retired)
        new = IssuerKeys.generate()
        with self._lock:
            os.replace(write_private(folder / CURRENT_FILE, new.to_pem()), folder / CURRENT_FILE)
            self._current.pop(issuer, None)
            self._published.pop(issuer, None)
        log.info(
            "rotated keys for issuer %s: %s retired, %s current", issuer, old.kid, new.rsa_key_id()
        )
        return old, PublicKeys.of(new, current=True)

    def published(self, issuer: str) -> list[PublicKeys]:
        """Every key the issuer vouches for: the current one first, then retired ones."""
        current = self.current(issuer)
        retired_folder = self.folder(issuer) / RETIRED_FOLDER
        stamp = (_stamp(self.folder(issuer) / CURRENT_FILE), _stamp(retired_folder))
        cached = self._published.get(issuer)
        if cached is not None and cached[0] == stamp:
            return cached[1]
        keys = [PublicKeys.of(current, current=True)]
        files = sorted(retired_folder.glob("*.pem")) if retired_folder.is_dir() else []
        for path in files:
            retired = PublicKeys.from_pem(path.read_bytes())
            if retired.kid != keys[0].kid:
                keys.append(retired)
        self._published[issuer] = (stamp, keys)
        return keys

    def find(self, issuer: str, kid: str) -> PublicKeys | None:
        """One published key by its id, if the issuer has keys at all."""
        if not (self.folder(issuer) / CURRENT_FILE).exists():
            return None
        return next((key for key in self.published(issuer) if key.kid == kid), None)


@cache
def shared_key_store(data_dir: Path) -> KeyStore:
    """One key store per data folder, so the chat and the web server share loaded keys."""
    return KeyStore(data_dir)
