"""Messaging storage: channel endpoints (tenant routing) and outbound messages; the inbox is in inbox.py."""

from __future__ import annotations

import uuid
from collections.abc import Collection, Mapping
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
                media_url=message.media_url,
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

    async def add_fallback(self, message: OutboundRecord) -> bool:
        """Add the SMS sent in place of a failed message (`fallback_for` set); False when one is already
        there. The unique (tenant, fallback_for) index decides: on PostgreSQL a second worker's insert waits
        for the first one's transaction and is skipped once it commits, so one fallback goes out."""
        if message.fallback_for is None:
            raise ValueError("a fallback names the message it stands in for")
        self._check_tenant("outbound message", message.tenant_id)
        if message.created_at is None:
            message.created_at = self._db.now()
        values = {
            "id": message.id,
            "tenant_id": self.tenant_id,
            "inbox_id": message.inbox_id,
            "channel": message.channel,
            "recipient": message.recipient,
            "body": message.body,
            "provider": message.provider,
            "provider_message_id": message.provider_message_id,
            "status": message.status,
            "error": message.error,
            "created_at": message.created_at,
            "updated_at": message.updated_at,
            "outbox_id": message.outbox_id,
            "fallback_for": message.fallback_for,
        }
        return (
            rowcount(await self._db.execute(insert_or_skip(self._db.dialect, outbound_messages, values))) == 1
        )

    async def set_result(
        self,
        message_id: uuid.UUID,
        provider_message_id: str | None,
        status: DeliveryStatus,
        error: str | None,
        at: datetime | None = None,
    ) -> None:
        """What the provider answered a send recorded (queued) in this same transaction: its id, status and
        error, whether it took the message or not."""
        statement = (
            sa.update(outbound_messages)
            .where(self._mine(outbound_messages), outbound_messages.c.id == message_id)
            .values(
                provider_message_id=provider_message_id,
                status=status,
                error=error,
                updated_at=at or self._db.now(),
            )
        )
        if rowcount(await self._db.execute(statement)) == 0:
            raise LookupError(f"no outbound message {message_id} in tenant {self.tenant_id}")

    async def link_reply(
        self,
        inbox_id: uuid.UUID,
        provider: str,
        provider_message_id: str,
        status: str,
        error: str | None = None,
        at: datetime | None = None,
    ) -> bool:
        """A status for a reply sent in the webhook's response (TwiML), which had no provider id when it was
        recorded: the first status links its id to the oldest of the inbox message's replies still without
        one, later ones find it by that id. True when a message moved. Racing callbacks are safe: the link
        is one conditional UPDATE, and a callback that lost it finds the id the winner linked."""
        if status not in _MOVES_FROM:
            raise ValueError(f"unknown delivery status {status!r}")
        table = outbound_messages
        known = sa.select(table.c.id).where(
            self._mine(table),
            table.c.provider == provider,
            table.c.provider_message_id == provider_message_id,
        )
        unlinked = (
            sa.select(table.c.id)
            .where(
                self._mine(table),
                table.c.inbox_id == inbox_id,
                table.c.provider == provider,
                table.c.provider_message_id.is_(None),
            )
            .order_by(table.c.created_at, table.c.id)
            .limit(1)
        )
        for _ in range(3):
            if (await self._db.execute(known.limit(1))).first() is not None:
                return await self.update_status_by_provider_id(
                    provider, provider_message_id, status, error, at
                )
            target = (await self._db.execute(unlinked)).scalar_one_or_none()
            if target is None:
                return False  # not one of ours (or every reply of that message is linked already)
            link = (
                sa.update(table)
                .where(self._mine(table), table.c.id == target, table.c.provider_message_id.is_(None))
                .values(
                    provider_message_id=provider_message_id,
                    status=status,
                    error=error,
                    updated_at=at or self._db.now(),
                )
            )
            if rowcount(await self._db.execute(link)) == 1:
                return True
        return False

    async def failed_pushes(
        self,
        permanent: Mapping[str, Collection[str]],
        since: datetime,
        limit: int = 100,
        after: uuid.UUID | None = None,
    ) -> list[OutboundRecord]:
        """WhatsApp pushes (outbox_id set) that failed since `since` with an error `permanent` lists for
        their provider, and that no message stands in for yet (no row with fallback_for = their id); by id,
        only ids above `after` when given, so a pass can page through them."""
        table, fallback = outbound_messages, outbound_messages.alias("fallback")
        codes = [
            sa.and_(table.c.provider == provider, table.c.error.in_(sorted(errors)))
            for provider, errors in permanent.items()
            if errors
        ]
        if not codes:
            return []
        conditions = [
            self._mine(table),
            table.c.outbox_id.is_not(None),
            table.c.channel == "whatsapp",
            table.c.status.in_(("failed", "undelivered")),
            table.c.updated_at >= since,
            sa.or_(*codes),
            ~sa.exists().where(
                fallback.c.tenant_id == table.c.tenant_id, fallback.c.fallback_for == table.c.id
            ),
        ]
        if after is not None:
            conditions.append(table.c.id > after)
        query = sa.select(table).where(*conditions).order_by(table.c.id).limit(limit)
        return [_outbound_from_row(row) for row in (await self._db.execute(query)).mappings()]


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
        media_url=row["media_url"],
    )
