"""create_app(settings): the aiohttp application — cleanup contexts, error middleware and routes."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Awaitable, Callable

from aiohttp import web

from adapters.cache import connect
from adapters.channels import Channel, ConsoleChannel, MetaChannel, TwilioChannel
from adapters.clock import SystemClock
from adapters.db import Database
from bot.keys import (
    AGENT,
    CACHE,
    CLOCK,
    DATABASE,
    META_CHANNEL,
    METRICS,
    SETTINGS,
    TWILIO_CHANNEL,
    AgentFactory,
    AgentLike,
    Metrics,
)
from bot.routes import setup_routes
from bot.settings import Settings
from bot.webhooks import WebhookError
from domain.ports import Clock

__all__ = ["AgentFactory", "AgentLike", "create_app", "meta_channel", "twilio_channel"]

log = logging.getLogger(__name__)

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


@web.middleware
async def webhook_errors(request: web.Request, handler: Handler) -> web.StreamResponse:
    """A refused webhook (bad signature, malformed body...) answers its status with a short reason."""
    try:
        return await handler(request)
    except WebhookError as exc:
        log.info("webhook refused: %s", exc.reason, extra={"path": request.path, "status": exc.status})
        request.app[METRICS].errors.labels("webhook_refused").inc()
        return web.Response(status=exc.status, text=exc.reason)


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
    if settings.meta_access_token:
        return MetaChannel(settings.meta_access_token, settings.meta_graph_base_url)
    return ConsoleChannel()


def create_app(
    settings: Settings, *, agent_factory: AgentFactory | None = None, clock: Clock | None = None
) -> web.Application:
    app = web.Application(middlewares=[webhook_errors])
    app[SETTINGS] = settings
    app[CLOCK] = clock or SystemClock()
    app[METRICS] = Metrics.create()

    async def database(app: web.Application) -> AsyncIterator[None]:
        app[DATABASE] = Database(settings.database_url, clock=app[CLOCK])
        yield
        await app[DATABASE].dispose()

    async def cache(app: web.Application) -> AsyncIterator[None]:
        app[CACHE] = connect(settings.redis_url)
        yield
        await app[CACHE].close()

    async def channels(app: web.Application) -> AsyncIterator[None]:
        app[TWILIO_CHANNEL] = twilio_channel(settings)
        app[META_CHANNEL] = meta_channel(settings)
        yield
        await app[TWILIO_CHANNEL].close()
        await app[META_CHANNEL].close()

    async def agent(app: web.Application) -> AsyncIterator[None]:
        if agent_factory is not None:
            app[AGENT] = agent_factory(app[DATABASE], app[CACHE], app[CLOCK], app[METRICS])
        yield

    app.cleanup_ctx.extend([database, cache, channels, agent])
    setup_routes(app)
    return app
