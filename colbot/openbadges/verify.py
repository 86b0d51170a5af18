"""A pure badge verifier: any OB 2.0 or OB 3.0 form in, a verdict with every check out."""

# The caller supplies fetch(url) -> (content type, bytes), the time and, optionally, the
# email the badge should name; nothing here touches the network or the clock itself.

from __future__ import annotations

import json
from datetime import datetime

from colbot.openbadges import assertions, credentials, jws
from colbot.openbadges.baking import PNG, Unbaked, check_size, image_format, unbake
from colbot.openbadges.checks import first_failure
from colbot.openbadges.errors import BadgeError
from colbot.openbadges.fetching import Fetch, Fetcher
from colbot.openbadges.verdicts import (
    CHECK_EVERY_BADGE,
    CHECK_FORMAT,
    KIND_OB2_HOSTED,
    KIND_OB2_SIGNED,
    KIND_OB3_JWT,
    KIND_OB3_PROOF,
    KIND_UNKNOWN,
    Run,
    Verdict,
    types_of,
)

__all__ = [
    "KIND_OB2_HOSTED",
    "KIND_OB2_SIGNED",
    "KIND_OB3_JWT",
    "KIND_OB3_PROOF",
    "KIND_UNKNOWN",
    "Fetch",
    "Verdict",
    "verify",
]

# Each badge costs a full verification; colbot's own images carry two (OB 2.0 and OB 3.0).
MAX_BAKED_BADGES = 4
ORDINALS = ("first", "second", "third", "fourth")


def _verify_text(text: str, fetcher: Fetcher, now: datetime, email: str | None) -> Run:
    """Recognises the form of a badge given as text and verifies it."""
    text = text.strip()
    if jws.looks_compact(text):
        try:
            payload = jws.read_compact(text).payload
        except BadgeError as error:
            run = Run(KIND_UNKNOWN)
            run.failed(CHECK_FORMAT, f"malformed JWS: {error}")
            return run
        if "Assertion" in types_of(payload):
            return assertions.verify_signed(text, fetcher, now, email)
        return credentials.verify_jwt(text, fetcher, now, email)
    if text.startswith("{"):
        try:
            document = json.loads(text)
        except ValueError as error:
            run = Run(KIND_UNKNOWN)
            run.failed(CHECK_FORMAT, f"malformed JSON: {error}")
            return run
        if isinstance(document, dict) and credentials.VERIFIABLE_CREDENTIAL in types_of(document):
            return credentials.verify_proof(document, fetcher, now, email)
        if isinstance(document, dict) and "Assertion" in types_of(document):
            return assertions.verify_hosted(document, fetcher, now, email)
    run = Run(KIND_UNKNOWN)
    run.failed(
        CHECK_FORMAT,
        "not a badge: expected a JWS, a VC-JWT, credential or assertion JSON, a PNG or an SVG",
    )
    return run


def _checked(text: str, fetcher: Fetcher, now: datetime, email: str | None) -> Run:
    """Verifies one badge given as text; a malformed one fails its format check."""
    try:
        return _verify_text(text, fetcher, now, email)
    except BadgeError as error:
        run = Run(KIND_UNKNOWN)
        run.failed(CHECK_FORMAT, f"malformed badge: {error}")
    except RecursionError:
        run = Run(KIND_UNKNOWN)
        run.failed(CHECK_FORMAT, "malformed badge: JSON nested too deeply to read")
    return run


def _from_image(data: bytes) -> tuple[str | None, Unbaked | None]:
    """The badges baked into an image, or an error message."""
    try:
        baked = unbake(data)
    except BadgeError as error:
        return str(error), None
    name = "PNG" if baked.image_format == PNG else "SVG"
    if baked.empty:
        return f"this {name} image has no badge baked into it", baked
    count = len(baked.credentials) + len(baked.assertions)
    if count > MAX_BAKED_BADGES:
        return (
            f"this {name} image carries {count} badges; colbot checks at most {MAX_BAKED_BADGES}",
            baked,
        )
    return None, baked


def _named(baked: Unbaked) -> list[tuple[str, str]]:
    """Every badge an image carries, with words saying which it is; OB 3.0 credentials first."""
    named: list[tuple[str, str]] = []
    for noun, texts in (("credential", baked.credentials), ("assertion", baked.assertions)):
        for number, text in enumerate(texts):
            which = f"{ORDINALS[number]} " if len(texts) > 1 else ""
            named.append((f"the {which}{noun} in the image", text))
    return named


def _verify_every(
    named: list[tuple[str, str]], fetcher: Fetcher, now: datetime, email: str | None
) -> Run:
    """Verifies every badge in an image: valid only if all are, naming the first that is not."""
    runs: list[tuple[str, Run]] = []
    for name, text in named:
        run = _checked(text, fetcher, now, email)
        runs.append((name, run))
        if not run.ok:
            break
    primary = runs[0][1]
    if len(named) == 1:
        return primary
    combined = Run(primary.kind)
    combined.document = primary.document
    combined.checks.extend(primary.checks)
    for name, run in runs:
        failure = first_failure(run.checks)
        if failure is None:
            combined.passed(CHECK_EVERY_BADGE, f"{name} verifies")
        else:
            combined.failed(CHECK_EVERY_BADGE, f"{name} does not verify: {failure.detail}")
    return combined


def verify(
    data: bytes | str,
    fetch: Fetch,
    now: datetime,
    recipient_email: str | None = None,
) -> Verdict:
    """Verifies a badge in any supported form; the verdict says why if it is not valid."""
    if now.tzinfo is None:
        raise ValueError("now must be timezone-aware")
    fetcher = Fetcher(fetch)
    try:
        check_size(data)
    except BadgeError as error:
        run = Run(KIND_UNKNOWN)
        run.failed(CHECK_FORMAT, str(error))
        return run.verdict()
    if isinstance(data, str) and data.lstrip().startswith("<"):
        data = data.encode("utf-8")  # SVG handed over as text
    if isinstance(data, str):
        return _checked(data, fetcher, now, recipient_email).verdict()
    if image_format(data) is None:
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:
            run = Run(KIND_UNKNOWN)
            run.failed(CHECK_FORMAT, "not a PNG, an SVG or UTF-8 text")
            return run.verdict()
        return _checked(text, fetcher, now, recipient_email).verdict()
    problem, baked = _from_image(data)
    container = baked.image_format if baked else None
    if problem is not None or baked is None:
        run = Run(KIND_UNKNOWN)
        run.failed(CHECK_FORMAT, problem or "unreadable image")
        return run.verdict(container)
    return _verify_every(_named(baked), fetcher, now, recipient_email).verdict(container)
