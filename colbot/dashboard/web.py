"""The dashboard on the web: sign in with a one-time link, then figures, charts, tables and CSVs.

Only aggregates are shown, with small counts hidden (colbot.dashboard.report). City admins see the
city and may open any partner's view; partner staff see their own partner's and nothing else.
"""

from __future__ import annotations

import csv
import hashlib
import io
import logging
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from urllib.parse import urlencode, urlsplit

from aiohttp import web
from sqlalchemy import select

from colbot.badges.classes import BadgeClasses
from colbot.dashboard import access as dashboard_access
from colbot.dashboard import charts
from colbot.dashboard import figures as dashboard
from colbot.dashboard.access import LinkProblem, StillCityAdmin, Viewer
from colbot.dashboard.disclosure import FEWER_THAN
from colbot.dashboard.periods import Period, PeriodError, parse_period
from colbot.dashboard.report import Area, Cell, Report, build_report
from colbot.domain.spreadsheet import safe_cell
from colbot.pathways.definitions import Pathways
from colbot.pathways.figures import figures as pathway_figures
from colbot.storage.models import Partner
from colbot.web import csrf
from colbot.web.pages import STATIC_DIR
from colbot.web.security import SECURITY_HEADERS, SVG_HEADERS
from colbot.web.site import Site

COOKIE = "colbot_dashboard"
COOKIE_PATH = "/dashboard"
CACHE_S = 60.0
CSS_NAME = "dashboard.css"
CSV_TYPE = "text/csv"
SVG_TYPE = "image/svg+xml"

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]
log = logging.getLogger(__name__)


@dataclass
class Dashboard:
    """What the dashboard's pages need beyond the public site: areas, admins, a short cache."""

    site: Site
    areas: tuple[Area, ...]
    still_admin: StillCityAdmin
    css: bytes = b""
    css_url: str = ""
    # With both, the city's dashboard shows each pathway's funnel.
    pathways: Pathways | None = None
    classes: BadgeClasses | None = None
    _cache: dict[tuple[int | None, Period], tuple[float, Report]] = field(default_factory=dict)

    @property
    def secure_cookie(self) -> bool:
        return urlsplit(self.site.public_url).scheme == "https"

    async def report(self, scope: dashboard.Scope, period: Period) -> Report:
        """The report for a scope and period, reused for a minute by its charts and CSVs."""
        key = (scope.partner_id, period)
        cached = self._cache.get(key)
        if cached is not None and cached[0] > time.monotonic():
            return cached[1]
        site = self.site
        async with site.database.reading() as session:
            raw = await dashboard.figures(session, scope, period, site.timezone, site.clock.now())
            if scope.is_city and self.pathways is not None and self.classes is not None:
                raw.pathways = await pathway_figures(session, self.pathways, self.classes)
        made = build_report(raw, self.areas, site.passions, site.city)
        self._cache = {k: v for k, v in self._cache.items() if v[0] > time.monotonic()}
        self._cache[key] = (time.monotonic() + CACHE_S, made)
        return made


DASHBOARD_KEY = web.AppKey("dashboard", Dashboard)


def _html(
    request: web.Request, template: str, status: int = 200, **context: object
) -> web.Response:
    board = request.app[DASHBOARD_KEY]
    response = board.site.pages.response(
        template, status=status, site=board.site, css_url=board.css_url, **context
    )
    response.headers.update(SECURITY_HEADERS)
    # The browser must name the page a form came from (Origin) to colbot, and to nobody else.
    response.headers["Referrer-Policy"] = "same-origin"
    response.headers["Cache-Control"] = "no-store"
    return response


def _message(
    request: web.Request, status: int, heading: str, text: str, back: str = ""
) -> web.Response:
    return _html(
        request, "dashboard/message.html", status=status, heading=heading, text=text, back=back
    )


def _form_page(request: web.Request, template: str, **context: object) -> web.Response:
    """A page with forms that change something, each carrying this browser's token."""
    board = request.app[DASHBOARD_KEY]
    token = csrf.token_for(request)
    form = {"csrf_field": csrf.FIELD, "csrf_token": token}
    response = _html(request, template, 200, **form, **context)
    if request.cookies.get(csrf.COOKIE) != token:
        csrf.keep_token(response, token, COOKIE_PATH, board.secure_cookie)
    return response


CROSS_SITE_REFUSALS = {
    csrf.Refusal.ELSEWHERE: "It came from a page on another website, not from the dashboard.",
    csrf.Refusal.UNSAID: "Your browser didn't say which page sent it, so colbot played safe.",
    csrf.Refusal.UNMATCHED: "The form was out of date or not from this browser's dashboard page.",
}


def _cross_site_refusal(request: web.Request, refusal: csrf.Refusal) -> web.Response:
    return _message(
        request,
        403,
        "That request was refused",
        f"{CROSS_SITE_REFUSALS[refusal]} Nothing has changed, and no sign-in link was used up.",
        back=COOKIE_PATH,
    )


