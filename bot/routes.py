"""HTTP routes: provider webhooks, health and readiness probes, and Prometheus metrics."""

from __future__ import annotations

import asyncio
import logging
import time

from aiohttp import web
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

from bot.delivery import STATUS_PATH, record_resent, status_url, twiml
from bot.intake import LIFECYCLE_TIMING, take_in
from bot.keys import CACHE, CLOCK, DATABASE, METRICS, SETTINGS
from bot.lifecycle import Receipt
from bot.webhooks import StatusUpdate
from bot.webhooks import meta as meta_webhook
from bot.webhooks import twilio as twilio_webhook
from bot.webhooks.body import READ_DEADLINE_S, read_bounded
from domain.messages import InboundMessage
from domain.model import Tenant

log = logging.getLogger(__name__)

__all__ = ["LIFECYCLE_TIMING", "READ_DEADLINE", "setup_routes", "twiml"]

READY_TIMEOUT_S = 2.0

READ_DEADLINE = web.AppKey("read_deadline", float)
"""Optional: seconds a webhook body may take to arrive (bot/webhooks/body.py; tests shorten it)."""

# messages_in_total{outcome} for each lifecycle outcome; "answered" also counts as "stored" (below).
_OUTCOMES = {
    "duplicate": "duplicate",
    "deferred": "deferred",
    "dropped": "dropped",
    "retrying": "failed",
    "failed": "failed",
    "stale": "stale",
    "held": "held",
}


def setup_routes(app: web.Application) -> None:
    app.router.add_post("/webhooks/twilio", twilio_message)
    app.router.add_post(STATUS_PATH, twilio_status)
    app.router.add_get("/webhooks/meta", meta_handshake)
    app.router.add_post("/webhooks/meta", meta_notification)
    app.router.add_get("/healthz", healthz)
    app.router.add_get("/readyz", readyz)
    app.router.add_get("/metrics", metrics)
    app.router.add_get("/media/{token}.png", media)


async def media(request: web.Request) -> web.Response:
    """An image we sent (a chart), for the provider to fetch while it lasts: 404 for a token unknown,
    expired or malformed alike, so the answer tells nothing about which tokens exist."""
    cache = request.app.get(CACHE)
    stored = None if cache is None else await cache.media.get(request.match_info["token"])
    if stored is None:
        raise web.HTTPNotFound(text="no such image")
    # Private: each image is one person's spending; no proxy or browser keeps a copy.
    headers = {"Cache-Control": "private, no-store", "X-Content-Type-Options": "nosniff"}
    return web.Response(body=stored.body, content_type=stored.content_type, headers=headers)


async def twilio_message(request: web.Request) -> web.Response:
    app = request.app
    settings, db, clock, metrics = app[SETTINGS], app[DATABASE], app[CLOCK], app[METRICS]
    started = time.perf_counter()
    body = await _body(request, twilio_webhook.MAX_BODY_BYTES)
    message = twilio_webhook.verify_and_parse(
        request.path_qs,
        request.headers,
        body,
        public_base_url=settings.public_base_url,
        auth_token=settings.twilio_auth_token or "",
        received_at=clock.now(),
    )
    channel = str(message.channel)
    tenant = await db.route("twilio", message.recipient)
    if tenant is None:
        metrics.messages_in.labels(channel, "unrouted").inc()
        log.warning("twilio message for an unrouted number", extra={"recipient": message.recipient})
        raise web.HTTPNotFound(text="no tenant owns this number")
    receipt = await take_in(app, tenant, message, inline=True, started=started)
    count(app, tenant, message, receipt, started)
    metrics.handler_seconds.labels("twilio").observe(time.perf_counter() - started)
    if receipt.reply and receipt.outcome != "duplicate":
        metrics.messages_out.labels("twiml", "sent").inc()
    # A deferred or failed message gets an empty TwiML now (no retry storm from Twilio) and its answer
    # later through the REST API. A reply is recorded (the lifecycle did, or here for a redelivery answered
    # again) and its <Message action> names the inbox row, so its statuses find it (bot/delivery.py).
    if receipt.reply and receipt.row_id is not None:
        if receipt.outcome == "duplicate":
            await record_resent(db, tenant, message, receipt.row_id, receipt.reply)
        action = status_url(settings.public_base_url, receipt.row_id)
        return twiml(receipt.reply, action=action, media_url=receipt.media_url)
    return twiml(receipt.reply)


def count(
    app: web.Application, tenant: Tenant, message: InboundMessage, receipt: Receipt, started: float
) -> None:
    """messages_in_total: stored (every new message), then what became of it this time round; and one log
    line per message an operator can search: tenant, ids, outcome, milliseconds (never the text)."""
    metrics, channel = app[METRICS], str(message.channel)
    if receipt.outcome != "duplicate":
        metrics.messages_in.labels(channel, "stored").inc()
    outcome = _OUTCOMES.get(receipt.outcome)
    if outcome is not None:
        metrics.messages_in.labels(channel, outcome).inc()
    log.info(
        "message %s",
        receipt.outcome,
        extra={
            "tenant_id": str(tenant.id),
            "message_id": str(receipt.row_id) if receipt.row_id else None,
            "provider": message.provider,
            "provider_message_id": message.provider_message_id,
            "outcome": receipt.outcome,
            "ms": round((time.perf_counter() - started) * 1000, 1),
        },
    )


