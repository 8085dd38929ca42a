"""The composition root: the one place the database, cache, channels and agent are built, opened and closed.

`centavo serve`, `worker`, `chat` and the database commands all start here, so a part is configured the
same way everywhere. Only the entry point (bot.cli) and tests import this module (import-linter checks it);
everything else takes the built `Parts` (bot/keys.py).
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Callable
from contextlib import AsyncExitStack, asynccontextmanager
from dataclasses import dataclass

from adapters.cache import Cache, connect
from adapters.channels import Channel, ConsoleChannel, MetaChannel, TwilioChannel
from adapters.channels.downloads import LocalFiles, MediaFetcher, MetaMedia, TwilioMedia
from adapters.charts import ChartRenderer
from adapters.clock import SystemClock
from adapters.db import Database
from adapters.ocr import ReceiptOcr
from bot.keys import AgentFactory, AgentLike, Media, Metrics, Parts
from bot.outage import is_unavailable
from bot.pictures import PicturePublisher
from bot.receipts import ReceiptReader
from bot.settings import Settings
from domain.ports import Clock

__all__ = ["Bootstrap", "default_agent_factory", "meta_channel", "twilio_channel"]

log = logging.getLogger(__name__)


def default_agent_factory() -> Callable[..., AgentLike]:
    """The conversation agent's factory, imported only when a command needs an agent (it loads the NLU).

    Tests that run the CLI in-process replace this function to stand a stub in for the agent."""
    from bot.conversation import agent_factory

    return agent_factory


def media_parts(settings: Settings, cache: Cache) -> Media:
    """The photo reader (attachments fetched with each provider's credentials, read by OCR), the picture
    publisher (charts at PUBLIC_BASE_URL/media/...) and the chart renderer the agent is given."""
    fetchers: dict[str, MediaFetcher] = {"console": LocalFiles()}
    if settings.twilio_account_sid and settings.twilio_auth_token:
        fetchers["twilio"] = TwilioMedia(
            settings.twilio_account_sid, settings.twilio_auth_token, settings.twilio_api_base_url
        )
    if settings.meta_access_token:
        fetchers["meta"] = MetaMedia(settings.meta_access_token, settings.meta_graph_base_url)
    # bot.conversation may not import adapters: the renderer, reader and publisher are given to it here.
    return Media(
        photos=ReceiptReader(fetchers, ReceiptOcr()),
        pictures=PicturePublisher(cache.media, settings.public_base_url),
        charts=ChartRenderer(),
    )


def twilio_channel(settings: Settings) -> Channel:
    """Twilio REST when credentials are configured, else the console channel (embedded mode)."""
    if settings.twilio_account_sid and settings.twilio_auth_token:
        return TwilioChannel(
            settings.twilio_account_sid,
            settings.twilio_auth_token,
            settings.twilio_api_base_url,
            status_callback=f"{settings.public_base_url}/webhooks/twilio/status",
        )
    return ConsoleChannel()


def meta_channel(settings: Settings) -> Channel:
    """The WhatsApp Cloud API when an access token is configured, else the console channel."""
    if settings.meta_access_token:
        return MetaChannel(settings.meta_access_token, settings.meta_graph_base_url)
    return ConsoleChannel()


@dataclass(frozen=True, slots=True)
class Bootstrap:
    """What one command needs built, and the injection points tests use; `open()` builds it.

    The database is always built. `Bootstrap(settings)` builds everything (serve, worker); the chat needs
    no channels; the tenant, user and channel commands need only the database (`database_only`).
    """

    settings: Settings
    cache: bool = True
    """Build the cache (Redis, or an in-process fakeredis when REDIS_URL is unset)."""
    channels: bool = True
    """Build the outbound channels: Twilio and Meta (the console one when their credentials are unset)."""
    agent: bool = True
    """Build the conversation agent (needs the cache)."""
    clock: Clock | None = None
    """None: the system clock. Tests pin it."""
    agent_factory: AgentFactory | None = None
    """None: default_agent_factory(), the conversation agent. Tests pass a stub's factory."""
    check_role: bool = True
    """Refuse (on PostgreSQL) a database role that is a superuser or has BYPASSRLS: what serves tenants
    (serve, worker, chat) must run under Row-Level Security. Owner-side commands (database_only) skip it."""

    def __post_init__(self) -> None:
        if self.agent and not self.cache:
            raise ValueError("the agent keeps its conversation state in the cache: build both")

    @classmethod
    def database_only(cls, settings: Settings, *, clock: Clock | None = None) -> Bootstrap:
        return cls(settings, cache=False, channels=False, agent=False, clock=clock, check_role=False)

    @asynccontextmanager
    async def open(self) -> AsyncIterator[Parts]:
        """Build and open the parts in order (database, cache, channels, agent); close them in reverse,
        also when building a later one fails."""
        clock = self.clock or SystemClock()
        async with AsyncExitStack() as stack:
            db = Database(self.settings.database_url, clock=clock)
            stack.push_async_callback(db.dispose)
            if self.check_role:
                await _check_role(db)
            cache: Cache | None = None
            if self.cache:
                cache = connect(self.settings.redis_url)
                stack.push_async_callback(cache.close)
            channels: dict[str, Channel] = {}
            if self.channels:
                for provider, build in (("twilio", twilio_channel), ("meta", meta_channel)):
                    channels[provider] = build(self.settings)
                    stack.push_async_callback(channels[provider].close)
            metrics = Metrics.create()
            agent: AgentLike | None = None
            if self.agent and cache is not None:
                # The one place the agent is constructed: its constructor is bot.conversation's business.
                if self.agent_factory is not None:
                    agent = self.agent_factory(db, cache, clock, metrics)
                else:
                    media = media_parts(self.settings, cache)
                    stack.push_async_callback(media.photos.close)
                    stack.callback(media.charts.close)
                    agent = default_agent_factory()(db, cache, clock, metrics, media=media)
            yield Parts(
                settings=self.settings,
                clock=clock,
                metrics=metrics,
                db=db,
                cache=cache,
                channels=channels,
                agent=agent,
            )


async def _check_role(db: Database) -> None:
    """Database.check_role, except that an unreachable database does not stop the start (the app answers
    503 until it is back): every connection opened later is checked as it is made."""
    try:
        await db.check_role()
    except Exception as exc:
        if not is_unavailable(exc):
            raise
        log.warning("database unreachable at start-up: its role will be checked when it answers")
