"""An issuer's two signing keys: RSA for JWS and VC-JWT, Ed25519 for Data Integrity proofs."""

from __future__ import annotations

import base64
import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ed25519, rsa

from colbot.openbadges.errors import BadgeError
from colbot.openbadges.multibase import b64url_decode, ed25519_multikey

RSA_KEY_BITS = 2048
RSA_PUBLIC_EXPONENT = 65537
RS256 = "RS256"
PEM_BLOCK_END = b"-----END"


def _b64url_uint(value: int) -> str:
    """A JWK big-endian unsigned integer, unpadded base64url."""
    raw = value.to_bytes((value.bit_length() + 7) // 8 or 1, "big")
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")


def _split_pem_blocks(data: bytes) -> list[bytes]:
    """Splits concatenated PEM blocks so each key can be loaded on its own."""
    blocks: list[bytes] = []
    rest = data
    while True:
        start = rest.find(b"-----BEGIN")
        if start < 0:
            return blocks
        end_marker = rest.find(PEM_BLOCK_END, start)
        if end_marker < 0:
            raise BadgeError("PEM data has a BEGIN line without an END line")
        end = rest.find(b"-----", end_marker + len(PEM_BLOCK_END))
        if end < 0:
            raise BadgeError("PEM data has an unterminated END line")
        end += len(b"-----")
        blocks.append(rest[start:end] + b"\n")
        rest = rest[end:]


def _uint_from_b64url(text: object) -> int:
    """A JWK unsigned integer member back as an int."""
    if not isinstance(text, str) or not text:
        raise BadgeError("a JWK integer member must be a non-empty base64url string")
    return int.from_bytes(b64url_decode(text), "big")


def _big_enough(key: rsa.RSAPublicKey) -> rsa.RSAPublicKey:
    """Refuses RSA keys too small to trust (and that JOSE libraries warn about)."""
    if key.key_size < RSA_KEY_BITS:
        raise BadgeError(f"the RSA key has {key.key_size} bits; at least {RSA_KEY_BITS} needed")
    return key


def rsa_public_from_pem(pem: str | bytes) -> rsa.RSAPublicKey:
    """A published PEM public key, if it is an RSA key of at least 2048 bits."""
    try:
        data = pem.encode("ascii") if isinstance(pem, str) else pem
        key = serialization.load_pem_public_key(data)
    except (ValueError, TypeError, UnicodeEncodeError) as error:
        raise BadgeError(f"not a PEM public key: {error}") from error
    if not isinstance(key, rsa.RSAPublicKey):
        raise BadgeError(f"expected an RSA public key, got {type(key).__name__}")
    return _big_enough(key)


def rsa_public_from_jwk(jwk: Mapping[str, Any]) -> rsa.RSAPublicKey:
    """A published JWK, if it is an RSA public key of at least 2048 bits."""
    if jwk.get("kty") != "RSA":
        raise BadgeError(f"expected an RSA JWK, got kty {jwk.get('kty')!r}")
    try:
        numbers = rsa.RSAPublicNumbers(
            _uint_from_b64url(jwk.get("e")), _uint_from_b64url(jwk.get("n"))
        )
        return _big_enough(numbers.public_key())
    except ValueError as error:
        raise BadgeError(f"not a usable RSA JWK: {error}") from error


def rsa_public_jwk(public_key: rsa.RSAPublicKey, kid: str) -> dict[str, str]:
    """A public RSA key as a JWK for RS256 signatures, named by kid."""
    numbers = public_key.public_numbers()
    return {
        "kty": "RSA",
        "kid": kid,
        "use": "sig",
        "alg": RS256,
        "n": _b64url_uint(numbers.n),
        "e": _b64url_uint(numbers.e),
    }


def rsa_thumbprint(public_key: rsa.RSAPublicKey) -> str:
    """The RFC 7638 JWK thumbprint: a stable name for a key, whatever URL it is served at."""
    numbers = public_key.public_numbers()
    members = {"e": _b64url_uint(numbers.e), "kty": "RSA", "n": _b64url_uint(numbers.n)}
    canonical = json.dumps(members, separators=(",", ":"), sort_keys=True).encode("ascii")
    return base64.urlsafe_b64encode(hashlib.sha256(canonical).digest()).rstrip(b"=").decode()


def rsa_public_pem(public_key: rsa.RSAPublicKey) -> str:
    """A public RSA key as SubjectPublicKeyInfo PEM, as OB 2.0 CryptographicKey documents carry."""
    return public_key.public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    ).decode("ascii")


