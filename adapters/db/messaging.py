"""Messaging storage: channel endpoints (tenant routing), the inbox of inbound messages, outbound messages."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal, NamedTuple

import sqlalchemy as sa

from adapters.db.connection import TenantConnection
from adapters.db.sql import TenantBound, insert_or_skip, rowcount
from adapters.db.tables import channel_endpoints, inbox, outbound_messages
from domain.errors import Conflict

Provider = Literal["twilio", "meta"]
InboxStatus = Literal["pending", "processing", "done", "failed"]
DeliveryStatus = Literal["queued", "sent", "delivered", "read", "failed", "undelivered"]

PROVIDERS: tuple[str, ...] = ("twilio", "meta")

# A status callback may move a message only forward: sent < delivered < read. failed/undelivered end a
# message that was not yet delivered; nothing moves a message out of read, failed or undelivered.
_MOVES_FROM: dict[str, tuple[str, ...]] = {
    "queued": (),
    "sent": ("queued",),
    "delivered": ("queued", "sent"),
    "read": ("queued", "sent", "delivered"),
    "failed": ("queued", "sent"),
    "undelivered": ("queued", "sent"),
}


@dataclass(slots=True)
class ChannelEndpoint:
    """A number (or Meta phone_number_id) of ours that messages are sent to, owned by one tenant."""

    id: uuid.UUID
    tenant_id: uuid.UUID
    provider: Provider
    """"twilio" or "meta"."""
    address: str
    """Twilio: the E.164 number (+5511...). Meta: the phone_number_id."""
    created_at: datetime | None = None


@dataclass(slots=True)
class InboxMessage:
    """One inbound message as received, and what became of it."""

    id: uuid.UUID
    tenant_id: uuid.UUID
    channel: str
    """"whatsapp", "sms" or "console" (domain.model.Channel values)."""
    provider_message_id: str
    """The provider's id (Twilio MessageSid, Meta wamid): with channel, the dedupe key."""
    sender: str
    """E.164."""
    recipient: str
    """The endpoint address it was sent to."""
    text: str
    received_at: datetime
    status: InboxStatus = "pending"
    attempts: int = 0
    """Processing attempts begun (claims)."""
    claimed_at: datetime | None = None
    """When the current processor took it; a stale claim is taken over by the worker."""
    reply_text: str | None = None
    """The reply produced, given again to a duplicate delivery."""
    processed_at: datetime | None = None
    error: str | None = None


@dataclass(slots=True)
class OutboundRecord:
    """One message we sent (or are sending), updated by the provider's status callbacks."""

    id: uuid.UUID
    tenant_id: uuid.UUID
    channel: str
    recipient: str
    body: str
    provider: str
    """"twilio", "meta" or "console"."""
    inbox_id: uuid.UUID | None = None
    """The inbound message this answers, if any."""
    provider_message_id: str | None = None
    status: DeliveryStatus = "queued"
    error: str | None = None
    created_at: datetime | None = None
    updated_at: datetime | None = None


class LastInbound(NamedTuple):
    """Where and when a sender last wrote to the tenant."""

    channel: str
    """"whatsapp", "sms" or "console"."""
    recipient: str
    """The endpoint address they wrote to."""
    received_at: datetime


class SqlChannelEndpointRepository:
    """The routing table, on the directory unit of work (no tenant is known when a webhook arrives)."""

    def __init__(self, db: TenantConnection) -> None:
        self._db = db

    async def add(self, endpoint: ChannelEndpoint) -> None:
        """Raise Conflict when the provider's address is already routed (to any tenant)."""
        if endpoint.provider not in PROVIDERS:
            raise ValueError(f"provider must be one of {PROVIDERS}, not {endpoint.provider!r}")
        if endpoint.created_at is None:
            endpoint.created_at = self._db.now()
        values = {
            "id": endpoint.id,
            "tenant_id": endpoint.tenant_id,
            "provider": endpoint.provider,
            "address": endpoint.address,
            "created_at": endpoint.created_at,
        }
        result = await self._db.execute(insert_or_skip(self._db.dialect, channel_endpoints, values))
        if rowcount(result) == 0:
            raise Conflict("address", f"{endpoint.provider} address {endpoint.address!r} is already routed")

    async def find(self, provider: str, address: str) -> uuid.UUID | None:
        """The tenant that owns this address, or None."""
        query = sa.select(channel_endpoints.c.tenant_id).where(
            channel_endpoints.c.provider == provider, channel_endpoints.c.address == address
        )
        return (await self._db.execute(query)).scalar_one_or_none()

    async def list_for(self, tenant_id: uuid.UUID) -> list[ChannelEndpoint]:
        query = (
            sa.select(channel_endpoints)
            .where(channel_endpoints.c.tenant_id == tenant_id)
            .order_by(channel_endpoints.c.provider, channel_endpoints.c.address)
        )
        return [
            ChannelEndpoint(
                id=row["id"],
                tenant_id=row["tenant_id"],
                provider=row["provider"],
                address=row["address"],
                created_at=row["created_at"],
            )
            for row in (await self._db.execute(query)).mappings()
        ]


