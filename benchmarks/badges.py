"""How fast does colbot issue and verify Open Badges, beside the bare signing primitives?

In one run, on a fresh copy of the demo city:

1. The primitives alone: an RSA-2048 RS256 signature, an Ed25519 signature, an
   eddsa-rdfc-2022 proof (two canonicalisations and a signature), an OB 2.0 JWS, a VC-JWT and
   baking a PNG; and the parts of one canonicalisation: JSON-LD expansion and RDF conversion,
   RDFC-1.0 alone with PyLD and with pyoxigraph, and PyLD used as it comes (no caches), the
   baseline colbot's cached contexts are measured against.
2. Badges issued per second, all forms signed, baked and stored: each badge in its own
   transaction, as a redemption does it, beside the proof and the primitives that bound it.
   Target (issue 18): at least 150 a second.
3. Whole redemptions per second through the engine (code checked, badge and milestone issued,
   messages built), one after another; then a group of 30 redeeming one session code at once.
4. Verifications per second of a baked PNG (all three forms inside) and of a VC-JWT, with the
   documents they point at fetched once beforehand off the event loop (the server answering
   them runs on it), so the figure is the verifier's own work.

    python benchmarks/badges.py [--badges N] [--verifications N]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import shutil
import tempfile
import time
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding
from sqlalchemy import select

from colbot.app import Colbot, build_app
from colbot.badges.cli import fetch as http_fetch
from colbot.badges.store import BadgeIssuer
from colbot.badges.web import WARMING
from colbot.chat.messages import Inbound, InboundKind
from colbot.clock import FrozenClock
from colbot.codes import store as codes
from colbot.codes.window import CodeWindow
from colbot.openbadges import baking, canonical, dataintegrity, jws, vcjwt
from colbot.openbadges.verify import verify
from colbot.settings import load_settings
from colbot.storage.models import IssuedBadge, Opportunity, StaffMember, YoungPerson
from tests.support import rdfc
from tests.support.demo import TEST_NOW, free_port

BADGES = 200
VERIFICATIONS = 200
PRIMITIVE_ROUNDS = 200
GROUP = 30
TARGET_BADGES_PER_S = 150.0


def rate(label: str, count: int, seconds: float) -> None:
    """Prints one figure: how many a second, and how long each took."""
    print(f"  {label:<44} {count / seconds:>9.1f}/s  {seconds / count * 1000:>8.2f} ms each")


def timed(work: Callable[[], object], rounds: int) -> float:
    work()
    started = time.perf_counter()
    for _ in range(rounds):
        work()
    return time.perf_counter() - started


async def start(folder: Path) -> tuple[Colbot, Any]:
    port = free_port()
    settings = load_settings(
        {}, data_dir=folder, port=port, public_url=f"http://127.0.0.1:{port}", log_level="WARNING"
    )
    colbot = build_app(settings, clock=FrozenClock(TEST_NOW), demo=True)
    await colbot.prepare()
    from aiohttp import web

    runner = web.AppRunner(colbot.web_app, handle_signals=False)
    await runner.setup()
    await web.TCPSite(runner, settings.host, settings.port).start()
    await colbot.web_app[WARMING]
    return colbot, runner


async def session_code(colbot: Colbot, uses: int) -> str:
    async with colbot.database.transaction() as session:
        opportunity = await session.scalar(select(Opportunity).order_by(Opportunity.id))
        assert opportunity is not None
        staff = StaffMember(
            partner_id=opportunity.partner_id,
            channel="telegram",
            external_id=f"bench-{uses}-{time.perf_counter_ns()}",
            joined_at=TEST_NOW,
        )
        session.add(staff)
        await session.flush()
        window = CodeWindow(None, TEST_NOW + timedelta(days=1))
        made = await codes.make_code(session, staff, opportunity, uses, window, TEST_NOW)
        return made.code


def redeeming(chat_id: str, code: str) -> Inbound:
    return Inbound(channel="console", chat_id=chat_id, kind=InboundKind.TEXT, text=code)


def issuer_of(colbot: Colbot) -> BadgeIssuer:
    redeemer = colbot.engine.commands["redeem"].handler.__self__  # type: ignore[attr-defined]
    hook = redeemer.on_redeemed[0]
    issuer: BadgeIssuer = hook.__self__.issuer
    return issuer


async def primitives(colbot: Colbot, issuer: BadgeIssuer) -> dict[str, Any]:
    print("Signing primitives (the floor under every badge):")
    keys = issuer.publisher.keys.current("city")
    async with colbot.database.transaction() as session:
        badge = await session.scalar(select(IssuedBadge).order_by(IssuedBadge.id))
    assert badge is not None and badge.ob3_credential is not None and badge.ob2_assertion_jws
    credential = {k: v for k, v in badge.ob3_credential.items() if k != "proof"}
    assertion = jws.read_compact(badge.ob2_assertion_jws).payload
    method = keys.verification_method(issuer.urls.issuer("city"))
    message = b"x" * 64
    artwork = issuer.publisher.artwork_png(badge.artwork)
    jws_text, proved = badge.ob2_assertion_jws, badge.ob3_credential

    def rsa_signature() -> bytes:
        return keys.rsa.sign(message, padding.PKCS1v15(), hashes.SHA256())

    def proof() -> object:
        return dataintegrity.sign(credential, keys.ed25519, method, TEST_NOW)

    def bake() -> bytes:
        return baking.bake_png_credential(baking.bake_png_assertion(artwork, jws_text), proved)

    dataset, plain = canonicalisation_parts(credential)
    checks: list[tuple[str, Callable[[], object]]] = [
        ("RSA-2048 PKCS#1 v1.5 SHA-256 signature", rsa_signature),
        ("Ed25519 signature", lambda: keys.ed25519.sign(message)),
        ("OB 2.0 JWS (RS256)", lambda: jws.sign_assertion(assertion, keys.rsa)),
        (
            "OB 3.0 VC-JWT (RS256)",
            lambda: vcjwt.sign_credential(credential, keys.rsa, "https://x/k"),
        ),
        ("eddsa-rdfc-2022 proof (canonicalise + sign)", proof),
        ("canonicalisation, as colbot does it", lambda: canonical.canonical_nquads(credential)),
        ("  JSON-LD expansion (cached contexts)", lambda: canonical.expand(credential)),
        ("  RDFC-1.0 alone, PyLD", lambda: rdfc.pyld_rdfc(dataset)),
        ("  RDFC-1.0 alone, pyoxigraph", lambda: rdfc.oxigraph_rdfc(dataset)),
        ("canonicalisation, PyLD as it comes (baseline)", plain),
        ("bake PNG (JWS + credential)", bake),
    ]
    figures: dict[str, Any] = {}
    for label, work in checks:
        seconds = timed(work, PRIMITIVE_ROUNDS)
        rate(label, PRIMITIVE_ROUNDS, seconds)
        figures[label] = PRIMITIVE_ROUNDS / seconds
    return figures


def canonicalisation_parts(
    credential: dict[str, Any],
) -> tuple[dict[str, Any], Callable[[], object]]:
    """The credential's RDF dataset, and PyLD's own to_rdf and URDNA2015 without colbot's caches."""
    dataset = rdfc.dataset_of(credential)
    same = canonical.canonical_nquads(credential)
    assert rdfc.oxigraph_rdfc(dataset) == rdfc.pyld_rdfc(dataset) == rdfc.plain_pyld(credential)
    assert same == rdfc.plain_pyld(credential)
    return dataset, lambda: rdfc.plain_pyld(credential)


