"""`colbot badges verify|revoke` and `colbot keys rotate`: check, revoke and re-key badges."""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys
import urllib.error
import urllib.request
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from colbot.badges import store as badges
from colbot.badges.issuers import CityIssuer, KeyStore, UnknownIssuer
from colbot.badges.urls import BadgeUrls
from colbot.openbadges import jws
from colbot.openbadges.baking import MAX_INPUT_BYTES, MEGABYTE
from colbot.openbadges.verdicts import CHECK_FORMAT, CHECK_REVOCATION, KIND_UNKNOWN, Run, Verdict
from colbot.openbadges.verify import verify

if TYPE_CHECKING:
    from colbot.app import Colbot  # only its type: the app is built by colbot/cli.py

FETCH_TIMEOUT_S = 15
HTTP_SCHEMES = ("http://", "https://")
GONE = 410
ACCEPT = "application/ld+json, application/vc+ld+json, application/json;q=0.9, */*;q=0.1"
BADGE_SUFFIXES = (".ob2.svg", ".svg", ".png", ".jwt", ".jws")
PASSED, FAILED = "✓", "✗"


def add_parser(commands: argparse._SubParsersAction[Any]) -> None:
    """Adds `colbot badges verify|revoke` and `colbot keys rotate`."""
    group = commands.add_parser("badges", help="verify any Open Badge, or revoke one of colbot's")
    tasks = group.add_subparsers(dest="badges_command", required=True)
    check = tasks.add_parser(
        "verify", help="check an OB 2.0 or OB 3.0 badge and say why it is or isn't valid"
    )
    check.add_argument(
        "badge", help="a baked PNG or SVG, a JSON file, a URL, or a JWS or VC-JWT token"
    )
    check.add_argument("--recipient", metavar="EMAIL", help="also check who the badge names")
    revoke = tasks.add_parser("revoke", help="revoke one of colbot's badges in every form at once")
    revoke.add_argument(
        "id", help="the badge's id, or any of its URLs (put -- before an id that starts with -)"
    )
    revoke.add_argument("--reason", required=True, help="why, as verifiers will show it")
    keys = commands.add_parser("keys", help="issuers' signing keys")
    key_tasks = keys.add_subparsers(dest="keys_command", required=True)
    rotate = key_tasks.add_parser(
        "rotate", help="make new signing keys; old public keys stay published"
    )
    rotate.add_argument("issuer", help="'city', or a partner's name or id")


def fetch(url: str) -> tuple[str, bytes]:
    """GETs a document for the verifier: HTTP(S) only, size-capped, with a timeout."""
    if not url.startswith(HTTP_SCHEMES):
        raise ValueError(f"not an HTTP(S) URL: {url}")
    request = urllib.request.Request(url, headers={"Accept": ACCEPT, "User-Agent": "colbot"})  # noqa: S310 - scheme checked above
    with urllib.request.urlopen(request, timeout=FETCH_TIMEOUT_S) as response:  # noqa: S310
        return response.headers.get_content_type(), response.read(MAX_INPUT_BYTES + 1)


def _refused(check: str, reason: str) -> Verdict:
    """A verdict for input that never got as far as the verifier."""
    run = Run(KIND_UNKNOWN)
    run.failed(check, reason)
    return run.verdict()


def _read(badge: str) -> bytes | str | Verdict:
    """The badge's bytes or text, from a URL, a file or the argument itself."""
    if badge.startswith(HTTP_SCHEMES):
        try:
            return fetch(badge)[1]
        except urllib.error.HTTPError as error:
            if error.code == GONE:
                return _refused(CHECK_REVOCATION, f"revoked by the issuer ({badge} is gone)")
            return _refused(CHECK_FORMAT, f"could not fetch {badge}: HTTP {error.code}")
        except (OSError, ValueError) as error:
            return _refused(CHECK_FORMAT, f"could not fetch {badge}: {error}")
    text = badge.strip()
    if jws.looks_compact(text) or text.startswith(("{", "<")):
        return text
    path = Path(badge)
    try:
        size = path.stat().st_size if path.is_file() else None
    except OSError:
        size = None
    if size is not None and size > MAX_INPUT_BYTES:
        return _refused(
            CHECK_FORMAT,
            f"{path.name} is {size / MEGABYTE:.1f} MB; colbot reads at most "
            f"{MAX_INPUT_BYTES // MEGABYTE} MB, so it did not open it",
        )
    if size is not None:
        return path.read_bytes()
    return _refused(
        CHECK_FORMAT, f"{badge!r} is not a file, an http(s) URL, a JWS or VC-JWT, or badge JSON"
    )


