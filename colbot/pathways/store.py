"""Following a pathway: chosen by the young person, never required, and easy to stop."""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from colbot.pathways.definitions import Pathway, Pathways
from colbot.storage.models import PathwayFollow


async def _row(session: AsyncSession, person_id: int, pathway_id: str) -> PathwayFollow | None:
    return await session.scalar(
        select(PathwayFollow).where(
            PathwayFollow.young_person_id == person_id, PathwayFollow.pathway_id == pathway_id
        )
    )


async def follow(session: AsyncSession, person_id: int, pathway_id: str, now: datetime) -> bool:
    """Starts following; False when they already were."""
    row = await _row(session, person_id, pathway_id)
    if row is None:
        session.add(
            PathwayFollow(young_person_id=person_id, pathway_id=pathway_id, followed_at=now)
        )
        return True
    if row.unfollowed_at is None:
        return False
    row.unfollowed_at = None
    row.followed_at = now
    return True


async def unfollow(session: AsyncSession, person_id: int, pathway_id: str, now: datetime) -> bool:
    """Stops following, keeping the row so the one-step-to-go message is never sent twice."""
    row = await _row(session, person_id, pathway_id)
    if row is None or row.unfollowed_at is not None:
        return False
    row.unfollowed_at = now
    return True


async def followed(session: AsyncSession, person_id: int, pathways: Pathways) -> list[Pathway]:
    """The pathways they follow: the ones everyone does, then the ones they chose."""
    chosen = set(
        await session.scalars(
            select(PathwayFollow.pathway_id).where(
                PathwayFollow.young_person_id == person_id, PathwayFollow.unfollowed_at.is_(None)
            )
        )
    )
    return [p for p in pathways if p.everyone or p.id in chosen]


async def follow_row(
    session: AsyncSession, person_id: int, pathway_id: str
) -> PathwayFollow | None:
    """Their following of one pathway, if they follow it now."""
    row = await _row(session, person_id, pathway_id)
    return row if row is not None and row.unfollowed_at is None else None


async def followers(session: AsyncSession, pathway_ids: Collection[str]) -> dict[str, list[int]]:
    """Who follows each chosen pathway now, by pathway id."""
    rows = await session.execute(
        select(PathwayFollow.pathway_id, PathwayFollow.young_person_id).where(
            PathwayFollow.pathway_id.in_(list(pathway_ids)), PathwayFollow.unfollowed_at.is_(None)
        )
    )
    found: dict[str, list[int]] = {pathway_id: [] for pathway_id in pathway_ids}
    for pathway_id, person_id in rows:
        found[pathway_id].append(person_id)
    return found


async def follower_count(session: AsyncSession, pathway_id: str) -> int:
    """How many follow a chosen pathway now."""
    count = await session.scalar(
        select(func.count(PathwayFollow.id)).where(
            PathwayFollow.pathway_id == pathway_id, PathwayFollow.unfollowed_at.is_(None)
        )
    )
    return count or 0