def ed25519_public_multibase(public_key: ed25519.Ed25519PublicKey) -> str:
    """A public Ed25519 key as a Multikey publicKeyMultibase (z6Mk...)."""
    raw = public_key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return ed25519_multikey(raw)


@dataclass(frozen=True)
class IssuerKeys:
    """The private keys one issuer signs with; the public halves are published."""

    rsa: rsa.RSAPrivateKey
    ed25519: ed25519.Ed25519PrivateKey

    def __post_init__(self) -> None:
        if self.rsa.key_size < RSA_KEY_BITS:
            raise BadgeError(f"RSA keys must have at least {RSA_KEY_BITS} bits")

    def __repr__(self) -> str:
        return f"IssuerKeys(rsa={self.rsa_key_id()!r}, ed25519={self.public_key_multibase()!r})"

    @classmethod
    def generate(cls) -> IssuerKeys:
        """New random keys for a new issuer."""
        return cls(
            rsa=rsa.generate_private_key(
                public_exponent=RSA_PUBLIC_EXPONENT, key_size=RSA_KEY_BITS
            ),
            ed25519=ed25519.Ed25519PrivateKey.generate(),
        )

    def to_pem(self, password: bytes | None = None) -> bytes:
        """Both private keys as two PKCS#8 PEM blocks, encrypted when a password is given."""
        encryption: serialization.KeySerializationEncryption = (
            serialization.BestAvailableEncryption(password)
            if password
            else serialization.NoEncryption()
        )
        return b"".join(
            key.private_bytes(
                serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, encryption
            )
            for key in (self.rsa, self.ed25519)
        )

    @classmethod
    def from_pem(
        cls, data: bytes, password: bytes | None = None, *, own_file: bool = False
    ) -> IssuerKeys:
        """Reads what to_pem wrote: exactly one RSA key and one Ed25519 key, in any order.

        own_file: the keys come from colbot's own owner-only key folder, which only generate()
        writes, so OpenSSL's check of the RSA key (about 60 ms) is skipped.
        """
        rsa_keys: list[rsa.RSAPrivateKey] = []
        ed_keys: list[ed25519.Ed25519PrivateKey] = []
        for block in _split_pem_blocks(data):
            try:
                key = serialization.load_pem_private_key(
                    block, password=password, unsafe_skip_rsa_key_validation=own_file
                )
            except (ValueError, TypeError) as error:
                raise BadgeError(f"cannot read a private key: {error}") from error
            if isinstance(key, rsa.RSAPrivateKey):
                rsa_keys.append(key)
            elif isinstance(key, ed25519.Ed25519PrivateKey):
                ed_keys.append(key)
            else:
                raise BadgeError(f"unexpected private key type {type(key).__name__}")
        if len(rsa_keys) != 1 or len(ed_keys) != 1:
            raise BadgeError(
                f"expected one RSA and one Ed25519 key, found {len(rsa_keys)} and {len(ed_keys)}"
            )
        return cls(rsa=rsa_keys[0], ed25519=ed_keys[0])

    def rsa_key_id(self) -> str:
        """A stable name for the RSA key (its JWK thumbprint), handy in key URLs."""
        return rsa_thumbprint(self.rsa.public_key())

    def public_jwk(self, kid: str) -> dict[str, str]:
        """The public RSA key as a JWK whose kid is the URL it is served at."""
        return rsa_public_jwk(self.rsa.public_key(), kid)

    def public_pem(self) -> str:
        """The public RSA key as PEM, for an OB 2.0 CryptographicKey."""
        return rsa_public_pem(self.rsa.public_key())

    def public_key_multibase(self) -> str:
        """The public Ed25519 key as publicKeyMultibase."""
        return ed25519_public_multibase(self.ed25519.public_key())

    def verification_method(self, issuer_id: str) -> str:
        """The fragment-form verificationMethod: the issuer id, '#', the publicKeyMultibase.

        colbot's first badges name their key this way; it resolves inside the issuer's profile
        (CID 1.0 fragment resolution), which verifiers that fetch the URL as it stands never do.
        """
        return f"{issuer_id}#{self.public_key_multibase()}"
