"""One URL for people and machines: the Accept header chooses the page or the document."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence

from aiohttp import web

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


def accepted(header: str) -> list[tuple[str, float]]:
    """The media ranges of an Accept header with their weights, in the order given."""
    ranges: list[tuple[str, float]] = []
    for part in header.split(","):
        media, *parameters = (piece.strip() for piece in part.split(";"))
        if not media:
            continue
        weight = 1.0
        for parameter in parameters:
            name, _, value = parameter.partition("=")
            if name.strip().lower() == "q":
                try:
                    weight = float(value)
                except ValueError:
                    weight = 0.0
        ranges.append((media.lower(), weight))
    return ranges


def weight_of(media_type: str, ranges: Sequence[tuple[str, float]]) -> float:
    """How much a client wants one media type: its most specific matching range counts."""
    kind = media_type.split("/")[0]
    best: tuple[int, float] = (-1, 0.0)
    for media, weight in ranges:
        specificity = (
            2 if media == media_type else 1 if media == f"{kind}/*" else 0 if media == "*/*" else -1
        )
        if specificity > best[0]:
            best = (specificity, weight)
    return best[1]


def by_accept(choices: Sequence[tuple[Sequence[str], Handler]]) -> Handler:
    """A handler that answers with the choice the client weighs highest; on a tie, or with no
    Accept header at all, the first choice (the machine-readable document) wins."""

    async def handle(request: web.Request) -> web.StreamResponse:
        ranges = accepted(request.headers.get("Accept", "")) or [("*/*", 1.0)]
        scored = [
            (max(weight_of(media, ranges) for media in types), -index, handler)
            for index, (types, handler) in enumerate(choices)
        ]
        weight, _, handler = max(scored, key=lambda item: (item[0], item[1]))
        if weight <= 0:
            raise web.HTTPNotAcceptable(text="colbot serves this badge as JSON-LD, a JWT or HTML")
        response = await handler(request)
        response.headers["Vary"] = "Accept"
        return response

    return handle
