"""Journeys in a test: an owner with badges, their journey row, and strings that must never leak."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from aiohttp.test_utils import TestClient
from sqlalchemy import event, select

from colbot.app import Colbot
from colbot.journeys import store as journeys
from colbot.storage.models import Journey, YoungPerson
from colbot.storage.readers import SqliteReader
from tests.support.demo import TEST_NOW

XSS_SCRIPT = "<script>alert(1)</script>"


XSS_ATTRIBUTE = '"><img src=x onerror=alert(1)>'


SECRET_EMAIL = "sam.secret@example.net"


SECRET_AREA = "kf-north-secret"


@dataclass
class Owner:
    """A young person with a journey, for tests."""

    person: YoungPerson
    slug: str
    badge_ids: list[str]


Make = Callable[..., Awaitable[Owner]]


async def journey_row(colbot: Colbot, owner: Owner) -> Journey:
    async with colbot.database.transaction() as session:
        journey = await session.scalar(
            select(Journey).where(Journey.young_person_id == owner.person.id)
        )
        assert journey is not None
        return journey


async def set_sharing(colbot: Colbot, owner: Owner, on: bool) -> None:
    """Switches the owner's journey sharing on or off, as the chat does."""
    async with colbot.database.transaction() as session:
        journeys.set_sharing(await journeys.journey_for(session, owner.person, TEST_NOW), on)


@contextmanager
def statements_run(colbot: Colbot, reader: SqliteReader | None = None) -> Iterator[list[str]]:
    """Every SQL statement run meanwhile, with its values: through SQLAlchemy, and on the page
    reader's own sqlite3 connections when one is given."""
    statements: list[str] = []

    def heard(_connection: Any, _cursor: Any, statement: str, parameters: Any, *_: Any) -> None:
        statements.append(f"{statement} {parameters}")

    engine = colbot.database.engine.sync_engine
    event.listen(engine, "before_cursor_execute", heard)
    connections = [] if reader is None else reader.connections()
    for connection in connections:
        connection.set_trace_callback(statements.append)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", heard)
        for connection in connections:
            connection.set_trace_callback(None)


async def visit(
    client: TestClient,  # type: ignore[type-arg]
    owner: Owner,
    etag: str | None = None,
    resource: str = "",
) -> tuple[int, str, str]:
    """One visit to the page (or another of the journey's resources): status, ETag and body."""
    headers = {"If-None-Match": etag} if etag else {}
    response = await client.get(f"/j/{owner.slug}{resource}", headers=headers)
    return response.status, response.headers.get("ETag", ""), await response.text()
