"""SQL persistence for the domain's ports: PostgreSQL (asyncpg, RLS) or SQLite (aiosqlite)."""

from adapters.db.engine import Database, UnsafeDatabaseRole
from adapters.db.messaging import (
    ChannelEndpoint,
    InboxMessage,
    LastInbound,
    OutboundRecord,
    SqlChannelEndpointRepository,
    SqlInboxRepository,
    SqlOutboundRepository,
)
from adapters.db.migrate import downgrade, downgrade_async, upgrade, upgrade_async
from adapters.db.outbox import OutboxMessage, SqlOutbox
from adapters.db.unit_of_work import SqlDirectoryUnitOfWork, SqlUnitOfWork
from adapters.db.urls import async_url, dialect_of

__all__ = [
    "ChannelEndpoint",
    "Database",
    "InboxMessage",
    "LastInbound",
    "OutboundRecord",
    "OutboxMessage",
    "SqlChannelEndpointRepository",
    "SqlDirectoryUnitOfWork",
    "SqlInboxRepository",
    "SqlOutboundRepository",
    "SqlOutbox",
    "SqlUnitOfWork",
    "UnsafeDatabaseRole",
    "async_url",
    "dialect_of",
    "downgrade",
    "downgrade_async",
    "upgrade",
    "upgrade_async",
]