class SqlInboxRepository(TenantBound):
    """This tenant's inbound messages. Each write is committed by the caller's unit of work."""

    async def add_if_absent(self, message: InboxMessage) -> tuple[InboxMessage, bool]:
        """Store the message unless (channel, provider_message_id) is already there. Returns the stored
        row and whether this call created it; concurrent deliveries race on the unique key, one wins."""
        self._check_tenant("inbox message", message.tenant_id)
        values = {
            "id": message.id,
            "tenant_id": self.tenant_id,
            "channel": message.channel,
            "provider_message_id": message.provider_message_id,
            "sender": message.sender,
            "recipient": message.recipient,
            "text": message.text,
            "received_at": message.received_at,
            "status": message.status,
            "attempts": message.attempts,
            "claimed_at": message.claimed_at,
            "reply_text": message.reply_text,
            "processed_at": message.processed_at,
            "error": message.error,
        }
        result = await self._db.execute(insert_or_skip(self._db.dialect, inbox, values))
        if rowcount(result) == 1:
            return message, True
        existing = await self._one(
            inbox.c.channel == message.channel,
            inbox.c.provider_message_id == message.provider_message_id,
        )
        if existing is None:  # the conflict was on the primary key: same id, another message
            raise Conflict("id", f"inbox id {message.id} is taken by another message")
        return existing, False

    async def get(self, message_id: uuid.UUID) -> InboxMessage | None:
        return await self._one(inbox.c.id == message_id)

    async def last_inbound(self, sender: str) -> LastInbound | None:
        """The channel, our address and the time of the newest message from `sender` (E.164), or None."""
        query = (
            sa.select(inbox.c.channel, inbox.c.recipient, inbox.c.received_at)
            .where(self._mine(inbox), inbox.c.sender == sender)
            .order_by(inbox.c.received_at.desc(), inbox.c.id.desc())
            .limit(1)
        )
        row = (await self._db.execute(query)).first()
        return None if row is None else LastInbound(row.channel, row.recipient, row.received_at)

    async def claim_pending(
        self, limit: int, older_than: datetime, at: datetime | None = None
    ) -> list[InboxMessage]:
        """Take up to `limit` messages to process, oldest first: pending ones, and processing ones claimed
        before `older_than` (their processor died). They become "processing", claimed `at` (default: the
        clock), attempts + 1; commit to make the claim visible. On PostgreSQL concurrent workers skip
        each other's rows (FOR UPDATE SKIP LOCKED); SQLite's write lock serializes them."""
        at = at or self._db.now()
        query = (
            sa.select(inbox.c.id)
            .where(
                self._mine(inbox),
                sa.or_(
                    inbox.c.status == "pending",
                    sa.and_(inbox.c.status == "processing", inbox.c.claimed_at < older_than),
                ),
            )
            .order_by(inbox.c.received_at, inbox.c.id)
            .limit(limit)
        )
        if self._db.dialect == "postgresql":
            query = query.with_for_update(skip_locked=True)
        ids = list((await self._db.execute(query)).scalars())
        if not ids:
            return []
        await self._db.execute(
            sa.update(inbox)
            .where(self._mine(inbox), inbox.c.id.in_(ids))
            .values(status="processing", claimed_at=at, attempts=inbox.c.attempts + 1)
        )
        rows = await self._all(inbox.c.id.in_(ids))
        return sorted(rows, key=lambda m: (m.received_at, str(m.id)))

    async def mark_done(self, message_id: uuid.UUID, reply_text: str | None, at: datetime) -> None:
        await self._update(message_id, status="done", reply_text=reply_text, processed_at=at, error=None)

    async def mark_failed(
        self, message_id: uuid.UUID, error: str, at: datetime, *, max_attempts: int = 5
    ) -> None:
        """Record the error. The message goes back to pending for the worker to retry, or, once it has
        been attempted max_attempts times, to failed for good."""
        status = sa.case((inbox.c.attempts >= max_attempts, "failed"), else_="pending")
        await self._update(message_id, status=status, error=error, processed_at=at, claimed_at=None)

    async def _update(self, message_id: uuid.UUID, **values: Any) -> None:
        statement = sa.update(inbox).where(self._mine(inbox), inbox.c.id == message_id).values(**values)
        if rowcount(await self._db.execute(statement)) == 0:
            raise LookupError(f"no inbox message {message_id} in tenant {self.tenant_id}")

    async def _one(self, *conditions: sa.ColumnElement[bool]) -> InboxMessage | None:
        rows = await self._all(*conditions)
        return rows[0] if rows else None

    async def _all(self, *conditions: sa.ColumnElement[bool]) -> list[InboxMessage]:
        query = sa.select(inbox).where(self._mine(inbox), *conditions)
        return [_inbox_from_row(row) for row in (await self._db.execute(query)).mappings()]


