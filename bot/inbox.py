"""Inbound message lifecycle shared by the webhooks and the worker: store once, answer, send, mark done."""

from __future__ import annotations

import logging
import uuid
from datetime import datetime

from adapters.cache import Cache
from adapters.channels import Channel, OutboundMessage
from adapters.channels.base import ChannelKind as ChannelKindName
from adapters.db import Database, InboxMessage, OutboundRecord
from bot.keys import AgentLike
from bot.replies import fit, replies
from domain.messages import InboundMessage
from domain.model import Channel as ChannelKind
from domain.model import Tenant

log = logging.getLogger(__name__)


async def store(
    db: Database, tenant_id: uuid.UUID, message: InboundMessage, now: datetime
) -> tuple[InboxMessage, bool]:
    """Write the message to the inbox in its own transaction; (row, created). The row is stored as claimed
    by this process ("processing", claimed now), so the worker only takes it over once the lease expires."""
    row = InboxMessage(
        id=uuid.uuid4(),
        tenant_id=tenant_id,
        channel=str(message.channel),
        provider_message_id=message.provider_message_id,
        sender=message.sender,
        recipient=message.recipient,
        text=message.text,
        received_at=message.received_at,
        status="processing",
        attempts=1,
        claimed_at=now,
    )
    async with db.unit_of_work(tenant_id) as uow:
        stored, created = await uow.inbox.add_if_absent(row)
        await uow.commit()
    return stored, created


def inbound_from_row(row: InboxMessage, provider: str) -> InboundMessage:
    """Rebuild the channel-neutral message from a stored inbox row (the worker's input)."""
    return InboundMessage(
        channel=ChannelKind(row.channel),
        provider="meta" if provider == "meta" else "twilio",
        sender=row.sender,
        recipient=row.recipient,
        text=row.text,
        provider_message_id=row.provider_message_id,
        received_at=row.received_at,
    )


async def throttle(
    db: Database, cache: Cache, tenant: Tenant, row: InboxMessage, message: InboundMessage, now: datetime
) -> tuple[bool, str | None]:
    """The per-sender rate limit (a burst of 20, then about one a second): (refused, reply). The first refused
    message of a streak gets a polite reply in the sender's language; the rest are stored, marked done and
    not processed. With Redis unreachable the limiter allows everything (it degrades, the service answers)."""
    decision = await cache.rate_limiter.check(tenant.id, message.sender, now)
    if decision.allowed:
        return False, None
    reply = None
    async with db.unit_of_work(tenant.id) as uow:
        if decision.first_refusal:
            user = await uow.users.get_by_phone(message.sender)
            lang, locale = (user.language, user.locale) if user else (tenant.language, tenant.locale)
            reply = fit(replies().render("rate_limited", str(lang), locale), str(message.channel))
        await uow.inbox.mark_done(row.id, reply, now)
        await uow.commit()
    log.info("rate limited", extra={"tenant_id": str(tenant.id), "message_id": str(row.id)})
    return True, reply


async def answer(
    db: Database, agent: AgentLike, tenant: Tenant, row: InboxMessage, message: InboundMessage, now: datetime
) -> str | None:
    """Run the agent; mark the row done with its reply, or failed (back to pending for a retry) on error."""
    try:
        reply = await agent.handle(tenant, message)
    except Exception as exc:
        log.exception("agent failed", extra={"tenant_id": str(tenant.id), "message_id": str(row.id)})
        async with db.unit_of_work(tenant.id) as uow:
            await uow.inbox.mark_failed(row.id, f"{type(exc).__name__}", now)
            await uow.commit()
        raise
    async with db.unit_of_work(tenant.id) as uow:
        await uow.inbox.mark_done(row.id, reply, now)
        await uow.commit()
    return reply


async def send_reply(
    db: Database,
    channel: Channel,
    provider: str,
    tenant: Tenant,
    row: InboxMessage,
    reply: str,
) -> bool:
    """Send `reply` to the row's sender through `channel`, recording it as an outbound message."""
    kind: ChannelKindName = "whatsapp" if row.channel == "whatsapp" else "sms"
    record = OutboundRecord(
        id=uuid.uuid4(),
        tenant_id=tenant.id,
        channel=kind,
        recipient=row.sender,
        body=reply,
        provider=provider,
        inbox_id=row.id,
    )
    async with db.unit_of_work(tenant.id) as uow:
        await uow.outbound.add(record)
        await uow.commit()
    result = await channel.send(
        OutboundMessage(
            tenant_id=tenant.id,
            channel=kind,
            to=row.sender,
            from_=row.recipient,
            body=reply,
            idempotency_key=f"reply:{row.id}",
        )
    )
    async with db.unit_of_work(tenant.id) as uow:
        if result.provider_message_id:
            status = "failed" if not result.ok else result.status
            await uow.outbound.set_provider_id(record.id, result.provider_message_id, status)
        await uow.commit()
    return result.ok
