"""The app factory: settings in, a wired colbot out (database, engine, channels, web, scheduler)."""

from __future__ import annotations

import asyncio
import errno
import logging
import re
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from datetime import timedelta
from urllib.parse import urlsplit

from aiohttp import web
from apscheduler.schedulers.asyncio import AsyncIOScheduler
from telegram import Bot
from telegram.error import TelegramError

from colbot import metrics
from colbot.badges import web as badge_pages
from colbot.badges.chat import BadgeAwards
from colbot.badges.classes import BadgeClasses, cached_classes
from colbot.badges.issuers import KEYS_FOLDER
from colbot.badges.store import BadgeIssuer, publisher_for
from colbot.catalogue.changes import SessionChanges
from colbot.catalogue.demo import load_demo
from colbot.catalogue.feeds import Harvester, poll_due_now
from colbot.catalogue.feeds_chat import FeedsChat
from colbot.channels.telegram import TelegramChannel
from colbot.channels.webchat import channel as webchat
from colbot.channels.webchat import page as chat_page
from colbot.channels.webchat import venue as venue_page
from colbot.channels.webchat.device_tokens import DEVICE_KEY_FILE, load_or_create_key
from colbot.chat.engine import Engine
from colbot.chat.identity import BotIdentity
from colbot.chat.steps import PassionChoice
from colbot.clock import Clock, SystemClock
from colbot.codes.chat import Redeemer
from colbot.codes.format import EXAMPLE_CODE
from colbot.codes.staff_chat import CodeMaking
from colbot.content.bundle import load_bundle
from colbot.content.city import City
from colbot.content.conversations import Conversations
from colbot.content.locations import badges_dir, conversations_dir
from colbot.content.passions import Passion, load_passions
from colbot.dashboard import web as dashboard_pages
from colbot.dashboard.chat import DashboardLinks
from colbot.dashboard.report import Area as ReportArea
from colbot.delivery import email
from colbot.delivery import update_ids as updates
from colbot.delivery.drainer import OutboxDrainer
from colbot.delivery.web_push import WebPusher
from colbot.domain.passions import PassionMatcher, PassionWords
from colbot.domain.reading import Words
from colbot.explore.chat import Explorer
from colbot.explore.recommend import Recommender
from colbot.journeys import chat as journey
from colbot.journeys import web as journey_pages
from colbot.outreach.chat import BroadcastChat
from colbot.outreach.digests import DigestSender
from colbot.outreach.nudges import NudgeSender
from colbot.outreach.reminders import ReminderSender
from colbot.partners.chat import Staff
from colbot.pathways.awards import PathwayAwards
from colbot.pathways.catalogue import offers
from colbot.pathways.chat import PathwaysChat
from colbot.pathways.check import unreachable
from colbot.pathways.definitions import Pathways, cached_pathways
from colbot.pathways.one_to_go import OneStepToGo
from colbot.people import chat as people_chat
from colbot.people import store as people_store
from colbot.privacy import web as privacy_page
from colbot.privacy.periods import schedule_of
from colbot.privacy.web import PRIVACY
from colbot.retention.purge import Purge
from colbot.routes import routes
from colbot.runtime import leases
from colbot.runtime.jobs import JobsInFlight
from colbot.runtime.notices import Listener
from colbot.runtime.presence import Presence
from colbot.safety.chat import Safety
from colbot.settings import Settings
from colbot.storage.database import Database
from colbot.team import chat as team_chat
from colbot.team.actors import CityTeam
from colbot.wallet import chat as wallet_chat
from colbot.wallet import web as wallet_pages
from colbot.web import slow_clients
from colbot.web.artwork import Artwork
from colbot.web.operations import Operations
from colbot.web.ratelimit import TRUSTED_PROXIES_KEY
from colbot.web.server import make_web_app
from colbot.web.site import Site

log = logging.getLogger(__name__)