def _is_dashboard(path: str) -> bool:
    return path == COOKIE_PATH or path.startswith(f"{COOKIE_PATH}/")


@web.middleware
async def refuse_cross_site(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Refuses a dashboard request that changes something unless colbot's own page sent it."""
    if request.method in csrf.SAFE_METHODS or not _is_dashboard(request.path):
        return await handler(request)
    refusal = csrf.check_origin(request.headers, request.app[DASHBOARD_KEY].site.public_url)
    if refusal is None:  # only then is the body worth reading
        field = (await request.post()).get(csrf.FIELD)
        kept = request.cookies.get(csrf.COOKIE)
        refusal = csrf.check_token(kept, field if isinstance(field, str) else None)
    if refusal is not None:
        log.info("refused %s %s: %s", request.method, request.path, refusal)
        return _cross_site_refusal(request, refusal)
    return await handler(request)


async def _viewer(request: web.Request) -> Viewer | None:
    board = request.app[DASHBOARD_KEY]
    cookie = request.cookies.get(COOKIE, "")
    if not 20 <= len(cookie) <= 100:
        return None
    async with board.site.database.reading() as session:
        return await dashboard_access.viewer(
            session, cookie, board.site.clock.now(), board.still_admin
        )


def _signed_out(request: web.Request) -> web.Response:
    city = request.app[DASHBOARD_KEY].site.city
    return _message(
        request,
        401,
        "Please sign in",
        f"Send /dashboard to the {city} colbot in Telegram for a sign-in link. "
        "It works once, in the next 10 minutes.",
    )


@dataclass(frozen=True)
class View:
    """Whose dashboard and which period a request asks for, once allowed."""

    viewer: Viewer
    scope: dashboard.Scope
    period: Period
    partner_slug: str
    partners: Sequence[tuple[str, str]]

    def query(self, **extra: str) -> str:
        values = {"from": self.period.first.isoformat(), "to": self.period.last.isoformat()}
        if self.partner_slug:
            values["partner"] = self.partner_slug
        return urlencode(values | extra)


async def _view(request: web.Request) -> View | web.Response:
    """The allowed view for this request, or the page that says why not."""
    viewer = await _viewer(request)
    if viewer is None:
        return _signed_out(request)
    board = request.app[DASHBOARD_KEY]
    site = board.site
    today = site.clock.now().astimezone(site.timezone).date()
    try:
        period = parse_period(request.query.get("from"), request.query.get("to"), today)
    except PeriodError as error:
        return _message(request, 400, "That period doesn't work", f"Sorry: {error}.")
    wanted = request.query.get("partner", "")
    async with site.database.reading() as session:
        own = await session.get(Partner, viewer.partner_id) if viewer.partner_id else None
        chosen = await dashboard_access.partner_by_slug(session, wanted) if wanted else own
        own_id, own_name = (own.id, own.name) if own else (None, "your partner")
        found = (chosen.id, chosen.slug, chosen.name) if chosen else None
        partners: list[tuple[str, str]] = []
        if viewer.is_city:
            rows = await session.execute(select(Partner.slug, Partner.name).order_by(Partner.name))
            partners = [(slug, name) for slug, name in rows.tuples()]
    if wanted and found is None:
        return _message(request, 404, "No such partner", "There is no partner at that address.")
    if not viewer.is_city and (found is None or found[0] != own_id):
        return _message(
            request,
            403,
            "That dashboard isn't yours",
            f"You can see {own_name}'s dashboard only; other partners' figures are theirs.",
        )
    scope = dashboard.Scope(found[0], found[2]) if found else dashboard.Scope()
    slug = found[1] if found and viewer.is_city else ""
    return View(viewer, scope, period, slug, partners)


def format_cell(value: Cell) -> str:
    """A table cell as the page shows it."""
    if value is None:
        return FEWER_THAN
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, int):
        return f"{value:,}"
    if isinstance(value, float):
        return f"{value:,.10g}"
    return value


def csv_cell(value: Cell) -> str:
    """A table cell as a CSV has it: plain numbers, text never a formula, hidden counts in words."""
    if value is None:
        return FEWER_THAN
    if isinstance(value, str):
        return safe_cell(value)
    if isinstance(value, float):
        return f"{value:.10g}"
    return str(value)


async def page(request: web.Request) -> web.Response:
    """The dashboard: headline figures, then each chart with its table and CSV link."""
    view = await _view(request)
    if isinstance(view, web.Response):
        return view
    board = request.app[DASHBOARD_KEY]
    report = await board.report(view.scope, view.period)
    return _form_page(
        request,
        "dashboard/page.html",
        report=report,
        view=view,
        cell=format_cell,
    )