def _describe(verdict: Verdict) -> list[str]:
    """The badge's name and issuer as it states them (only vouched for when it is valid)."""
    document = verdict.document or {}
    subject = document.get("credentialSubject")
    achievement = subject.get("achievement") if isinstance(subject, dict) else None
    issuer = document.get("issuer")
    lines = []
    claimed = "" if verdict.valid else " (as it claims)"
    name = achievement.get("name") if isinstance(achievement, dict) else document.get("name")
    if isinstance(name, str):
        lines.append(f"  badge{claimed}: {name}")
    if isinstance(issuer, dict) and isinstance(issuer.get("name"), str):
        lines.append(f"  issuer{claimed}: {issuer['name']} ({issuer.get('id')})")
    return lines


def report(verdict: Verdict) -> str:
    """The verdict, then every check that passed or failed, one per line."""
    where = f" (baked in a {verdict.container.upper()})" if verdict.container else ""
    if verdict.valid:
        head = f"VALID: {verdict.kind}{where}: every check passed"
    else:
        head = f"NOT VALID: {verdict.reason}"
    lines = [head, *_describe(verdict)]
    lines += [f"  {PASSED if c.passed else FAILED} {c.name}: {c.detail}" for c in verdict.checks]
    return "\n".join(lines)


def _badge_id(given: str) -> str:
    """A badge id from the id itself or any of its hosted URLs."""
    last = urlsplit(given).path.rstrip("/").rpartition("/")[2] if "/" in given else given
    for suffix in BADGE_SUFFIXES:
        if last.endswith(suffix):
            return last.removesuffix(suffix)
    return last


async def _verify(colbot: Colbot, args: argparse.Namespace) -> int:
    data = await asyncio.to_thread(_read, args.badge)
    if isinstance(data, Verdict):
        verdict = data
    else:
        now = colbot.clock.now()
        verdict = await asyncio.to_thread(verify, data, fetch, now, args.recipient)
    print(report(verdict))
    return 0 if verdict.valid else 1


async def _revoke(colbot: Colbot, args: argparse.Namespace) -> int:
    reason = " ".join(args.reason.split())
    if not reason:
        print("colbot: give a reason with --reason; verifiers show it", file=sys.stderr)
        return 2
    badge_id = _badge_id(args.id)
    now = colbot.clock.now()
    async with colbot.database.transaction() as session:
        found = await badges.find(session, badge_id)
        already = found is not None and found.revoked_at is not None
        badge = await badges.revoke(session, badge_id, reason, now, actor="cli")
    if badge is None:
        print(f"colbot: there is no badge {badge_id!r}", file=sys.stderr)
        return 1
    urls = BadgeUrls(colbot.settings.public_url)
    if already:
        print(f"{badge.name} ({badge.public_id}) was already revoked: {badge.revocation_reason}")
        return 0
    print(f"Revoked {badge.name} ({badge.public_id}): {badge.revocation_reason}")
    print(f"  OB 2.0: listed in {urls.revocations(badge.issuer_id)}")
    print(f"  OB 3.0: bit {badge.status_index} of {urls.status_list(badge.issuer_id)} is set")
    print("  Its hosted assertion, credential and images now answer 410 Gone.")
    return 0


async def _rotate(colbot: Colbot, args: argparse.Namespace) -> int:
    city = CityIssuer(colbot.city.name, colbot.settings.public_url, colbot.city.safeguarding.email)
    try:
        async with colbot.database.transaction() as session:
            info = await city.named(session, args.issuer)
    except UnknownIssuer:
        print(
            f"colbot: no issuer called {args.issuer!r}; use 'city' or a partner's name or id",
            file=sys.stderr,
        )
        return 1
    old, new = KeyStore(colbot.settings.data_dir).rotate(info.issuer)
    urls = BadgeUrls(colbot.settings.public_url)
    print(f"New signing keys for {info.name}: key {new.kid}, {new.multibase}")
    print(f"  Retired key {old.kid} stays published, so badges it signed keep verifying:")
    print(f"  {urls.key(info.issuer, old.kid)}")
    return 0


async def run(colbot: Colbot, args: argparse.Namespace) -> int:
    """Runs one badges or keys task; a badge that is not valid exits 1."""
    logging.getLogger().setLevel(logging.WARNING)
    try:
        if args.command == "badges" and args.badges_command == "verify":
            return await _verify(colbot, args)
        await colbot.database.upgrade()
        if args.command == "badges":
            return await _revoke(colbot, args)
        return await _rotate(colbot, args)
    finally:
        await colbot.database.dispose()
