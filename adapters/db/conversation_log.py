"""A user's conversation log: inbox rows and outbound messages merged in time order, for operators."""

from __future__ import annotations

import builtins
from typing import Any

import sqlalchemy as sa

from adapters.db.sql import TenantBound
from adapters.db.tables import inbox, outbound_messages, outbox
from domain.history import InboundEntry, LogEntry, LogFilter, LogKey, LogPage, OutboundEntry, log_key


class SqlConversationLog(TenantBound):
    """domain.history.ConversationLog: read-only, newest first, keyset-paged by (time, id).

    Each side is read with the same keyset and limit (one row more than asked) and the two are merged here:
    the newest `limit` entries of the union are among the newest `limit` of each side. Both sides use an
    index on (tenant, phone, time). Ids are random UUIDs, so they break ties between the two tables too.
    """

    async def list(self, flt: LogFilter, limit: int, after: LogKey | None = None) -> LogPage:
        if limit < 1:
            raise ValueError("limit must be at least 1")
        inbound = await self._inbound(flt, limit + 1, after)
        outbound = await self._outbound(flt, limit + 1, after)
        entries: builtins.list[LogEntry] = [*inbound, *outbound]
        merged = sorted(entries, key=_order, reverse=True)
        page = tuple(merged[:limit])
        return LogPage(page, log_key(page[-1]) if len(merged) > limit else None)

    async def _inbound(self, flt: LogFilter, limit: int, after: LogKey | None) -> tuple[InboundEntry, ...]:
        conditions: builtins.list[sa.ColumnElement[bool]] = [self._mine(inbox), inbox.c.sender == flt.phone]
        conditions += _window(inbox.c.received_at, inbox.c.id, flt, after)
        if flt.channel is not None:
            conditions.append(inbox.c.channel == flt.channel)
        query = (
            sa.select(inbox)
            .where(*conditions)
            .order_by(inbox.c.received_at.desc(), inbox.c.id.desc())
            .limit(limit)
        )
        return tuple(
            InboundEntry(
                id=row["id"],
                at=row["received_at"],
                channel=row["channel"],
                provider=row["provider"],
                text=row["text"],
                status=row["status"],
                attempts=row["attempts"],
                error=row["error"],
                reply_text=row["reply_text"],
                provider_message_id=row["provider_message_id"],
                attachments=tuple(a.content_type or "unknown" for a in row["media"]),
            )
            for row in (await self._db.execute(query)).mappings()
        )

    async def _outbound(self, flt: LogFilter, limit: int, after: LogKey | None) -> tuple[OutboundEntry, ...]:
        table = outbound_messages
        conditions: builtins.list[sa.ColumnElement[bool]] = [
            self._mine(table),
            table.c.recipient == flt.phone,
        ]
        conditions += _window(table.c.created_at, table.c.id, flt, after)
        if flt.channel is not None:
            conditions.append(table.c.channel == flt.channel)
        # A push names its alert by the outbox row's public id (event_id), not by the internal sequence.
        alert = sa.and_(outbox.c.tenant_id == table.c.tenant_id, outbox.c.id == table.c.outbox_id)
        query = (
            sa.select(table, outbox.c.event_id)
            .select_from(table.outerjoin(outbox, alert))
            .where(*conditions)
            .order_by(table.c.created_at.desc(), table.c.id.desc())
            .limit(limit)
        )
        return tuple(
            OutboundEntry(
                id=row["id"],
                at=row["created_at"],
                channel=row["channel"],
                provider=row["provider"],
                body=row["body"],
                status=row["status"],
                error=row["error"],
                updated_at=row["updated_at"],
                inbox_id=row["inbox_id"],
                alert_id=row["event_id"],
                provider_message_id=row["provider_message_id"],
                media_url=row["media_url"],
            )
            for row in (await self._db.execute(query)).mappings()
        )


def _window(
    at: sa.ColumnElement[Any], id_: sa.ColumnElement[Any], flt: LogFilter, after: LogKey | None
) -> list[sa.ColumnElement[bool]]:
    conditions: list[sa.ColumnElement[bool]] = []
    if flt.since is not None:
        conditions.append(at >= flt.since)
    if flt.until is not None:
        conditions.append(at < flt.until)
    if after is not None:
        # (at, id) < (after.at, after.id), spelled out: row values compare alike on both dialects this way,
        # and each side binds through its column's type (UTC timestamps, UUIDs as SQLite hex).
        conditions.append(sa.or_(at < after.at, sa.and_(at == after.at, id_ < after.id)))
    return conditions


def _order(entry: LogEntry) -> tuple[Any, str]:
    # UUIDs order as their hex text on both dialects (PostgreSQL compares uuid bytes, SQLite the hex
    # column), so sorting by .hex here agrees with the ORDER BY of each side.
    return (entry.at, entry.id.hex)