SHUTDOWN_GRACE_S = 10.0
OUTBOX_INTERVAL_S = 1
REMINDER_INTERVAL_S = 60
NUDGE_INTERVAL_S = 3600
RETENTION_INTERVAL_S = 3600
STALE_CLAIM_INTERVAL_S = 60
# A live process confirms a claimed message within seconds; one older than this had a dead owner.
STALE_CLAIM_AGE = timedelta(minutes=5)
UPDATE_IDS_INTERVAL_S = 3600
DEMO_REFRESH_HOUR = 3
# Telegram's rule for a bot's username: 5 to 32 characters, ending in "bot".
BOT_USERNAME = re.compile(r"[A-Za-z][A-Za-z0-9_]{1,28}[Bb][Oo][Tt]")


class StartError(RuntimeError):
    """colbot could not start; the message says why in one line, with what to do."""


def cannot_listen(host: str, port: int, error: OSError) -> str:
    """Why the web server could not start, and what to try, in one line."""
    if error.errno == errno.EADDRINUSE:
        return (
            f"port {port} on {host} is already in use (is colbot already running?); "
            f"stop the other program, or choose a free port, e.g. COLBOT_PORT={port + 1}"
        )
    reason = error.strerror or str(error)
    return (
        f"cannot listen on {host}:{port} ({reason}); "
        "check COLBOT_HOST and COLBOT_PORT (ports under 1024 need extra rights)"
    )