async def issuing(colbot: Colbot, issuer: BadgeIssuer, count: int) -> float:
    print("Issuing (every form signed, baked and stored, one transaction each):")
    async with colbot.database.transaction() as session:
        person = await session.scalar(select(YoungPerson))
        assert person is not None
    city = issuer.publisher.city.info()
    milestone = issuer.publisher.classes.city_badges()[0]
    started = time.perf_counter()
    for _ in range(count):
        async with colbot.database.transaction() as session:
            await issuer.issue(session, person, milestone, city, colbot.clock.now())
    seconds = time.perf_counter() - started
    rate("badges issued, all forms", count, seconds)
    return count / seconds


def verdict(badges_per_s: float, primitives: dict[str, float]) -> None:
    """Prints the issuing rate beside the primitives that bound it, and the target."""
    print("Issuing beside its primitives (same run):")
    for label in (
        "eddsa-rdfc-2022 proof (canonicalise + sign)",
        "Ed25519 signature",
        "canonicalisation, as colbot does it",
        "canonicalisation, PyLD as it comes (baseline)",
    ):
        print(
            f"  {label:<48} {primitives[label]:>9.1f}/s  ({badges_per_s / primitives[label]:.2f}x)"
        )
    speedup = (
        primitives["canonicalisation, as colbot does it"]
        / primitives["canonicalisation, PyLD as it comes (baseline)"]
    )
    print(f"  canonicalisation {speedup:.1f}x faster than PyLD as it comes")
    outcome = "pass" if badges_per_s >= TARGET_BADGES_PER_S else "miss"
    print(
        f"  target: at least {TARGET_BADGES_PER_S:.0f} badges/s with all forms;"
        f" measured {badges_per_s:.1f}/s: {outcome}"
    )