async def twilio_status(request: web.Request) -> web.Response:
    app = request.app
    settings = app[SETTINGS]
    body = await _body(request, twilio_webhook.MAX_BODY_BYTES)
    update = twilio_webhook.verify_and_parse_status(
        request.path_qs,
        request.headers,
        body,
        public_base_url=settings.public_base_url,
        auth_token=settings.twilio_auth_token or "",
    )
    # 2xx even when nothing moved: Twilio retries anything else, and a status it reports twice is harmless.
    await _apply_status(app, update)
    if update.reply_to is not None:
        # A <Message action> URL: an empty TwiML, in case Twilio reads the answer as the session's next step.
        return twiml(None)
    return web.Response(status=204)


async def _body(request: web.Request, limit: int) -> bytes:
    # The read must end well inside the webhook's deadline (bot/outage.py): a sender that trickles its body
    # is answered 408 (its fault) before the deadline would answer 503 ("a store is unavailable").
    inside = 0.75 * request.app[SETTINGS].webhook_deadline_s
    return await read_bounded(request, limit, min(request.app.get(READ_DEADLINE, READ_DEADLINE_S), inside))


async def _apply_status(
    app: web.Application, update: StatusUpdate, owners: dict[str, Tenant | None] | None = None
) -> bool:
    """Apply a status in the tenant that owns our number, one lookup and one transaction.

    Every status names our side (Twilio's "From", Meta's phone_number_id), and we only send from routed
    numbers; a status for a number nobody routes is not ours (another system on the same account, or a
    number since removed) and is skipped with a log line. Trying every tenant, as before, cost one
    transaction per tenant per status: 15,000 statuses took 65 s with three tenants. `owners` remembers the
    lookups of one Meta batch, whose statuses share a phone_number_id."""
    db, metrics = app[DATABASE], app[METRICS]
    owners = {} if owners is None else owners
    address = update.business_address
    if address and address not in owners:
        owners[address] = await db.route(update.provider, address)
    owner = owners.get(address) if address else None
    if owner is None:
        metrics.errors.labels("status_unrouted").inc()
        log.info(
            "%s status for an unrouted number skipped",
            update.provider,
            extra={
                "provider_message_id": update.provider_message_id,
                "business_address": update.business_address,
            },
        )
        return False
    async with db.unit_of_work(owner.id) as uow:
        if update.reply_to is not None:
            # A reply that went in a webhook's response: the first status links its id (bot/delivery.py).
            moved = await uow.outbound.link_reply(
                update.reply_to, update.provider, update.provider_message_id, update.status, update.error_code
            )
        else:
            moved = await uow.outbound.update_status_by_provider_id(
                update.provider, update.provider_message_id, update.status, update.error_code
            )
        await uow.commit()
    return moved


async def meta_handshake(request: web.Request) -> web.Response:
    challenge = meta_webhook.verify_handshake(request.query, request.app[SETTINGS].meta_verify_token or "")
    return web.Response(text=challenge)


async def meta_notification(request: web.Request) -> web.Response:
    app = request.app
    settings, clock, metrics = app[SETTINGS], app[CLOCK], app[METRICS]
    started = time.perf_counter()
    body = await _body(request, meta_webhook.MAX_BODY_BYTES)

    def skipped(reason: str) -> None:
        metrics.errors.labels("meta_item_skipped").inc()
        log.warning("meta item skipped: %s", reason)

    messages, statuses = meta_webhook.verify_and_parse(
        request.headers,
        body,
        app_secret=settings.meta_app_secret or "",
        received_at=clock.now(),
        on_skip=skipped,
    )
    for message in messages:
        await _meta_message(request.app, message)
    owners: dict[str, Tenant | None] = {}
    for update in statuses:
        await _apply_status(app, update, owners)
    metrics.handler_seconds.labels("meta").observe(time.perf_counter() - started)
    # Always 200 once verified: Meta retries whole batches on anything else.
    return web.Response(text="ok")


async def _meta_message(app: web.Application, message: InboundMessage) -> None:
    db, metrics = app[DATABASE], app[METRICS]
    channel = str(message.channel)
    tenant = await db.route("meta", message.recipient)
    if tenant is None:
        metrics.messages_in.labels(channel, "unrouted").inc()
        log.warning("meta message for an unrouted phone_number_id", extra={"recipient": message.recipient})
        return
    # Meta has no synchronous reply: the answer goes out through the Graph API.
    started = time.perf_counter()
    receipt = await take_in(app, tenant, message, inline=False, started=started)
    count(app, tenant, message, receipt, started)


async def healthz(request: web.Request) -> web.Response:
    return web.Response(text="ok")


async def readyz(request: web.Request) -> web.Response:
    app = request.app
    failed = []
    try:
        await asyncio.wait_for(app[DATABASE].ping(), READY_TIMEOUT_S)
    except Exception:
        failed.append("database")
    try:
        cache_ok = await asyncio.wait_for(app[CACHE].ping(), READY_TIMEOUT_S)
    except Exception:
        cache_ok = False
    if not cache_ok:
        failed.append("cache")
    if failed:
        return web.Response(status=503, text="unavailable: " + ", ".join(failed))
    return web.Response(text="ready")


async def metrics(request: web.Request) -> web.Response:
    payload = generate_latest(request.app[METRICS].registry)
    return web.Response(body=payload, headers={"Content-Type": CONTENT_TYPE_LATEST})
