"""Runs 1EdTech's OB 2.0 validator on one badge, offline but for 127.0.0.1; prints its report.

Run by tests/badgeflow/test_reference_validator.py with the validator's own Python (its own
virtual environment, see .ci/run), never imported by colbot's tests:

    python ob2_runner.py CONTEXT_FILE (--png FILE | --text TOKEN_OR_URL) [--email ADDRESS]

It answers https://w3id.org/openbadges/v2 (the one document the validator always fetches) from
CONTEXT_FILE and lets only loopback requests through, so any other fetch fails loudly.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from pathlib import Path

import responses
from openbadges import verify

OB2_CONTEXT_URL = "https://w3id.org/openbadges/v2"
LOOPBACK = re.compile(r"^https?://127\.0\.0\.1[:/]")


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("context", type=Path)
    given = parser.add_mutually_exclusive_group(required=True)
    given.add_argument("--png", type=Path)
    given.add_argument("--text")
    parser.add_argument("--email")
    arguments = parser.parse_args()

    recipient = {"email": arguments.email} if arguments.email else None
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        mock.add_passthru(LOOPBACK)
        mock.get(
            OB2_CONTEXT_URL,
            body=arguments.context.read_text(encoding="utf-8"),
            content_type="application/ld+json",
        )
        if arguments.png is not None:
            with arguments.png.open("rb") as image:
                result = verify(image, recipient_profile=recipient, use_cache=False)
        else:
            result = verify(arguments.text, recipient_profile=recipient, use_cache=False)
    json.dump(result, sys.stdout, indent=2, default=str)
    return 0


if __name__ == "__main__":
    sys.exit(main())
