"""A badge's OB 3.0 credential issued again, to the wallet's DID, signed as every badge is."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from colbot.openbadges import dataintegrity
from colbot.openbadges.errors import BadgeError
from colbot.openbadges.keys import IssuerKeys

SUBJECT = "credentialSubject"


def bound_to(credential: Mapping[str, Any], holder: str) -> dict[str, Any]:
    """An unsigned copy naming the holder's DID as its subject; everything else is kept.

    The id, the achievement, the dates and the status entry stay the badge's own, so revoking
    the badge revokes the wallet's copy with it.
    """
    copy = dataintegrity.unsecured(credential)
    subject = copy.get(SUBJECT)
    if not isinstance(subject, Mapping):
        raise BadgeError("the credential has no credentialSubject to bind")
    copy[SUBJECT] = {"id": holder, **{k: v for k, v in subject.items() if k != "id"}}
    return copy


def reissued(
    credential: Mapping[str, Any], holder: str, keys: IssuerKeys, method: str, now: datetime
) -> dict[str, Any]:
    """The copy for the holder's wallet, with a new eddsa-rdfc-2022 proof by its issuer's key.

    `method` is the key's own Multikey URL, as every new badge names it: wallets fetch that URL
    and need the key there, not the issuer's whole profile.
    """
    if dataintegrity.issuer_id_of(credential) is None:
        raise BadgeError("the credential has no issuer id")
    return dataintegrity.sign(bound_to(credential, holder), keys.ed25519, method, now)
