"""A pure badge verifier: any OB 2.0 or OB 3.0 form in, a verdict with every check out."""

# The caller supplies fetch(url) -> (content type, bytes), the time and, optionally, the
# email the badge should name; nothing here touches the network or the clock itself.

from __future__ import annotations

import json
from datetime import datetime

from colbot.openbadges import assertions, credentials, jws
from colbot.openbadges.baking import PNG, Unbaked, check_size, image_format, unbake
from colbot.openbadges.errors import BadgeError
from colbot.openbadges.fetching import Fetch, Fetcher
from colbot.openbadges.verdicts import (
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


def _from_image(data: bytes) -> tuple[str | None, Unbaked | None]:
    """The badge text baked into an image, or an error message."""
    try:
        baked = unbake(data)
    except BadgeError as error:
        return str(error), None
    if baked.empty:
        name = "PNG" if baked.image_format == PNG else "SVG"
        return f"this {name} image has no badge baked into it", baked
    return None, baked


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
    container: str | None = None
    if isinstance(data, str) and data.lstrip().startswith("<"):
        data = data.encode("utf-8")  # SVG handed over as text
    if isinstance(data, bytes):
        if image_format(data) is not None:
            problem, baked = _from_image(data)
            container = baked.image_format if baked else None
            if problem is not None or baked is None:
                run = Run(KIND_UNKNOWN)
                run.failed(CHECK_FORMAT, problem or "unreadable image")
                return run.verdict(container)
            # An image may carry both; the OB 3.0 credential is the one colbot checks first.
            text = baked.credential if baked.credential is not None else baked.assertion
            assert text is not None
        else:
            try:
                text = data.decode("utf-8")
            except UnicodeDecodeError:
                run = Run(KIND_UNKNOWN)
                run.failed(CHECK_FORMAT, "not a PNG, an SVG or UTF-8 text")
                return run.verdict()
    else:
        text = data
    try:
        run = _verify_text(text, fetcher, now, recipient_email)
    except BadgeError as error:
        run = Run(KIND_UNKNOWN)
        run.failed(CHECK_FORMAT, f"malformed badge: {error}")
    except RecursionError:
        run = Run(KIND_UNKNOWN)
        run.failed(CHECK_FORMAT, "malformed badge: JSON nested too deeply to read")
    return run.verdict(container)
