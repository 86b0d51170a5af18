"""Public pages from Jinja2 templates, escaped everywhere, with the few filters they need."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from aiohttp import web
from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from colbot.web import paths

TEMPLATES_DIR = Path(__file__).with_name("templates")
STATIC_DIR = Path(__file__).with_name("static")
HTML = "text/html"


def hours(value: float) -> str:
    """Learning hours as people write them: 2, 1.5."""
    return f"{value:g}"


class Pages:
    """Renders the public pages in the city's time zone."""

    def __init__(self, timezone: ZoneInfo) -> None:
        self.timezone = timezone
        self.environment = Environment(
            loader=FileSystemLoader(TEMPLATES_DIR),
            autoescape=select_autoescape(default=True, default_for_string=True),
            undefined=StrictUndefined,
            trim_blocks=True,
            lstrip_blocks=True,
            auto_reload=False,
        )
        self.environment.filters["day"] = self.day
        self.environment.filters["iso_day"] = self.iso_day
        self.environment.filters["clock"] = self.clock
        self.environment.filters["hours"] = hours
        self.environment.globals.update(
            journey_path=paths.journey_path,
            journey_qr_path=paths.journey_qr_path,
            badge_path=paths.badge_path,
            artwork_path=paths.artwork_path,
        )

    def day(self, moment: datetime) -> str:
        """A date as people say it: 28 November 2026."""
        local = moment.astimezone(self.timezone)
        return f"{local.day} {local:%B %Y}"

    def iso_day(self, moment: datetime) -> str:
        """A date for a <time> element."""
        return moment.astimezone(self.timezone).date().isoformat()

    def clock(self, moment: datetime) -> str:
        """A time of day with its date: 09:30 on 28 November 2026."""
        return f"{moment.astimezone(self.timezone):%H:%M} on {self.day(moment)}"

    def render(self, template: str, **context: Any) -> str:
        """One page as text."""
        return self.environment.get_template(template).render(**context)

    def response(self, template: str, status: int = 200, **context: Any) -> web.Response:
        """One page as an HTML response."""
        return web.Response(
            text=self.render(template, **context), status=status, content_type=HTML, charset="utf-8"
        )
