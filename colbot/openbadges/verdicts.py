"""What verifying a badge found: every check, and the verdict they add up to."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit

from colbot.openbadges.checks import Check, first_failure
from colbot.openbadges.errors import BadgeError
from colbot.openbadges.timestamps import parse_xsd, to_xsd

KIND_OB2_SIGNED = "ob2-signed"
KIND_OB2_HOSTED = "ob2-hosted"
KIND_OB3_JWT = "ob3-vc-jwt"
KIND_OB3_PROOF = "ob3-data-integrity"
KIND_UNKNOWN = "unknown"

CHECK_FORMAT = "format"
CHECK_SIGNATURE = "signature"
CHECK_CLAIMS = "claims"
CHECK_ISSUER = "issuer"
CHECK_KEY_OWNERSHIP = "key-ownership"
CHECK_HOSTED = "hosted"
CHECK_REVOCATION = "revocation"
CHECK_EXPIRY = "expiry"
CHECK_RECIPIENT = "recipient"
CHECK_EVERY_BADGE = "every-badge"


@dataclass(frozen=True)
class Verdict:
    """Whether a badge is valid, what kind it is, and every check that decided it."""

    valid: bool
    kind: str
    checks: list[Check]
    container: str | None = None
    document: dict[str, Any] | None = field(default=None, compare=False)

    @property
    def reason(self) -> str:
        """The first failure's explanation, or a line saying all checks passed."""
        failure = first_failure(self.checks)
        return failure.detail if failure else f"valid {self.kind}: all checks passed"

    def check(self, name: str) -> Check | None:
        """The check with this name, if it was run."""
        return next((item for item in self.checks if item.name == name), None)


class Run:
    """The checks gathered while verifying one badge."""

    def __init__(self, kind: str) -> None:
        self.kind = kind
        self.checks: list[Check] = []
        self.document: dict[str, Any] | None = None

    def passed(self, name: str, detail: str) -> None:
        """Records a passing check."""
        self.checks.append(Check(name, True, detail))

    def failed(self, name: str, detail: str) -> None:
        """Records a failing check."""
        self.checks.append(Check(name, False, detail))

    @property
    def ok(self) -> bool:
        """True while nothing has failed."""
        return first_failure(self.checks) is None

    def verdict(self, container: str | None = None) -> Verdict:
        """The verdict: valid only if something was checked and nothing failed."""
        return Verdict(
            valid=bool(self.checks) and self.ok,
            kind=self.kind,
            checks=list(self.checks),
            container=container,
            document=self.document,
        )


def types_of(document: Mapping[str, Any]) -> set[str]:
    """The document's type values as a set, whether one string or a list."""
    kinds = document.get("type")
    if isinstance(kinds, str):
        return {kinds}
    return {kind for kind in kinds if isinstance(kind, str)} if isinstance(kinds, list) else set()


def as_list(value: Any) -> list[Any]:
    """A JSON value as a list: itself if it is one, else a list of it (or empty for null)."""
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def id_of(value: Any) -> str | None:
    """An id given directly as a string or inside an object."""
    if isinstance(value, Mapping):
        value = value.get("id")
    return value if isinstance(value, str) else None


def ids_of(value: Any) -> list[str]:
    """Ids from a string, an object or a list of either."""
    items = as_list(value)
    return [identifier for item in items if (identifier := id_of(item)) is not None]


def same_origin(first: str, second: str) -> bool:
    """Whether two URLs share scheme and host."""
    one, two = urlsplit(first), urlsplit(second)
    return (one.scheme, one.netloc) == (two.scheme, two.netloc)


def check_validity_period(
    run: Run, start: Any, end: Any, now: datetime, start_name: str, end_name: str
) -> None:
    """Not before the start, not after the end."""
    try:
        begins = parse_xsd(start)
        ends = parse_xsd(end) if end is not None else None
    except BadgeError as error:
        run.failed(CHECK_EXPIRY, f"{start_name}/{end_name}: {error}")
        return
    if begins > now:
        run.failed(CHECK_EXPIRY, f"not valid yet: {start_name} is {to_xsd(begins)}")
    elif ends is not None and ends <= now:
        run.failed(CHECK_EXPIRY, f"expired: {end_name} was {to_xsd(ends)}")
    elif ends is not None:
        run.passed(CHECK_EXPIRY, f"valid until {to_xsd(ends)}")
    else:
        run.passed(CHECK_EXPIRY, "does not expire")
