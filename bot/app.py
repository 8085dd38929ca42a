"""create_app(parts): the aiohttp application over the composition root's parts — error middleware, routes."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Awaitable, Callable

from aiohttp import web

from adapters.cache import RateLimiter
from bot.admin import api_errors, setup_admin
from bot.admission import Admission
from bot.intake import ADMISSION, BACKGROUND, finish_background
from bot.keys import (
    AGENT,
    API_LIMITER,
    CACHE,
    CLOCK,
    DATABASE,
    META_CHANNEL,
    METRICS,
    SETTINGS,
    TWILIO_CHANNEL,
    OpensParts,
    Parts,
)
from bot.outage import WEBHOOK_OUTAGE, Outage, service_errors
from bot.routes import setup_routes
from bot.webhooks import WebhookError

__all__ = ["create_app"]

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
        response = web.Response(status=exc.status, text=exc.reason)
        if exc.status in (408, 413):
            # The rest of the body is unread: close rather than let aiohttp drain it for keep-alive.
            response.force_close()
        return response


async def in_process_worker(parts: Parts) -> None:
    """The worker's loop beside the server (bot/worker.py): messages stored for later (held, deferred, or
    whose processor died) are answered and pushes go out, as `centavo worker` does in a deployment."""
    from bot import worker

    log.info("embedded mode: this process also answers stored messages and sends pushes (the worker)")
    await worker.run(parts, once=False)


def create_app(parts: OpensParts, *, worker: bool = False) -> web.Application:
    """The application over the parts `parts.open()` builds (bootstrap.Bootstrap), opened on start-up and
    closed on clean-up by aiohttp's cleanup context. `worker`: also run the worker's loop in this process
    (the embedded mode, where no `centavo worker` shares the in-process cache)."""
    # service_errors is outermost: it sees what the others let through (a store down, a bug).
    app = web.Application(middlewares=[service_errors, api_errors, webhook_errors])
    app[WEBHOOK_OUTAGE] = Outage("a store (database or cache), seen by the webhooks")

    async def opened(app: web.Application) -> AsyncIterator[None]:
        async with parts.open() as built:
            app[SETTINGS] = built.settings
            app[CLOCK] = built.clock
            app[METRICS] = built.metrics
            app[DATABASE] = built.db
            app[CACHE] = cache = built.need_cache()
            app[API_LIMITER] = RateLimiter(
                cache.client,
                cache.health,
                capacity=built.settings.api_rate_burst,
                refill_per_second=built.settings.api_rate_per_second,
            )
            app[TWILIO_CHANNEL] = built.channels["twilio"]
            app[META_CHANNEL] = built.channels["meta"]
            app[ADMISSION] = Admission(
                built.settings.webhook_process_limit, built.settings.webhook_hold_limit
            )
            app[BACKGROUND] = set()
            if built.agent is not None:
                app[AGENT] = built.agent
            beside = asyncio.create_task(in_process_worker(built)) if worker else None
            yield
            if beside is not None:
                beside.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await beside
            await finish_background(app)

    app.cleanup_ctx.append(opened)
    setup_routes(app)
    setup_admin(app)
    return app