@dataclass
class Colbot:
    """One running colbot: everything `colbot serve` starts and stops."""

    settings: Settings
    clock: Clock
    database: Database
    content: Conversations
    city: City
    engine: Engine
    web_app: web.Application
    scheduler: AsyncIOScheduler
    outbox: OutboxDrainer
    reminders: ReminderSender
    nudges: NudgeSender
    telegram: TelegramChannel | None = None
    demo: bool = False
    webchat: webchat.WebChatChannel | None = None
    digests: DigestSender | None = None
    safeguarding: SafeguardingReach | None = None
    jobs: JobsInFlight = field(default_factory=JobsInFlight)
    # This process's name among those sharing the database: in leases, notices and `colbot status`.
    name: str = field(default_factory=leases.process_name)
    _listener: Listener | None = field(default=None, repr=False)
    _runner: web.AppRunner | None = field(default=None, repr=False)
    presence: Presence | None = None
    pathways: Pathways | None = None
    badge_classes: BadgeClasses | None = None

    async def bot_username(self, given: str | None = None) -> str | None:
        """The bot's Telegram name, for links: as given (`--bot`), else asked with the token.

        None when there is neither, so links are web chat links only; a malformed name is an
        error that says so.
        """
        if given:
            name = given.strip().removeprefix("@")
            if not BOT_USERNAME.fullmatch(name):
                raise ValueError(
                    f"{given!r} is not a Telegram bot name: a bot name is 5 to 32 letters, "
                    "digits or _, starts with a letter and ends in bot, like KensalfieldBot "
                    "or kf_city_bot (the @username @BotFather gave it)"
                )
            return name
        if not self.settings.telegram_token:
            return None
        try:
            async with Bot(
                self.settings.telegram_token, base_url=self.settings.telegram_api_url
            ) as bot:
                return str(bot.username)
        except TelegramError as exc:
            raise ValueError(
                f"could not ask Telegram for the bot's name ({exc}); pass --bot"
            ) from exc

    async def prepare(self) -> None:
        """Brings the database up to date and, in demo mode, refreshes the demo catalogue."""
        self.settings.data_dir.mkdir(parents=True, exist_ok=True)
        await self.database.upgrade()
        if self.demo:
            await self.refresh_demo()

    async def refresh_demo(self) -> None:
        """Reloads the demo city so its dates stay upcoming."""
        now = self.clock.now()
        partners, changed = await load_demo(
            self.database, self.city, now.astimezone(self.city.timezone).date(), now
        )
        log.info(
            "demo city %s loaded: %d partners, %d opportunities updated",
            self.city.name,
            partners,
            changed,
        )

    async def check_pathways(self) -> None:
        """Warns of pathway steps that nothing in the catalogue can meet (the files were read)."""
        if self.pathways is None:
            return
        async with self.database.reading() as session:
            for warning in unreachable(self.pathways, await offers(session)):
                log.warning("pathways: %s", warning)

    async def start(self) -> None:
        """Starts the web server, the scheduler and, with a token, the Telegram channel."""
        await self.prepare()
        if self.safeguarding is not None:
            for problem in (await self.safeguarding.warnings()).values():
                log.warning("%s", problem)
        await self.check_pathways()
        if self.presence is None:
            self.presence = Presence(self.database, self.name)
        self.presence.stopping = False
        if await self.presence.join():
            await self.outbox.recover()
        else:
            log.info("other colbot processes share this database; sharing the work with them")
        once = leases.RunOnce(self.database, self.clock.now, self.name)
        if self.database.is_postgres and self.webchat is not None:
            self._listener = Listener(
                self.database.url,
                webchat.KEPT_NOTICES,
                self.webchat.heard,
                self.webchat.catch_up,
            )
            self._listener.start()
        await self.queue_reminders()
        slow_clients.quieten_client_mistakes()
        self._runner = web.AppRunner(
            self.web_app,
            handle_signals=False,
            **self.web_app[slow_clients.TIMEOUTS_KEY].runner_options(),
        )
        await self._runner.setup()
        site = web.TCPSite(self._runner, self.settings.host, self.settings.port)
        try:
            await site.start()
        except OSError as exc:
            raise StartError(cannot_listen(self.settings.host, self.settings.port, exc)) from exc
        local = f"http://{self.settings.host}:{self.settings.port}"
        log.info(
            "web server listening on %s: health check %s/healthz, web chat %s/chat",
            local,
            local,
            self.settings.public_url.rstrip("/"),
        )
        if self.demo:
            self.scheduler.add_job(
                self.jobs.track(once.job("refresh_demo", timedelta(hours=1), self.refresh_demo)),
                "cron",
                hour=DEMO_REFRESH_HOUR,
                id="refresh_demo",
                replace_existing=True,
            )
        self._every(OUTBOX_INTERVAL_S, "drain_outbox", self.outbox.drain_unless_draining, 2)
        for name, seconds, work in (
            ("queue_nudges", NUDGE_INTERVAL_S, self.queue_nudges),
            ("purge_retention", RETENTION_INTERVAL_S, self.purge_retention),
            ("queue_reminders", REMINDER_INTERVAL_S, self.queue_reminders),
            ("recover_outbox", STALE_CLAIM_INTERVAL_S, self.recover_stale),
            ("forget_updates", UPDATE_IDS_INTERVAL_S, self.forget_updates),
            ("forget_unseen_webchat", UPDATE_IDS_INTERVAL_S, self.forget_unseen_webchat),
        ):
            self._every(seconds, name, once.job(name, timedelta(seconds=seconds), work))
        every = self.settings.feeds_poll_interval
        self.scheduler.add_job(
            self.jobs.track(once.job("poll_feeds", every, self.poll_feeds)),
            "interval",
            seconds=every.total_seconds(),
            jitter=every.total_seconds() / 10,
            id="poll_feeds",
            replace_existing=True,
            coalesce=True,
        )
        self.scheduler.start()
        if self.telegram is not None:
            await self.telegram.start()
        else:
            log.warning(
                "No Telegram token set, so the Telegram channel is off. To turn it on, get a token "
                "from @BotFather and set COLBOT_TELEGRAM_TOKEN. The web server is still running; "
                "try the bot in a terminal with `colbot chat`."
            )

    def _every(
        self, seconds: int, job_id: str, work: Callable[[], Awaitable[None]], instances: int = 1
    ) -> None:
        """Schedules `work` every `seconds`, skipping missed runs, tracked so that stop waits."""
        self.scheduler.add_job(
            self.jobs.track(work),
            "interval",
            seconds=seconds,
            id=job_id,
            replace_existing=True,
            max_instances=instances,
            coalesce=True,
        )

    async def forget_unseen_webchat(self) -> None:
        """Web chat replies no page came back for in a month are deleted."""
        if self.webchat is not None:
            await self.webchat.forget_unseen(self.clock.now())

    def feeds(self) -> Harvester:
        """What polling followed feeds needs, from the settings."""
        passions = load_passions(conversations_dir() / self.settings.language / "passions.yaml")
        return Harvester(
            self.database,
            self.city,
            passions,
            SessionChanges(self.content, self.city.timezone, self.settings.quiet_hours),
            self.settings.feeds_poll_interval,
            self.settings.feeds_allow_private,
            self.settings.internal_hosts,
        )

    async def poll_feeds(self) -> None:
        """Polls the followed feeds that are due (the scheduled job, run by one process)."""
        await poll_due_now(self.feeds(), self.clock.now())

    async def queue_reminders(self) -> None:
        """Turns due reminders and ended sessions into outbox messages; the drainer sends them."""
        now = self.clock.now()
        await self.reminders.enqueue_due(now)
        await self.reminders.enqueue_after_sessions(now)

    async def queue_nudges(self) -> None:
        """Queues kind nudges for those who have gone quiet, and weekly digests that are due."""
        now = self.clock.now()
        await self.nudges.enqueue_due(now)
        if self.digests is not None:
            await self.digests.enqueue_due(now)

    def retention(self) -> Purge:
        """The retention job, from the settings."""
        return Purge(
            self.database,
            self.settings.retention,
            self.content,
            self.city.timezone,
            self.settings.quiet_hours,
            self.city.name,
            self.settings.resolved_backup_dir,
        )

    async def purge_retention(self) -> None:
        """Warns and erases quiet profiles and deletes what outlived its period (one process)."""
        await self.retention().run(self.clock.now())

    async def recover_stale(self) -> None:
        """Takes back messages claimed long ago by a process that has since died."""
        await self.outbox.recover(claimed_before=self.clock.now() - STALE_CLAIM_AGE)

    async def forget_updates(self) -> None:
        """Forgets the ids of Telegram updates too old to be sent again."""
        await updates.forget_old(self.database, self.clock.now())

    async def stop(self) -> None:
        """Lets running jobs and the updates in hand finish, then stops everything in reverse order.

        First new connections stop (/readyz says so, and the listening socket closes) and open
        pages are told to reconnect, to another process behind the proxy; the turns in hand
        still finish and keep their replies for the pages to fetch. The scheduler goes next, so
        that a drain in flight still has Telegram to send through.
        """
        if self.presence is not None:
            self.presence.stopping = True
        if self._runner is not None:
            for site in list(self._runner.sites):
                await site.stop()
        if self.webchat is not None:
            await self.webchat.close_pages()
        if self.scheduler.running:
            self.scheduler.pause()
            self.outbox.stop_soon()
            await self.jobs.finish(SHUTDOWN_GRACE_S)
            self.scheduler.shutdown(wait=False)
            # Another process takes the jobs at once, not when these leases would lapse.
            await leases.give_up(self.database, self.name)
        if self.telegram is not None:
            await asyncio.wait_for(self.telegram.stop(), SHUTDOWN_GRACE_S)
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None
        if self._listener is not None:
            await self._listener.stop()
            self._listener = None
        if self.presence is not None:
            await self.presence.leave()
        if self.webchat is not None and self.webchat.pusher is not None:
            await self.webchat.pusher.close()
        await self.database.dispose()


