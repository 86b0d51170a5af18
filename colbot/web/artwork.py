"""Badge artwork on the public pages: drawn only for names a badge uses, and each name once."""

from __future__ import annotations

import asyncio
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

from sqlalchemy.ext.asyncio import AsyncSession

from colbot.storage.database import Database

ARTWORK_CACHE_SIZE = 64

# A finder names what an /artwork/ link is drawn from, or gives None for a name no badge uses;
# finding never draws, so made-up names cost one small read.
ArtworkFinder = Callable[[AsyncSession, str], Awaitable[str | None]]
ArtworkDrawer = Callable[[str], bytes]


@dataclass
class Artwork:
    """The PNGs pages link to, drawn off the event loop and kept, the newest few, by name."""

    database: Database
    find: ArtworkFinder
    draw: ArtworkDrawer
    cache_size: int = ARTWORK_CACHE_SIZE
    _drawn: OrderedDict[str, bytes] = field(default_factory=OrderedDict)

    async def png(self, name: str) -> bytes | None:
        """The artwork an /artwork/ link names, or None when no badge uses the name."""
        if name in self._drawn:
            self._drawn.move_to_end(name)
            return self._drawn[name]
        async with self.database.reading() as session:
            drawing = await self.find(session, name)
        if drawing is None:
            return None
        png = await asyncio.to_thread(self.draw, drawing)
        self._drawn[name] = png
        while len(self._drawn) > self.cache_size:
            self._drawn.popitem(last=False)
        return png