async def chart(request: web.Request) -> web.Response:
    """One chart as SVG, drawn from the same (suppressed) figures as its table."""
    view = await _view(request)
    if isinstance(view, web.Response):
        return view
    report = await request.app[DASHBOARD_KEY].report(view.scope, view.period)
    table = report.table(request.match_info["table"])
    if table is None or table.chart is None:
        raise web.HTTPNotFound()
    return web.Response(
        text=charts.render(table.chart),
        content_type=SVG_TYPE,
        headers={**SVG_HEADERS, "Cache-Control": "private, no-store"},
    )


async def table_csv(request: web.Request) -> web.Response:
    """One table as CSV, for anyone who wants to work with the figures."""
    view = await _view(request)
    if isinstance(view, web.Response):
        return view
    report = await request.app[DASHBOARD_KEY].report(view.scope, view.period)
    table = report.table(request.match_info["table"])
    if table is None:
        raise web.HTTPNotFound()
    name = f"{table.id}-{view.period.first}-to-{view.period.last}.csv"
    return web.Response(
        text=table_as_csv(table.columns, table.rows),
        content_type=CSV_TYPE,
        charset="utf-8",
        headers={
            "Content-Disposition": f'attachment; filename="{name}"',
            "Cache-Control": "private, no-store",
            "X-Content-Type-Options": "nosniff",
        },
    )


def table_as_csv(columns: Sequence[str], rows: Sequence[Sequence[Cell]]) -> str:
    """A table's CSV text, header row first, with RFC 4180's line ends."""
    out = io.StringIO()
    # With CRLF as the line end, the writer quotes a cell holding a lone CR too; with LF alone it
    # would not, and a spreadsheet would start a new row, and maybe a formula, at that CR.
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(safe_cell(column) for column in columns)
    writer.writerows([csv_cell(value) for value in row] for row in rows)
    return out.getvalue()


async def sign_in_page(request: web.Request) -> web.Response:
    """The link from the bot opens this; the button spends it, so link previews cannot."""
    secret = request.query.get("t", "")
    if not secret:
        return _signed_out(request)
    return _form_page(request, "dashboard/sign_in.html", secret=secret)


REFUSALS = {
    LinkProblem.UNKNOWN: "That sign-in link doesn't work.",
    LinkProblem.USED: "That sign-in link has already been used; each works once.",
    LinkProblem.EXPIRED: "That sign-in link has expired; each lasts 10 minutes.",
}


async def sign_in(request: web.Request) -> web.Response:
    """Spends the one-time link and sets the session cookie for the working day."""
    board = request.app[DASHBOARD_KEY]
    form = await request.post()
    secret = str(form.get("t", ""))
    async with board.site.database.transaction() as session:
        cookie, problem = await dashboard_access.use_link(session, secret, board.site.clock.now())
    if cookie is None:
        reason = REFUSALS[problem or LinkProblem.UNKNOWN]
        return _message(
            request, 403, "Sign-in refused", f"{reason} Send /dashboard to colbot for a new one."
        )
    response = web.HTTPSeeOther(COOKIE_PATH)
    response.set_cookie(
        COOKIE,
        cookie,
        max_age=int(dashboard_access.SESSION_LASTS.total_seconds()),
        path=COOKIE_PATH,
        httponly=True,
        samesite="Lax",
        secure=board.secure_cookie,
    )
    response.headers.update(SECURITY_HEADERS)
    raise response


async def sign_out(request: web.Request) -> web.Response:
    """Ends this browser's session."""
    board = request.app[DASHBOARD_KEY]
    cookie = request.cookies.get(COOKIE, "")
    if cookie:
        async with board.site.database.transaction() as session:
            await dashboard_access.end_session(session, cookie, board.site.clock.now())
    response = _message(request, 200, "Signed out", "You have signed out of the dashboard.")
    response.del_cookie(COOKIE, path=COOKIE_PATH)
    return response


async def stylesheet(request: web.Request) -> web.Response:
    """The dashboard's own style sheet, screen and print."""
    return web.Response(
        body=request.app[DASHBOARD_KEY].css,
        content_type="text/css",
        headers={"Cache-Control": "public, max-age=86400"},
    )


def install(
    app: web.Application,
    site: Site,
    areas: Sequence[Area],
    still_admin: StillCityAdmin,
    pathways: tuple[Pathways, BadgeClasses] | None = None,
) -> None:
    """Puts the dashboard on the app for its handlers."""
    css = (STATIC_DIR / CSS_NAME).read_bytes()
    board = Dashboard(site, tuple(areas), still_admin, css)
    if pathways is not None:
        board.pathways, board.classes = pathways
    board.css_url = f"/dashboard/{CSS_NAME}?v={hashlib.sha256(css).hexdigest()[:12]}"
    app[DASHBOARD_KEY] = board
    app.middlewares.append(refuse_cross_site)
