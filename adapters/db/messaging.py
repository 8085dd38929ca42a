"""Messaging storage: channel endpoints (tenant routing) and outbound messages; the inbox is in inbox.py."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

import sqlalchemy as sa

from adapters.db.connection import TenantConnection
from adapters.db.inbox import SqlInboxRepository
from adapters.db.sql import TenantBound, insert_or_skip, rowcount, write_directory
from adapters.db.tables import channel_endpoints, outbound_messages
from domain.errors import Conflict
from domain.messages import DeliveryStatus, InboxMessage, InboxStatus, LastInbound, OutboundRecord

__all__ = [
    "PROVIDERS",
    "ChannelEndpoint",
    "DeliveryStatus",
    "InboxMessage",
    "InboxStatus",
    "LastInbound",
    "OutboundRecord",
    "Provider",
    "SqlChannelEndpointRepository",
    "SqlInboxRepository",
    "SqlOutboundRepository",
]

Provider = Literal["twilio", "meta"]

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
        insert = insert_or_skip(self._db.dialect, channel_endpoints, values)
        written = await write_directory(
            self._db, "centavo_add_channel_endpoint", channel_endpoints, values, insert
        )
        if written == 0:
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


class SqlOutboundRepository(TenantBound):
    """domain.ports.OutboundRepository: this tenant's outbound messages and their delivery status."""

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
                outbox_id=message.outbox_id,
                fallback_for=message.fallback_for,
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
        outbox_id=row["outbox_id"],
        fallback_for=row["fallback_for"],
    )
