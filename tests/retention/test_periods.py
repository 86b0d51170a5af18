"""Each retention period: what is past it goes, what is not stays; the dry run changes nothing."""

from __future__ import annotations

import argparse
import io
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from colbot.app import Colbot
from colbot.clock import FrozenClock
from colbot.delivery import outbox
from colbot.people import store as people
from colbot.retention import cli as privacy_cli
from colbot.retention.purge import KINDS, PSEUDONYM
from colbot.storage.backup import backup_name, made_at
from colbot.storage.models import (
    AuditEntry,
    DashboardLink,
    DashboardSession,
    OutboxMessage,
    Partner,
    StaffInvite,
    WebChatFile,
    WebChatMessage,
    WebChatMove,
    WebChatMoveFailure,
)
from colbot.storage.models.team import CityAdminInvite

DAY = timedelta(days=1)


def _message(key: str, status: str, at: datetime, chat_id: str = "chat-1") -> OutboxMessage:
    return OutboxMessage(
        idempotency_key=key,
        channel="console",
        chat_id=chat_id,
        payload={"text": key},
        not_before=at,
        created_at=at,
        sent_at=at if status == outbox.SENT else None,
        attempts=1,
        status=status,
    )


def _file(token: str, at: datetime) -> WebChatFile:
    return WebChatFile(
        chat_id="web-1",
        token=token,
        filename="badge.png",
        mime_type="image/png",
        content=b"png",
        created_at=at,
    )


async def seed(colbot: Colbot, now: datetime) -> str:
    """One of each kind just past its default period and one just inside it; returns a reference."""
    old, new = now - 31 * DAY, now - 29 * DAY
    link_old, link_new = now - 8 * DAY, now - 6 * DAY
    async with colbot.database.transaction() as session:
        person = await people.create(session, "console", "chat-1", "en", now)
        partner = await session.scalar(select(Partner.id).limit(1))
        assert partner is not None
        session.add_all(
            [
                _message("sent-old", outbox.SENT, old),
                _message("dropped-old", outbox.DROPPED, old),
                _message("sent-new", outbox.SENT, new),
                _message("pending-old", outbox.PENDING, old),  # still to send: never deleted
                _message("report:console:chat-1:x:email:lead", outbox.SENT, old, "lead@x"),
                WebChatMessage(chat_id="web-1", payload={"text": "old"}, created_at=old),
                WebChatMessage(chat_id="web-1", payload={"text": "new"}, created_at=new),
                _file("old-file", old),
                _file("new-file", new),
                DashboardLink(
                    secret_hash="used-old",
                    actor="telegram:1",
                    created_at=link_old,
                    expires_at=link_old + timedelta(minutes=10),
                    used_at=link_old,
                ),
                DashboardLink(
                    secret_hash="unused-new",
                    actor="telegram:1",
                    created_at=link_new,
                    expires_at=link_new + timedelta(minutes=10),
                ),
                DashboardSession(
                    secret_hash="session-old",
                    actor="telegram:1",
                    created_at=link_old,
                    expires_at=link_old + timedelta(hours=10),
                ),
                CityAdminInvite(
                    name="Lead",
                    secret_hash="invite-old",
                    created_at=link_old - 7 * DAY,
                    expires_at=link_old,
                ),
                StaffInvite(
                    partner_id=partner,
                    secret_hash="staff-new",
                    created_by="cli",
                    created_at=link_new - 7 * DAY,
                    expires_at=link_new + DAY,
                ),
                WebChatMove(code_hash="move-old", chat_id="web-1", expires_at=link_old),
                WebChatMove(code_hash="move-new", chat_id="web-1", expires_at=link_new),
                WebChatMoveFailure(device="device-1", at=link_old),
                AuditEntry(
                    at=now - 366 * DAY,
                    actor=person.public_id,
                    channel="console",
                    action="code.redeemed",
                    detail={"code": "KX7P"},
                ),
                AuditEntry(
                    at=now - 366 * DAY,
                    actor="chat-1",
                    channel="console",
                    action="code.refused",
                    detail={"reason": "unknown"},
                ),
                AuditEntry(at=now - 366 * DAY, actor="cli", channel="cli", action="admin.invited"),
                AuditEntry(
                    at=now - 364 * DAY,
                    actor=person.public_id,
                    channel="console",
                    action="code.redeemed",
                ),
            ]
        )
    return person.public_id


def backups(colbot: Colbot, now: datetime) -> list[Path]:
    """Sixteen daily backups in the backup folder, and one of the city's own beside them."""
    folder = colbot.settings.resolved_backup_dir
    folder.mkdir(parents=True, exist_ok=True)
    made = []
    for days in range(0, 40, 2):
        path = folder / backup_name(colbot.database.url, now - days * DAY)
        path.write_bytes(b"backup")
        made.append(path)
    (folder / "before-the-upgrade.sqlite3").write_bytes(b"kept")
    return made


EXPECTED = {
    "profiles_warned": 0,
    "profiles_erased": 0,
    "outbox_messages": 2,
    "webchat_messages": 1,
    "webchat_files": 1,
    "sign_in_links": 3,
    "personal_links": 2,
    "audit_records": 2,
    "backups": 6,
}


async def table_counts(colbot: Colbot) -> dict[str, int]:
    counts: dict[str, int] = {}
    async with colbot.database.reading() as session:
        for model in (
            OutboxMessage,
            WebChatMessage,
            WebChatFile,
            DashboardLink,
            DashboardSession,
            CityAdminInvite,
            StaffInvite,
            WebChatMove,
            WebChatMoveFailure,
        ):
            counts[model.__tablename__] = (
                await session.scalar(select(func.count()).select_from(model)) or 0
            )
        counts["pseudonymised"] = (
            await session.scalar(
                select(func.count()).select_from(AuditEntry).where(AuditEntry.actor == PSEUDONYM)
            )
            or 0
        )
    return counts


