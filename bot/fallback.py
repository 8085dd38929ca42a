"""SMS in place of a WhatsApp push that failed for good: sent once per failed message, the failure kept.

Two ways a push fails for good: the send itself is refused (the dispatcher calls send_instead while it still
holds the push's outbox row), or the provider accepted it and a status callback later said failed or
undelivered with a code PERMANENT lists (the worker's run_pass finds those; the webhook only records the
status). Either way the WhatsApp row keeps its status and error code, the reason, and a new SMS row names it
in fallback_for. The unique (tenant, fallback_for) index makes it once: the SMS row is inserted before the
send, in the transaction that records the provider's answer, so a second worker's insert waits and is
skipped, and a crash before the commit leaves nothing, to be sent again (at least once, as every push).
Only pushes fall back: a chat reply answers a message the user just sent on WhatsApp.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Mapping
from datetime import datetime, timedelta

from adapters.channels import Channel, OutboundMessage, SendResult
from adapters.db import Database, OutboundRecord, SqlUnitOfWork
from bot.replies import fit
from domain.model import Tenant, User
from domain.quiet import held_until

__all__ = ["FALLBACK_WINDOW", "PERMANENT", "run_pass", "send_instead", "sms_sender"]

log = logging.getLogger(__name__)

# The error codes after which WhatsApp will not deliver this message to this person whatever we retry, so SMS
# is the way left. Twilio's from its error dictionary (https://www.twilio.com/docs/api/errors/<code>) and its
# table of the WhatsApp codes behind them (https://www.twilio.com/docs/whatsapp/api/error-code-mapping);
# Meta's from the Cloud API error codes (https://developers.facebook.com/docs/whatsapp/cloud-api/support/
# error-codes). Left out on purpose: what passes with time (rate limits 63018/131056, channel errors
# 63012/131000), and the user's own refusal (63014 blocked by user action, 131050 stopped marketing
# messages): someone who turned us away on WhatsApp is not chased onto SMS.
PERMANENT: Mapping[str, frozenset[str]] = {
    "twilio": frozenset(
        {
            "63016",  # outside the 24-hour window, free-form (WhatsApp 470): only a template would pass
            "63024",  # invalid message recipient (WhatsApp 1002, 1026: not a WhatsApp user, cannot receive)
            "63003",  # the channel could not find the To address (inactive or invalid; WhatsApp 1006, 1013)
            "63032",  # WhatsApp will not deliver to this user (472: their number is in an experiment)
        }
    ),
    "meta": frozenset(
        {
            "131047",  # re-engagement message: more than 24 hours since the user last wrote
            "131026",  # message undeliverable: not on WhatsApp, an old app, or terms not accepted
        }
    ),
}

FALLBACK_WINDOW = timedelta(hours=24)
"""How long after its failure a push still falls back: a budget alert a day late helps nobody, and the
bound keeps each pass's search short."""
BATCH = 100
"""Failed pushes read per query; a pass pages through all of them."""


def sms_sender(user: User, endpoints: Mapping[str, str]) -> str | None:
    """The number a fallback SMS goes from: the tenant's Twilio number (the first, as choose_route picks for
    someone who never wrote); None when there is none or the user opted out of SMS."""
    if user.opted_out.get("sms"):
        return None
    numbers = sorted(address for address, provider in endpoints.items() if provider == "twilio")
    return numbers[0] if numbers else None


async def send_instead(
    uow: SqlUnitOfWork,
    channels: Mapping[str, Channel],
    tenant: Tenant,
    failed: OutboundRecord,
    user: User,
    endpoints: Mapping[str, str],
    now: datetime,
) -> SendResult | None:
    """Send `failed`'s text by SMS and record it in `uow` (the caller commits): the SMS row, with the
    provider's answer, which is returned. None when the user has no SMS route, or another worker has sent
    it already."""
    sender = sms_sender(user, endpoints)
    channel = channels.get("twilio")
    if sender is None or channel is None:
        log.info("no SMS fallback: no SMS route", extra=_fields(tenant, failed))
        return None
    body = fit(failed.body, "sms")
    record = OutboundRecord(
        id=uuid.uuid4(),
        tenant_id=tenant.id,
        channel="sms",
        recipient=failed.recipient,
        body=body,
        provider="twilio",
        updated_at=now,
        outbox_id=failed.outbox_id,  # the alert's history shows both attempts
        fallback_for=failed.id,
    )
    if not await uow.outbound.add_fallback(record):
        return None
    message = OutboundMessage(
        tenant_id=tenant.id,
        channel="sms",
        to=failed.recipient,
        from_=sender,
        body=body,
        idempotency_key=f"fallback:{failed.id}",
    )
    try:
        result = await channel.send(message)
    except Exception as exc:
        log.exception("fallback channel raised", extra=_fields(tenant, failed))
        result = SendResult(None, "failed", type(exc).__name__, retryable=True)
    # Once means once: an SMS the provider refused is recorded failed, with its error, and not tried again.
    status = result.status if result.ok else "failed"
    await uow.outbound.set_result(record.id, result.provider_message_id, status, result.error, now)
    log.info(
        "push fell back to SMS",
        extra={**_fields(tenant, failed), "fallback_id": str(record.id), "ok": result.ok},
    )
    return result


async def run_pass(db: Database, channels: Mapping[str, Channel], tenant: Tenant, now: datetime) -> int:
    """The worker's pass over a tenant's pushes that failed for good after they were accepted: one SMS
    each (one unit of work each), unless the user has no SMS route or is in their quiet hours (tried again
    on a later pass, within FALLBACK_WINDOW). How many were sent."""
    sent, after = 0, None
    endpoints: dict[str, str] | None = None
    while True:
        async with db.unit_of_work(tenant.id) as uow:
            page = await uow.outbound.failed_pushes(PERMANENT, now - FALLBACK_WINDOW, BATCH, after)
        if not page:
            return sent
        if endpoints is None:
            # Only when something failed (most passes find nothing), and outside any unit of work: on SQLite
            # a second connection would wait for our own write lock.
            async with db.directory() as directory:
                endpoints = {e.address: e.provider for e in await directory.endpoints.list_for(tenant.id)}
        for failed in page:
            async with db.unit_of_work(tenant.id) as uow:
                user = await uow.users.get_by_phone(failed.recipient)
                if user is None or held_until(user, tenant, now) is not None:
                    continue
                if await send_instead(uow, channels, tenant, failed, user, endpoints, now) is None:
                    continue
                await uow.commit()
            sent += 1
        if len(page) < BATCH:
            return sent
        after = page[-1].id


def _fields(tenant: Tenant, failed: OutboundRecord) -> dict[str, str | None]:
    # Ids and the failure's code only: the text stays out of INFO logs.
    return {"tenant_id": str(tenant.id), "outbound_id": str(failed.id), "reason": failed.error}
