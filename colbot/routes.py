"""Every URL colbot serves, in one list: read this file to see the whole web app.

aiohttp tries routes in the order they are added, so more specific patterns come first. The
handlers live with their features; the state they read (the site, the dashboard, the web chat)
is put on the app by each feature's `install` before these routes are added.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from aiohttp import web

from colbot.badges import urls as badge
from colbot.badges import verify_page
from colbot.badges.web import BadgePages
from colbot.channels.webchat import page as chat
from colbot.channels.webchat import venue
from colbot.codes.venue_links import VENUE_PREFIX
from colbot.dashboard import web as dashboard
from colbot.journeys import web as journeys
from colbot.privacy import web as privacy
from colbot.wallet import links as wallet_links
from colbot.wallet import web as wallet
from colbot.web import assets, security, welcome
from colbot.web.negotiation import by_accept
from colbot.web.operations import Operations

DOCUMENT_TYPES = ("application/ld+json", "application/vc+ld+json", "application/json")
JWT_TYPES = ("application/vc+jwt", "application/jwt")
PAGE_TYPES = ("text/html", "application/xhtml+xml")

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


def routes(
    operations: Operations, badges: BadgePages, webhook: Handler | None
) -> list[web.RouteDef]:
    """The whole web app: operations, badge documents, public pages, the dashboard, the chat."""
    return [
        # For whoever runs colbot.
        web.get("/healthz", operations.healthz),
        web.get("/readyz", operations.ready),
        web.get("/metrics", operations.metrics),
        *([web.post("/telegram/webhook", webhook)] if webhook is not None else []),
        # Open Badges documents: the issuers, their keys and lists, badge classes, issued badges.
        web.get(badge.ISSUER, badges.profile),
        web.get(badge.ISSUER_OB2, badges.profile_ob2),
        web.get(badge.ISSUER_IMAGE, badges.issuer_image),
        web.get(badge.KEY_JWK, badges.jwk),
        web.get(badge.KEY_PEM, badges.pem),
        web.get(badge.KEY_MULTIKEY, badges.multikey),
        web.get(badge.KEY, badges.key),
        web.get(badge.JWKS, badges.jwks),
        web.get(badge.REVOCATIONS, badges.revocations),
        web.get(badge.STATUS_LIST, badges.status_list),
        web.get(badge.BADGE_CLASS, badges.badge_class),
        web.get(badge.ACHIEVEMENT, badges.achievement),
        web.get(badge.ASSERTION_JWS, badges.issued(badges.assertion_jws)),
        web.get(badge.ASSERTION, badges.issued(badges.assertion)),
        web.get(badge.CREDENTIAL_JWT, badges.issued(badges.credential_jwt)),
        # One address per badge: the credential for verifiers, its check page for a browser.
        web.get(
            badge.CREDENTIAL,
            by_accept(
                [
                    (DOCUMENT_TYPES, badges.issued(badges.credential)),
                    (JWT_TYPES, badges.issued(badges.credential_jwt)),
                    (PAGE_TYPES, journeys.published_badge_page),
                ]
            ),
        ),
        web.get(badge.BAKED_SVG_OB2, badges.issued(badges.baked_svg_ob2)),
        web.get(badge.BAKED_SVG, badges.issued(badges.baked_svg)),
        web.get(badge.BAKED_PNG, badges.issued(badges.baked_png)),
        web.get(badge.ARTWORK_PNG, badges.artwork),
        web.get(badge.ARTWORK_SVG, badges.artwork),
        # The front door: what colbot is for this city, and help for partners.
        web.get(welcome.HOME, welcome.home_page),
        web.get(welcome.PARTNER_HELP, welcome.partner_help),
        # What colbot keeps about young people, in plain words.
        web.get(privacy.PRIVACY, privacy.privacy_page),
        # Public pages: shared journeys, the check page of each badge on them, the checker.
        web.get(journeys.JOURNEY, journeys.journey_page),
        web.get(f"{journeys.JOURNEY}.json", journeys.journey_json),
        web.get(journeys.JOURNEY_QR, journeys.journey_qr),
        web.get(journeys.BADGE, journeys.badge_check),
        web.get(f"{journeys.BADGE}.png", journeys.badge_png),
        web.get(f"{journeys.BADGE}.json", journeys.badge_download_json),
        web.get(journeys.ARTWORK, journeys.artwork),
        web.get(verify_page.VERIFY, verify_page.verify_form),
        web.post(verify_page.VERIFY, verify_page.verify_badge),
        # "Add to wallet": a one-time VC-API exchange, opened by a wallet app or a browser.
        web.get(wallet_links.EXCHANGE, wallet.exchange_page),
        web.post(wallet_links.EXCHANGE, wallet.exchange_step),
        web.get("/robots.txt", security.robots),
        web.get("/static/{name}", assets.static_asset),
        web.get("/favicon.ico", assets.favicon),
        # The dashboard, for the city team and partner staff.
        web.get("/dashboard", dashboard.page),
        web.get("/dashboard/sign-in", dashboard.sign_in_page),
        web.post("/dashboard/sign-in", dashboard.sign_in),
        web.post("/dashboard/sign-out", dashboard.sign_out),
        web.get(f"/dashboard/{dashboard.CSS_NAME}", dashboard.stylesheet),
        web.get("/dashboard/charts/{table:[a-z-]{1,40}}.svg", dashboard.chart),
        web.get("/dashboard/tables/{table:[a-z-]{1,40}}.csv", dashboard.table_csv),
        # The web chat, its socket, Web Push, its files, and the venue page a QR code opens.
        web.get("/chat", chat.chat_page),
        web.get("/chat/ws", chat.chat_socket),
        web.get(f"/chat/{chat.SERVICE_WORKER}", chat.service_worker),
        web.post("/chat/push", chat.push_subscribe),
        web.delete("/chat/push", chat.push_unsubscribe),
        web.get("/static/chat/{name}", chat.static_file),
        web.get("/chat/files/{token}", chat.chat_file),
        web.get(VENUE_PREFIX + "{code}", venue.venue_page),
    ]