async def test_each_period_deletes_only_what_is_past_it(colbot: Colbot, clock: FrozenClock) -> None:
    now = clock.now()
    reference = await seed(colbot, now)
    made = backups(colbot, now)
    counts = await colbot.retention().run(now)
    assert counts == EXPECTED
    async with colbot.database.reading() as session:
        keys = set(await session.scalars(select(OutboxMessage.idempotency_key)))
        assert keys == {"sent-new", "pending-old", "report:console:chat-1:x:email:lead"}
        assert list(await session.scalars(select(WebChatFile.token))) == ["new-file"]
        assert list(await session.scalars(select(DashboardLink.secret_hash))) == ["unused-new"]
        assert list(await session.scalars(select(WebChatMove.code_hash))) == ["move-new"]
        audit = (await session.execute(select(AuditEntry.actor, AuditEntry.detail))).all()
    assert sorted(a for a, _ in audit) == sorted([PSEUDONYM, PSEUDONYM, "cli", reference])
    assert all(detail == {} for actor, detail in audit if actor == PSEUDONYM)
    # Backups: none older than 35 days, and only the newest 14.
    kept = sorted(p for p in made if p.exists())
    assert len(kept) == 14 and all(now - made_at(p) <= 35 * DAY for p in kept)  # type: ignore[operator]
    assert (colbot.settings.resolved_backup_dir / "before-the-upgrade.sqlite3").exists()
    assert await colbot.retention().run(now) == dict.fromkeys(KINDS, 0)  # idempotent


async def test_the_dry_run_counts_what_the_next_run_removes_and_changes_nothing(
    colbot: Colbot, clock: FrozenClock
) -> None:
    now = clock.now()
    await seed(colbot, now)
    made = backups(colbot, now)
    before = await table_counts(colbot)
    out = io.StringIO()
    assert await privacy_cli.run(colbot, argparse.Namespace(dry_run=True), out) == 0
    assert "The next run would remove:" in out.getvalue()
    assert "  delivered outbox messages: 2\n" in out.getvalue()
    assert "  backups: 6\n" in out.getvalue()
    assert await table_counts(colbot) == before
    assert all(p.exists() for p in made)
    assert await colbot.retention().run(now) == EXPECTED


async def test_periods_follow_the_settings(colbot: Colbot, clock: FrozenClock) -> None:
    from dataclasses import replace

    now = clock.now()
    await seed(colbot, now)
    longer: dict[str, Any] = {
        "outbox": 60 * DAY,
        "webchat": 60 * DAY,
        "sign_in_links": 60 * DAY,
        "personal_links": 60 * DAY,
        "audit": 400 * DAY,
    }
    colbot.settings = replace(
        colbot.settings, retention=replace(colbot.settings.retention, **longer)
    )
    assert await colbot.retention().run(now) == dict.fromkeys(KINDS, 0)
    shorter = dict.fromkeys(longer, DAY)
    colbot.settings = replace(
        colbot.settings, retention=replace(colbot.settings.retention, **shorter)
    )
    counts = await colbot.retention().run(now)
    assert counts["outbox_messages"] == 3 and counts["webchat_messages"] == 2
    assert counts["audit_records"] == 3


def test_colbot_privacy_purge_runs_from_the_command_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from colbot.cli import main

    monkeypatch.setenv("COLBOT_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("COLBOT_RETENTION_OUTBOX", "10d")
    assert main(["privacy", "purge", "--dry-run"]) == 0
    said = capsys.readouterr().out
    assert said.startswith("The next run would remove:\n")
    assert said.count(": 0\n") == len(KINDS)
    assert main(["privacy", "purge"]) == 0
    assert capsys.readouterr().out.startswith("Removed in this run:\n")
    monkeypatch.setenv("COLBOT_RETENTION_OUTBOX", "ten days")
    assert main(["privacy", "purge"]) == 2  # a bad setting stops it with one line
    assert "COLBOT_RETENTION_OUTBOX must be a number of days" in capsys.readouterr().err


async def test_used_and_expired_wallet_links_go_after_their_period(
    colbot: Colbot, clock: FrozenClock
) -> None:
    from colbot.storage.models import IssuedBadge, WalletExchange
    from tests.retention.test_quiet_profiles import onboarded
    from tests.support.staff import completion_code

    young = await onboarded(colbot, "wallet-1")
    await young.say(await completion_code(colbot))
    now = clock.now()
    async with colbot.database.transaction() as session:
        badge = await session.scalar(select(IssuedBadge.id))
        assert badge is not None
        for name, used, expires in (
            ("used-old", now - 8 * DAY, now - 8 * DAY + timedelta(minutes=15)),
            ("expired-old", None, now - 8 * DAY),
            ("used-new", now - 6 * DAY, now - 6 * DAY + timedelta(minutes=15)),
            ("live", None, now + timedelta(minutes=15)),
        ):
            session.add(
                WalletExchange(
                    id_hash=name,
                    issued_badge_id=badge,
                    challenge="c",
                    created_at=expires - timedelta(minutes=15),
                    expires_at=expires,
                    used_at=used,
                )
            )
    assert (await colbot.retention().run(now))["personal_links"] == 2
    async with colbot.database.reading() as session:
        left = set(await session.scalars(select(WalletExchange.id_hash)))
    assert left == {"used-new", "live"}
