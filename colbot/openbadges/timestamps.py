"""Badge dates are XML Schema dateTimes in UTC; one place converts them both ways."""

from __future__ import annotations

from datetime import UTC, datetime

from colbot.openbadges.errors import BadgeError

XSD_FORMAT = "%Y-%m-%dT%H:%M:%SZ"


def to_xsd(moment: datetime) -> str:
    """Formats an aware time as a whole-second UTC dateTime, as the specs' examples do."""
    if moment.tzinfo is None:
        raise BadgeError("badge times must be timezone-aware")
    return moment.astimezone(UTC).strftime(XSD_FORMAT)


def parse_xsd(text: object) -> datetime:
    """Reads a dateTime written by anyone; a time without a zone is taken as UTC."""
    if not isinstance(text, str):
        raise BadgeError(f"expected a dateTime string, got {text!r}")
    try:
        moment = datetime.fromisoformat(text)
    except ValueError as error:
        raise BadgeError(f"not a dateTime: {text!r}") from error
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)


def to_numeric_date(moment: datetime) -> int:
    """Seconds since the epoch, as JWT claims carry time."""
    if moment.tzinfo is None:
        raise BadgeError("badge times must be timezone-aware")
    return int(moment.timestamp())


def from_numeric_date(value: object) -> datetime:
    """A JWT NumericDate as an aware UTC time."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise BadgeError(f"expected a NumericDate, got {value!r}")
    try:
        return datetime.fromtimestamp(value, UTC)
    except (OverflowError, OSError, ValueError) as error:
        raise BadgeError(f"NumericDate {value!r} is out of range") from error