def _inbox_from_row(row: Any) -> InboxMessage:
    return InboxMessage(
        id=row["id"],
        tenant_id=row["tenant_id"],
        channel=row["channel"],
        provider_message_id=row["provider_message_id"],
        sender=row["sender"],
        recipient=row["recipient"],
        text=row["text"],
        received_at=row["received_at"],
        status=row["status"],
        attempts=row["attempts"],
        claimed_at=row["claimed_at"],
        reply_text=row["reply_text"],
        processed_at=row["processed_at"],
        error=row["error"],
    )


class SqlOutboundRepository(TenantBound):
    """This tenant's outbound messages and their delivery status."""

    async def add(self, message: OutboundRecord) -> None:
        self._check_tenant("outbound message", message.tenant_id)
        if message.created_at is None:
            message.created_at = self._db.now()
        await self._db.execute(
            sa.insert(outbound_messages).values(
                id=message.id,
                tenant_id=self.tenant_id,
                inbox_id=message.inbox_id,
                channel=message.channel,
                recipient=message.recipient,
                body=message.body,
                provider=message.provider,
                provider_message_id=message.provider_message_id,
                status=message.status,
                error=message.error,
                created_at=message.created_at,
                updated_at=message.updated_at,
            )
        )

    async def get(self, message_id: uuid.UUID) -> OutboundRecord | None:
        query = sa.select(outbound_messages).where(
            self._mine(outbound_messages), outbound_messages.c.id == message_id
        )
        row = (await self._db.execute(query)).mappings().first()
        return None if row is None else _outbound_from_row(row)

    async def set_provider_id(
        self,
        message_id: uuid.UUID,
        provider_message_id: str,
        status: DeliveryStatus = "sent",
        at: datetime | None = None,
    ) -> None:
        """After the provider accepted the message: its id, and the status it answered with (unless a
        status callback has already moved the message further)."""
        allowed = (*_MOVES_FROM[status], status)
        values: dict[str, Any] = {
            "provider_message_id": provider_message_id,
            "updated_at": at or self._db.now(),
            "status": sa.case(
                (outbound_messages.c.status.in_(allowed), status), else_=outbound_messages.c.status
            ),
        }
        statement = (
            sa.update(outbound_messages)
            .where(self._mine(outbound_messages), outbound_messages.c.id == message_id)
            .values(**values)
        )
        if rowcount(await self._db.execute(statement)) == 0:
            raise LookupError(f"no outbound message {message_id} in tenant {self.tenant_id}")

    async def update_status_by_provider_id(
        self,
        provider: str,
        provider_message_id: str,
        status: str,
        error: str | None = None,
        at: datetime | None = None,
    ) -> bool:
        """Apply a status callback. True when it moved the message; False when the message is unknown or
        the callback is stale (delivered after read) or repeated. One UPDATE, so racing callbacks are safe."""
        if status not in _MOVES_FROM:
            raise ValueError(f"unknown delivery status {status!r}")
        statement = (
            sa.update(outbound_messages)
            .where(
                self._mine(outbound_messages),
                outbound_messages.c.provider == provider,
                outbound_messages.c.provider_message_id == provider_message_id,
                outbound_messages.c.status.in_(_MOVES_FROM[status]),
            )
            .values(status=status, error=error, updated_at=at or self._db.now())
        )
        return rowcount(await self._db.execute(statement)) > 0


def _outbound_from_row(row: Any) -> OutboundRecord:
    return OutboundRecord(
        id=row["id"],
        tenant_id=row["tenant_id"],
        channel=row["channel"],
        recipient=row["recipient"],
        body=row["body"],
        provider=row["provider"],
        inbox_id=row["inbox_id"],
        provider_message_id=row["provider_message_id"],
        status=row["status"],
        error=row["error"],
        created_at=row["created_at"],
        updated_at=row["updated_at"],
    )