def build_engine(
    settings: Settings,
    database: Database,
    content: Conversations,
    city: City,
    passions: Sequence[Passion],
    clock: Clock,
    bot_username: Callable[[], str],
    words: Words | None = None,
) -> Engine:
    """Wires the conversation engine to the city's content and every feature's handlers."""
    passion_ids = [p.id for p in passions]
    matcher = PassionMatcher(PassionWords(p.id, (p.name, *p.synonyms)) for p in passions)
    choices = tuple(PassionChoice(p.id, f"{p.emoji} {p.name}") for p in passions)
    base_context = {
        "city": city.name,
        "web_chat_url": f"{settings.public_url}/chat",
        "privacy_url": f"{settings.public_url.rstrip('/')}{PRIVACY}",
        "min_age": settings.telegram_min_age,
        "public_url": settings.public_url.rstrip("/"),
        "city_quiet_hours": str(settings.quiet_hours) if settings.quiet_hours else "",
        "example_code": EXAMPLE_CODE,
    }
    engine = Engine(
        database=database,
        content=content,
        places=city,
        passions=choices,
        matcher=matcher,
        clock=clock,
        base_context=base_context,
        min_age_by_channel={
            "telegram": settings.telegram_min_age,
            webchat.CHANNEL: webchat.MIN_AGE,
        },
        timezone=city.timezone,
        seen=people_store.touch,
        speakers=CityTeam(settings.admins),
        words=words,
    )
    centres = {area.id: (area.lat, area.lon) for area in city.areas}
    safeguarding = {
        "safeguarding_name": city.safeguarding.name,
        "safeguarding_phone": city.safeguarding.phone,
        "safeguarding_email": city.safeguarding.email,
    }
    city_team = CityTeam(settings.admins)
    publisher = publisher_for(settings.public_url, settings.data_dir, city, clock, passion_ids)
    pathways = cached_pathways(badges_dir(), frozenset(passion_ids))
    badge_issuer = BadgeIssuer(
        publisher,
        after=(PathwayAwards(pathways).award, OneStepToGo(pathways, content, settings.quiet_hours)),
    )
    badge_awards = BadgeAwards(badge_issuer, more_buttons=(wallet_chat.wallet_button,))
    # The order features are offered typed text and /start links: safety words win over anything.
    for router in (
        Safety(
            city_team.chats,
            reachable_channels(settings),
            safeguarding,
            city.timezone,
            lead_email=city.safeguarding.email,
        ).router(),
        team_chat.router(),
        people_chat.router(),
        Explorer(
            Recommender(city.timezone, centres, pathways, publisher.classes),
            choices,
            city.timezone,
            settings.reminder_leads,
            matcher,
            words,
            settings.explore_layout,
        ).router(),
        journey.router(),
        PathwaysChat(pathways, publisher.classes, city.timezone).router(),
        Staff(city.timezone, settings.public_url, bot_username, pathways).router(),
        CodeMaking(
            city.timezone, city.name, settings.public_url, bot_username, settings.code_early
        ).router(),
        DashboardLinks(settings.public_url).router(),
        BroadcastChat(
            settings.quiet_hours, choices, [(area.id, area.name) for area in city.areas]
        ).router(),
        FeedsChat(
            Harvester(
                database,
                city,
                passions,
                SessionChanges(content, city.timezone, settings.quiet_hours),
                settings.feeds_poll_interval,
                settings.feeds_allow_private,
                settings.internal_hosts,
            ),
            city.timezone,
        ).router(),
        Redeemer(city.timezone, city_team.chats, on_redeemed=[badge_awards.on_redeemed]).router(),
        badge_awards.router(),
        wallet_chat.router(),
    ):
        engine.include(router)
    return engine