async def redemptions(colbot: Colbot, count: int) -> tuple[float, float]:
    print("Redemptions through the engine (code + badge + first-badge milestone):")
    code = await session_code(colbot, count)
    started = time.perf_counter()
    for n in range(count):
        replies = await colbot.engine.handle(redeeming(f"solo-{n}", code))
        assert any(reply.image for reply in replies), replies
    seconds = time.perf_counter() - started
    rate("redemptions, one after another", count, seconds)
    code = await session_code(colbot, GROUP)
    started = time.perf_counter()
    results = await asyncio.gather(
        *(colbot.engine.handle(redeeming(f"group-{n}", code)) for n in range(GROUP))
    )
    group_seconds = time.perf_counter() - started
    assert all(any(reply.image for reply in replies) for replies in results)
    print(f"  {GROUP} redeeming one session code at once      {group_seconds:>9.2f} s in all")
    return count / seconds, group_seconds


async def verifying(colbot: Colbot, count: int) -> dict[str, float]:
    print("Verifying a baked PNG (documents already fetched):")
    async with colbot.database.transaction() as session:
        badge = await session.scalar(select(IssuedBadge).order_by(IssuedBadge.id.desc()))
    assert badge is not None
    baked = await asyncio.to_thread(
        http_fetch, colbot.settings.public_url + f"/badges/images/{badge.public_id}.png"
    )
    fetched: dict[str, tuple[str, bytes]] = {}

    def remembering(url: str) -> tuple[str, bytes]:
        if url not in fetched:
            fetched[url] = http_fetch(url)
        return fetched[url]

    token = badge.ob3_jwt or ""
    # The server runs on this loop, so every fetch happens in a thread, once, before timing.
    for document in (baked[1], token):
        checked = await asyncio.to_thread(verify, document, remembering, TEST_NOW)
        assert checked.valid, checked.reason
    seconds = timed(lambda: verify(baked[1], fetched.__getitem__, TEST_NOW), count)
    rate("verifications (OB 3.0 proof, baked PNG)", count, seconds)
    baked_rate = count / seconds
    seconds = timed(lambda: verify(token, fetched.__getitem__, TEST_NOW), count)
    rate("verifications (OB 3.0 VC-JWT)", count, seconds)
    return {"baked PNG": baked_rate, "VC-JWT": count / seconds}


def rounded(value: Any) -> Any:
    """The figures with one decimal, for the JSON summary."""
    if isinstance(value, dict):
        return {key: rounded(item) for key, item in value.items()}
    return round(value, 1) if isinstance(value, float) else value


async def main(badges: int, verifications: int) -> None:
    folder = Path(tempfile.mkdtemp(prefix="colbot-badges-bench-"))
    try:
        colbot, runner = await start(folder)
        issuer = issuer_of(colbot)
        results: dict[str, Any] = {}
        results["redemptions_per_s"], results["group_of_30_s"] = await redemptions(colbot, 50)
        results["primitives_per_s"] = await primitives(colbot, issuer)
        results["badges_per_s"] = await issuing(colbot, issuer, badges)
        results["verifications_per_s"] = await verifying(colbot, verifications)
        verdict(results["badges_per_s"], results["primitives_per_s"])
        print(json.dumps(rounded(results), indent=2))
        await runner.cleanup()
        await colbot.database.dispose()
    finally:
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--badges", type=int, default=BADGES)
    parser.add_argument("--verifications", type=int, default=VERIFICATIONS)
    arguments = parser.parse_args()
    asyncio.run(main(arguments.badges, arguments.verifications))
