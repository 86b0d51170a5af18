"""Where every badge document lives under COLBOT_PUBLIC_URL, so ids and routes always agree."""

from __future__ import annotations

from dataclasses import dataclass

CITY_ISSUER = "city"
PARTNER_ISSUER_PREFIX = "partner-"
BADGES_ROOT = "/badges"
STATUS_LIST_NUMBER = 1


def partner_issuer(partner_slug: str) -> str:
    """A partner's issuer name; the prefix keeps it apart from the city's, whatever the slug."""
    return PARTNER_ISSUER_PREFIX + partner_slug


def partner_slug_of(issuer: str) -> str | None:
    """The partner slug an issuer name stands for, or None for the city."""
    return issuer.removeprefix(PARTNER_ISSUER_PREFIX) if is_partner(issuer) else None


def is_partner(issuer: str) -> bool:
    """Whether an issuer name names a partner."""
    return issuer.startswith(PARTNER_ISSUER_PREFIX) and len(issuer) > len(PARTNER_ISSUER_PREFIX)


# The route patterns web/badges.py serves; the URL builders below fill them in.
ISSUER = "/badges/issuers/{issuer}"
ISSUER_OB2 = "/badges/issuers/{issuer}/ob2"
ISSUER_IMAGE = "/badges/issuers/{issuer}/image.png"
KEY = "/badges/issuers/{issuer}/keys/{kid}"
KEY_JWK = "/badges/issuers/{issuer}/keys/{kid}.jwk"
KEY_PEM = "/badges/issuers/{issuer}/keys/{kid}.pem"
KEY_MULTIKEY = "/badges/issuers/{issuer}/keys/{kid}/multikey"
JWKS = "/badges/issuers/{issuer}/jwks.json"
REVOCATIONS = "/badges/issuers/{issuer}/revocations"
STATUS_LIST = "/badges/issuers/{issuer}/status/{number}"
BADGE_CLASS = "/badges/issuers/{issuer}/classes/{badge_class}"
ACHIEVEMENT = "/badges/issuers/{issuer}/achievements/{badge_class}"
ASSERTION = "/badges/assertions/{badge}"
ASSERTION_JWS = "/badges/assertions/{badge}.jws"
CREDENTIAL = "/badges/credentials/{badge}"
CREDENTIAL_JWT = "/badges/credentials/{badge}.jwt"
BAKED_PNG = "/badges/images/{badge}.png"
BAKED_SVG = "/badges/images/{badge}.svg"
BAKED_SVG_OB2 = "/badges/images/{badge}.ob2.svg"
ARTWORK_PNG = "/badges/artwork/{artwork}.png"
ARTWORK_SVG = "/badges/artwork/{artwork}.svg"
JOURNEY = "/j/{slug}"

# The only paths under COLBOT_PUBLIC_URL a badge check may read: the badge documents and the
# journeys with their check pages. Never /metrics, /readyz, /dashboard, /chat or the webhook.
DOCUMENT_PREFIXES = (BADGES_ROOT + "/", "/j/")


@dataclass(frozen=True)
class BadgeUrls:
    """Absolute URLs for the documents colbot publishes, under one public base URL."""

    base: str

    def _url(self, pattern: str, **parts: object) -> str:
        return self.base.rstrip("/") + pattern.format(**parts)

    def issuer(self, issuer: str) -> str:
        """The OB 3.0 Profile: the issuer id in credentials, listing every key."""
        return self._url(ISSUER, issuer=issuer)

    def issuer_ob2(self, issuer: str) -> str:
        """The OB 2.0 Issuer, listing publicKey and revocationList."""
        return self._url(ISSUER_OB2, issuer=issuer)

    def issuer_image(self, issuer: str) -> str:
        return self._url(ISSUER_IMAGE, issuer=issuer)

    def key(self, issuer: str, kid: str) -> str:
        """The OB 2.0 CryptographicKey (publicKeyPem) that a SignedBadge names as creator."""
        return self._url(KEY, issuer=issuer, kid=kid)

    def jwk(self, issuer: str, kid: str) -> str:
        """The public JWK a VC-JWT's kid resolves to."""
        return self._url(KEY_JWK, issuer=issuer, kid=kid)

    def multikey(self, issuer: str, kid: str) -> str:
        """The key set's Ed25519 key as a Multikey document: the verificationMethod of proofs.

        A plain URL, since verifiers fetch the verificationMethod's URL as it stands and read
        the answer as the key itself (a fragment never reaches the server).
        """
        return self._url(KEY_MULTIKEY, issuer=issuer, kid=kid)

    def pem(self, issuer: str, kid: str) -> str:
        return self._url(KEY_PEM, issuer=issuer, kid=kid)

    def jwks(self, issuer: str) -> str:
        return self._url(JWKS, issuer=issuer)

    def revocations(self, issuer: str) -> str:
        return self._url(REVOCATIONS, issuer=issuer)

    def status_list(self, issuer: str, number: int = STATUS_LIST_NUMBER) -> str:
        return self._url(STATUS_LIST, issuer=issuer, number=number)

    def badge_class(self, issuer: str, badge_class: str) -> str:
        return self._url(BADGE_CLASS, issuer=issuer, badge_class=badge_class)

    def achievement(self, issuer: str, badge_class: str) -> str:
        return self._url(ACHIEVEMENT, issuer=issuer, badge_class=badge_class)

    def assertion(self, badge: str) -> str:
        return self._url(ASSERTION, badge=badge)

    def assertion_jws(self, badge: str) -> str:
        return self._url(ASSERTION_JWS, badge=badge)

    def credential(self, badge: str) -> str:
        return self._url(CREDENTIAL, badge=badge)

    def credential_jwt(self, badge: str) -> str:
        return self._url(CREDENTIAL_JWT, badge=badge)

    def baked_png(self, badge: str) -> str:
        return self._url(BAKED_PNG, badge=badge)

    def baked_svg(self, badge: str) -> str:
        return self._url(BAKED_SVG, badge=badge)

    def baked_svg_ob2(self, badge: str) -> str:
        return self._url(BAKED_SVG_OB2, badge=badge)

    def artwork_png(self, artwork: str) -> str:
        return self._url(ARTWORK_PNG, artwork=artwork.removesuffix(".svg"))

    def artwork_svg(self, artwork: str) -> str:
        return self._url(ARTWORK_SVG, artwork=artwork.removesuffix(".svg"))

    def journey(self, slug: str) -> str:
        """A young person's journey page (served by the journey feature)."""
        return self._url(JOURNEY, slug=slug)