@dataclass(frozen=True)
class SafeguardingReach:
    """Whether a call for help can reach anyone: an admin on a working channel, or the lead."""

    database: Database
    team: CityTeam
    settings: Settings
    city: City

    async def warnings(self) -> dict[str, str]:
        """Nothing when someone can be alerted; else what to set up, for /readyz and the log."""
        reachable = reachable_channels(self.settings)
        async with self.database.reading() as session:
            chats = await self.team.chats(session)
        if any(channel in reachable for channel, _ in chats):
            return {}
        if email.CHANNEL in reachable and self.city.safeguarding.email:
            return {}
        return {
            "safeguarding": "no city admin or safeguarding e-mail can be reached, so a call for "
            "help alerts nobody: invite an admin (colbot admins invite NAME) or set "
            "COLBOT_SMTP_URL"
        }


def reachable_channels(settings: Settings) -> frozenset[str]:
    """The channels a queued message can leave on: the web chat always, the others when set up."""
    channels = {webchat.CHANNEL}
    if settings.telegram_token:
        channels.add("telegram")
    if settings.smtp_url:
        channels.add(email.CHANNEL)
    return frozenset(channels)


def vapid_subject(settings: Settings, city: City) -> str:
    """Who push services may contact about colbot's notifications (RFC 8292's `sub`)."""
    if settings.public_url.startswith("https://"):
        return settings.public_url.rstrip("/")
    return f"mailto:{city.safeguarding.email}"


def _no_telegram() -> str:
    """No bot username: the venue page then offers the web chat alone."""
    return ""


