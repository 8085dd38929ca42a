"""Surviving a lost store: which errors mean "unavailable", a log-once outage, the 503 and 500 middleware."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable

from aiohttp import web
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError
from sqlalchemy import exc as sa

from bot.keys import METRICS, SETTINGS

__all__ = ["RETRY_AFTER_S", "WEBHOOK_OUTAGE", "Backoff", "Outage", "is_unavailable", "service_errors"]

log = logging.getLogger(__name__)

RETRY_AFTER_S = 5
"""Retry-After on a 503: a PostgreSQL restart takes a few seconds."""

# SQLSTATE classes that mean the server is gone or going, not that the statement was wrong: 08 connection
# exception, 57P0x operator intervention (shutdown, starting up), 53 insufficient resources.
_UNAVAILABLE_SQLSTATES = ("08", "57P", "53")

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


def is_unavailable(exc: BaseException) -> bool:
    """True when `exc` says a store (PostgreSQL, Redis) is unreachable, hung or restarting; False for a
    bug or a bad statement, which must stay a loud 500."""
    if isinstance(exc, (TimeoutError, OSError, RedisConnectionError, RedisTimeoutError, sa.TimeoutError)):
        return True
    if isinstance(exc, sa.DBAPIError):
        if exc.connection_invalidated or isinstance(exc, (sa.OperationalError, sa.InterfaceError)):
            return True
        state = str(getattr(exc.orig, "sqlstate", None) or getattr(exc.orig, "pgcode", None) or "")
        return state.startswith(_UNAVAILABLE_SQLSTATES)
    cause = exc.__cause__
    return cause is not None and cause is not exc and is_unavailable(cause)


class Outage:
    """Logs a store's loss once when it starts and once when it ends, however many attempts fail between."""

    def __init__(self, what: str, logger: logging.Logger = log) -> None:
        self.what = what
        self.down = False
        self._log = logger

    def failed(self, exc: BaseException) -> None:
        if not self.down:
            self.down = True
            self._log.warning("%s unavailable (%s): retrying until it is back", self.what, type(exc).__name__)

    def recovered(self) -> None:
        if self.down:
            self.down = False
            self._log.warning("%s available again", self.what)


class Backoff:
    """Exponential delays from `first` to `cap` seconds, reset by a success: bounded reconnect attempts."""

    def __init__(self, first: float = 0.5, cap: float = 15.0) -> None:
        self.first, self.cap = first, cap
        self.next = first

    def delay(self) -> float:
        current = self.next
        self.next = min(self.cap, self.next * 2)
        return current

    def reset(self) -> None:
        self.next = self.first


WEBHOOK_OUTAGE = web.AppKey("webhook_outage", Outage)
"""The webhooks' outage state (create_app sets it: a started app's state is frozen)."""


@web.middleware
async def service_errors(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Webhooks run under a deadline; a store that is down or hung answers 503 with Retry-After (the
    provider may retry; nothing is lost, the message was either stored or not); any other unhandled error
    is logged once and counted as errors_total{kind="http_500"}."""
    app = request.app
    outage = app[WEBHOOK_OUTAGE]
    deadline = app[SETTINGS].webhook_deadline_s if request.path.startswith("/webhooks/") else None
    try:
        response = await (handler(request) if deadline is None else _within(deadline, handler, request))
    except web.HTTPException:
        raise
    except Exception as exc:
        metrics = app.get(METRICS)
        if is_unavailable(exc):
            outage.failed(exc)
            if metrics is not None:
                metrics.errors.labels("unavailable").inc()
            return web.Response(
                status=503, text="temporarily unavailable", headers={"Retry-After": str(RETRY_AFTER_S)}
            )
        log.exception("unhandled error", extra={"path": request.path, "method": request.method})
        if metrics is not None:
            metrics.errors.labels("http_500").inc()
        return web.Response(status=500, text="internal error")
    if deadline is not None and response.status < 500:
        outage.recovered()
    return response


async def _within(deadline: float, handler: Handler, request: web.Request) -> web.StreamResponse:
    """The handler's response, or TimeoutError once `deadline` seconds have passed. Not asyncio.timeout:
    cancelled, SQLAlchemy shields its connection's close (a rollback), and against a hung server that
    close waits on the driver's own timeouts; here the answer goes out on time and the cancelled work
    finishes its clean-up in the background."""
    task = asyncio.ensure_future(handler(request))
    try:
        done, _ = await asyncio.wait({task}, timeout=deadline)
    except asyncio.CancelledError:
        task.cancel()
        raise
    if task in done:
        return task.result()
    task.cancel()
    task.add_done_callback(_reap)
    raise TimeoutError(f"webhook not done within {deadline} s")


def _reap(task: asyncio.Future[web.StreamResponse]) -> None:
    """Collect what a request cut off at its deadline ended with, so asyncio does not report it unread."""
    if not task.cancelled() and task.exception() is not None:
        log.debug("a webhook cut off at its deadline then failed: %r", task.exception())
