"""The audit log: who did what, when, from which channel."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from colbot.storage.models import AuditEntry


async def record(
    session: AsyncSession,
    now: datetime,
    actor: str,
    channel: str,
    action: str,
    subject: str = "",
    **detail: Any,
) -> None:
    """Adds one entry in the caller's transaction, so it is kept exactly when the change is."""
    session.add(
        AuditEntry(
            at=now,
            actor=actor[:128],
            channel=channel[:16],
            action=action[:64],
            subject=subject[:128],
            detail=detail,
        )
    )