def build_app(settings: Settings, clock: Clock | None = None, demo: bool = False) -> Colbot:
    """Builds colbot from settings; nothing starts until `start()`."""
    clock = clock or SystemClock()
    bundle = load_bundle(settings.language, settings.city)
    content, passions, city = bundle.conversations, bundle.passions, bundle.city
    database = Database(settings.resolved_database_url)
    bot = BotIdentity()
    engine = build_engine(
        settings, database, content, city, passions, clock, bot.username, bundle.reading
    )
    telegram = TelegramChannel(settings, engine, bot) if settings.telegram_token else None
    webhook = telegram.handle_webhook if telegram and settings.uses_webhook else None
    badge_site = publisher_for(settings.public_url, settings.data_dir, city, clock)
    web_app = make_web_app(database)
    web_app[TRUSTED_PROXIES_KEY] = settings.trusted_proxies
    metrics.count_logged_errors()
    passion_names = {p.id: p.name for p in passions}
    passion_ids = frozenset(passion_names)
    artwork = Artwork(database, badge_site.artwork_drawing, badge_site.draw_artwork)
    site = Site(
        database,
        clock,
        settings.public_url,
        city.name,
        city.timezone,
        passion_names,
        artwork,
        internal_hosts=settings.internal_hosts,
    )
    site.documents.append(journey_pages.journey_documents(site))
    journey_pages.install(
        web_app,
        site,
        journey_pages.JourneyPathways(
            cached_pathways(badges_dir(), passion_ids), cached_classes(badges_dir(), passion_ids)
        ),
    )
    privacy_page.install(web_app, content, city, schedule_of(settings))
    wallet_pages.install(web_app, site, badge_site)
    dashboard_pages.install(
        web_app,
        site,
        [ReportArea(a.id, a.name, a.imd_decile) for a in city.areas],
        CityTeam(settings.admins).still_admin,
        (cached_pathways(badges_dir(), passion_ids), cached_classes(badges_dir(), passion_ids)),
    )
    name = leases.process_name()
    presence = Presence(database, name)
    web_chat = webchat.WebChatChannel(
        engine,
        database,
        clock,
        WebPusher(database, settings.data_dir, vapid_subject(settings, city)),
        origin=name,
    )
    device_key = load_or_create_key(settings.data_dir / KEYS_FOLDER / DEVICE_KEY_FILE)
    chat_page.install(web_app, web_chat, settings.public_url, device_key)
    venue_page.install(web_app, bot.username if telegram is not None else _no_telegram)
    reach = SafeguardingReach(database, CityTeam(settings.admins), settings, city)
    web_app.add_routes(
        routes(
            Operations(
                database,
                telegram.application.bot.get_me if telegram else None,
                reach.warnings,
                presence,
            ),
            badge_pages.install(web_app, database, badge_site),
            webhook,
        )
    )
    scheduler = AsyncIOScheduler(timezone=settings.timezone)
    outbox = OutboxDrainer(
        database, clock, settings.timezone, settings.send_rate, default_quiet=settings.quiet_hours
    )
    reminders = ReminderSender(database, content, city.timezone, settings.quiet_hours)
    centres = {area.id: (area.lat, area.lon) for area in city.areas}
    nudges = NudgeSender(
        database,
        content,
        Recommender(
            city.timezone,
            centres,
            cached_pathways(badges_dir(), passion_ids),
            cached_classes(badges_dir(), passion_ids),
        ),
        city.timezone,
        settings.quiet_hours,
        city.name,
    )
    if telegram is not None:
        outbox.add_sender("telegram", telegram.send_to)
    if settings.smtp_url:
        sender = settings.smtp_from or f"colbot@{urlsplit(settings.public_url).hostname}"
        outbox.add_sender(email.CHANNEL, email.SmtpSender(settings.smtp_url, sender).send)
    outbox.add_store(webchat.CHANNEL, web_chat.store_in, web_chat.shown)
    return Colbot(
        settings,
        clock,
        database,
        content,
        city,
        engine,
        web_app,
        scheduler,
        outbox,
        reminders,
        nudges,
        telegram=telegram,
        demo=demo,
        webchat=web_chat,
        digests=DigestSender(database, content, city.timezone, settings.quiet_hours, city.name),
        safeguarding=reach,
        name=name,
        presence=presence,
        pathways=cached_pathways(badges_dir(), passion_ids),
        badge_classes=cached_classes(badges_dir(), passion_ids),
    )
