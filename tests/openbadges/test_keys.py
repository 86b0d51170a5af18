"""Issuer keys survive storage and publish in every form the badges need."""

from __future__ import annotations

import pytest
from cryptography.hazmat.primitives.asymmetric import ed25519, rsa
from cryptography.hazmat.primitives.serialization import load_pem_public_key

from colbot.openbadges.errors import BadgeError
from colbot.openbadges.keys import IssuerKeys
from colbot.openbadges.multibase import (
    base58_decode,
    base58_encode,
    decode_base64url,
    ed25519_from_multikey,
    encode_base64url,
)


def test_keys_round_trip_through_pem(issuer_keys: IssuerKeys) -> None:
    restored = IssuerKeys.from_pem(issuer_keys.to_pem())

    assert restored.public_jwk("k") == issuer_keys.public_jwk("k")
    assert restored.public_key_multibase() == issuer_keys.public_key_multibase()


def test_keys_round_trip_through_encrypted_pem(issuer_keys: IssuerKeys) -> None:
    stored = issuer_keys.to_pem(password=b"correct horse")

    assert b"ENCRYPTED" in stored
    assert IssuerKeys.from_pem(stored, b"correct horse").rsa_key_id() == issuer_keys.rsa_key_id()
    with pytest.raises(BadgeError, match="cannot read"):
        IssuerKeys.from_pem(stored, b"wrong")


def test_from_pem_wants_one_key_of_each_kind(issuer_keys: IssuerKeys) -> None:
    rsa_only = issuer_keys.to_pem().split(b"-----END PRIVATE KEY-----")[0]
    with pytest.raises(BadgeError):
        IssuerKeys.from_pem(rsa_only + b"-----END PRIVATE KEY-----\n")


def test_public_jwk_is_public_and_names_its_url(issuer_keys: IssuerKeys) -> None:
    jwk = issuer_keys.public_jwk("https://badges.example/keys/1.jwk")

    assert jwk["kid"] == "https://badges.example/keys/1.jwk"
    assert jwk["kty"] == "RSA"
    assert jwk["alg"] == "RS256"
    assert not {"d", "p", "q", "dp", "dq", "qi"} & set(jwk)


def test_public_pem_is_the_rsa_public_key(issuer_keys: IssuerKeys) -> None:
    key = load_pem_public_key(issuer_keys.public_pem().encode())
    assert isinstance(key, rsa.RSAPublicKey)
    assert key.public_numbers() == issuer_keys.rsa.public_key().public_numbers()


def test_multikey_is_z_base58btc_of_ed01_and_the_raw_key(issuer_keys: IssuerKeys) -> None:
    multikey = issuer_keys.public_key_multibase()
    raw = ed25519_from_multikey(multikey)

    assert multikey.startswith("z6Mk")
    assert base58_decode(multikey[1:])[:2] == b"\xed\x01"
    assert ed25519.Ed25519PublicKey.from_public_bytes(raw) == issuer_keys.ed25519.public_key()
    assert issuer_keys.verification_method("https://i.example/x") == (
        f"https://i.example/x#{multikey}"
    )


def test_rsa_key_id_is_a_stable_thumbprint(issuer_keys: IssuerKeys) -> None:
    assert issuer_keys.rsa_key_id() == IssuerKeys.from_pem(issuer_keys.to_pem()).rsa_key_id()
    assert len(issuer_keys.rsa_key_id()) == 43


def test_small_rsa_keys_are_refused() -> None:
    small = rsa.generate_private_key(public_exponent=65537, key_size=1024)
    with pytest.raises(BadgeError, match="2048"):
        IssuerKeys(rsa=small, ed25519=ed25519.Ed25519PrivateKey.generate())


def test_repr_shows_no_private_material(issuer_keys: IssuerKeys) -> None:
    assert "PRIVATE" not in repr(issuer_keys)
    assert issuer_keys.public_key_multibase() in repr(issuer_keys)


@pytest.mark.parametrize("data", [b"", b"\x00\x00\x01", b"hello world", bytes(range(256))])
def test_base58_and_base64url_round_trip(data: bytes) -> None:
    assert base58_decode(base58_encode(data)) == data
    assert decode_base64url(encode_base64url(data)) == data


def test_base58_rejects_characters_outside_the_alphabet() -> None:
    with pytest.raises(BadgeError):
        base58_decode("0OIl")
