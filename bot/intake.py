"""A webhook's message taken in: processed, held for the worker or refused; answered in time or via the API.

Twilio takes its reply in the webhook's response (TwiML), but only within the deadline: a message still being
processed when the webhook must answer is not cut off. If it is stored, the webhook answers 200 with no reply
and the processing runs on, its reply sent through the provider's API (bot.lifecycle.InlineReply decides,
with no window where a reply recorded as done goes nowhere). If it is not even stored, the webhook answers 503
and the provider may retry: nothing of it was kept.
"""

from __future__ import annotations

import asyncio
import logging
import time

from aiohttp import web

from adapters.channels.base import Channel
from bot.admission import Admission
from bot.keys import AGENT, CACHE, CLOCK, DATABASE, META_CHANNEL, METRICS, SETTINGS, TWILIO_CHANNEL
from bot.lifecycle import InlineReply, Lifecycle, Receipt, Timing
from bot.outage import RETRY_AFTER_S
from domain.messages import InboundMessage
from domain.model import Tenant

__all__ = ["ADMISSION", "INLINE_SHARE", "LIFECYCLE_TIMING", "finish_background", "lifecycle", "take_in"]

log = logging.getLogger(__name__)

ADMISSION = web.AppKey("admission", Admission)
"""This process's count of webhook work in flight (create_app sets it)."""
BACKGROUND = web.AppKey("background", set[asyncio.Task[Receipt]])
"""Processing that outlived its webhook's response: kept referenced until done, awaited at shutdown."""
LIFECYCLE_TIMING = web.AppKey("lifecycle_timing", Timing)
"""Optional: the lease, heartbeat and backoff the webhooks' lifecycle uses (tests shorten them)."""

INLINE_SHARE = 0.75
"""The share of the webhook deadline spent waiting for an inline reply; the rest covers what comes before
(the body, the route) and after (the response) so the deadline's 503 never cuts a stored message."""
SHUTDOWN_GRACE_S = 10.0
"""How long a stopping process lets processing that outlived its response finish."""


def lifecycle(app: web.Application) -> Lifecycle:
    """The lifecycle over the app's resources (cheap: built per request, it holds no state of its own)."""
    channels: dict[str, Channel] = {"twilio": app[TWILIO_CHANNEL], "meta": app[META_CHANNEL]}
    return Lifecycle(
        unit_of_work=app[DATABASE].unit_of_work,
        agent=app.get(AGENT),
        clock=app[CLOCK],
        channels=channels,
        limiter=app[CACHE].rate_limiter,
        timing=app.get(LIFECYCLE_TIMING),
        metrics=app[METRICS],
    )


async def take_in(
    app: web.Application, tenant: Tenant, message: InboundMessage, *, inline: bool, started: float
) -> Receipt:
    """Store, process and record one message within the webhook's deadline (counted from `started`, a
    time.perf_counter() reading). `inline`: the reply may go in the response (Twilio). Raises 503 when the
    process is over its bound, or when the message could not even be stored in time."""
    admission = app[ADMISSION]
    decision = admission.decide()
    if decision == "refuse":
        app[METRICS].errors.labels("overloaded").inc()
        raise web.HTTPServiceUnavailable(text="overloaded", headers={"Retry-After": str(RETRY_AFTER_S)})
    admission.requests += 1
    try:
        if decision == "hold":
            return await lifecycle(app).receive(tenant, message, inline=False, hold=True)
        admission.processing += 1
        if not inline:
            # Meta: the reply goes through the API anyway; the deadline's 503 makes Meta send it again.
            try:
                return await lifecycle(app).receive(tenant, message, inline=False)
            finally:
                admission.processing -= 1
        box = InlineReply()
        work = asyncio.ensure_future(lifecycle(app).receive(tenant, message, inline=box))
        work.add_done_callback(lambda _: _processed(admission))
        budget = INLINE_SHARE * app[SETTINGS].webhook_deadline_s - (time.perf_counter() - started)
        try:
            done, _ = await asyncio.wait({work}, timeout=max(budget, 0.0))
        except asyncio.CancelledError:
            _let_go(app, work, box)
            raise
        if work in done:
            return work.result()
        if not box.abandon():
            return await work  # handed over already: it is returning the reply now
        if _let_go(app, work, box):
            log.info(
                "message still processing at the webhook's deadline: answered later through the API",
                extra={"tenant_id": str(tenant.id)},
            )
            return Receipt("held", None, None)
        raise TimeoutError(f"message not stored within {budget:.2f} s")
    finally:
        admission.requests -= 1


def _processed(admission: Admission) -> None:
    admission.processing -= 1


def _let_go(app: web.Application, work: asyncio.Task[Receipt], box: InlineReply) -> bool:
    """The webhook stops waiting. A stored message's processing runs on (True); one not stored is cancelled
    (False): the provider's retry, if any, brings it back."""
    box.abandon()
    if not box.stored:
        work.cancel()
        work.add_done_callback(_reap)
        return False
    background = app[BACKGROUND]
    background.add(work)
    work.add_done_callback(background.discard)
    work.add_done_callback(_reap)
    return True


def _reap(task: asyncio.Task[Receipt]) -> None:
    """Read what processing nobody waits for ended with (the lifecycle already logged and kept any failure:
    the message stays in the inbox for the worker), so asyncio does not report it unread."""
    if not task.cancelled() and task.exception() is not None:
        log.debug("processing past its webhook's response failed: %r", task.exception())


async def finish_background(app: web.Application) -> None:
    """At shutdown: let processing that outlived its response finish (bounded), before the stores close."""
    background = app[BACKGROUND]
    pending = set(background)
    if pending:
        log.info("waiting for %d messages still being processed", len(pending))
        await asyncio.wait(pending, timeout=SHUTDOWN_GRACE_S)
