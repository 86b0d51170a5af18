"""What every public page needs: colbot's address, the city, the time, and who answers documents."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from aiohttp import web

from colbot.clock import Clock
from colbot.domain.internal_hosts import InternalHosts
from colbot.storage.database import Database
from colbot.storage.readers import SqliteReader, sqlite_reader
from colbot.web.artwork import Artwork
from colbot.web.pages import Pages

# A document source answers the URLs it publishes with (content type, body), and None for others.
DocumentSource = Callable[[str], Awaitable[tuple[str, bytes] | None]]


@dataclass
class Site:
    """The public site's settings and the sources other features plug in."""

    database: Database
    clock: Clock
    public_url: str
    city: str
    timezone: ZoneInfo
    passions: Mapping[str, str]
    artwork: Artwork
    pages: Pages = field(init=False)
    static: dict[str, str] = field(default_factory=dict)
    reader: SqliteReader | None = field(init=False)
    documents: list[DocumentSource] = field(default_factory=list)
    internal_hosts: InternalHosts = field(default_factory=InternalHosts)

    def __post_init__(self) -> None:
        self.public_url = self.public_url.rstrip("/")
        self.pages = Pages(self.timezone)
        self.reader = sqlite_reader(self.database)

    def url(self, path: str) -> str:
        """An absolute link to one of colbot's own pages."""
        return f"{self.public_url}{path}"


SITE_KEY = web.AppKey("public_site", Site)


def add_document_source(app: web.Application, source: DocumentSource) -> None:
    """Lets the badge checker read documents colbot publishes (issuers, keys, lists) directly."""
    app[SITE_KEY].documents.append(source)
