"""The inbox of inbound messages: stored once, claimed with a token and a lease, settled by the claimant."""

from __future__ import annotations

import functools
import uuid
from dataclasses import fields
from datetime import datetime
from typing import Any

import sqlalchemy as sa

from adapters.db.sql import TENANT, TenantBound, add_or_skip, rowcount
from adapters.db.tables import inbox
from domain.errors import Conflict
from domain.messages import InboxMessage, LastInbound

_COLUMNS = tuple(f.name for f in fields(InboxMessage))


# Run before every message is stored (TenantBound._run): built once.
_HELD = (
    sa.select(inbox.c.id)
    .where(
        inbox.c.tenant_id == TENANT,
        inbox.c.sender == sa.bindparam("sender"),
        inbox.c.status == "pending",
        sa.or_(inbox.c.not_before.is_(None), inbox.c.not_before <= sa.bindparam("now")),
    )
    .limit(1)
)


class SqlInboxRepository(TenantBound):
    """domain.ports.InboxRepository: this tenant's inbound messages. Each write is committed by the caller's
    unit of work. Writes of a claimant name its claim token and return False when the claim is no longer
    theirs (taken over after the lease ran out, or settled): the caller must then neither answer nor send."""

    async def add_if_absent(self, message: InboxMessage) -> tuple[InboxMessage, bool]:
        """Store the message unless its provider_message_id is already there. Returns the stored row and
        whether this call created it; concurrent deliveries race on the unique key, one wins."""
        self._check_tenant("inbox message", message.tenant_id)
        values = {name: getattr(message, name) for name in _COLUMNS}
        values["tenant_id"] = self.tenant_id
        if await add_or_skip(self._db, inbox, values) == 1:
            return message, True
        existing = await self._one(inbox.c.provider_message_id == message.provider_message_id)
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

    async def claim(self, limit: int, now: datetime, lease_until: datetime, token: str) -> list[InboxMessage]:
        """Take up to `limit` messages to process, oldest first: pending ones that are due (no not_before,
        or not_before passed) and processing ones whose lease ran out (their processor is gone). They become
        "processing" under `token` until `lease_until`, attempts + 1; commit to make the claim visible. On
        PostgreSQL concurrent claimants skip each other's rows (FOR UPDATE SKIP LOCKED); SQLite's write
        lock serializes them."""
        query = (
            sa.select(inbox.c.id)
            .where(
                self._mine(inbox),
                sa.or_(
                    sa.and_(
                        inbox.c.status == "pending",
                        sa.or_(inbox.c.not_before.is_(None), inbox.c.not_before <= now),
                    ),
                    sa.and_(
                        inbox.c.status == "processing",
                        # No lease: a row claimed before leases existed (migration 0004) or by a test.
                        sa.or_(inbox.c.lease_until.is_(None), inbox.c.lease_until < now),
                    ),
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
            .values(
                status="processing",
                claimed_at=now,
                claim_token=token,
                lease_until=lease_until,
                attempts=inbox.c.attempts + 1,
            )
        )
        rows = await self._all(inbox.c.id.in_(ids))
        return sorted(rows, key=lambda m: (m.received_at, str(m.id)))

    async def renew(self, token: str, lease_until: datetime) -> int:
        statement = (
            sa.update(inbox)
            .where(self._mine(inbox), inbox.c.claim_token == token, inbox.c.status == "processing")
            .values(lease_until=lease_until)
        )
        return rowcount(await self._db.execute(statement))

    async def hold(self, message_id: uuid.UUID, token: str, lease_until: datetime) -> bool:
        # An UPDATE, not a SELECT: on PostgreSQL it also locks the row until the caller commits, so a
        # claimant taking over at this moment waits for (and then skips) the row.
        return await self._settle(message_id, token, lease_until=lease_until)

    async def mark_done(
        self, message_id: uuid.UUID, token: str, reply_text: str | None, at: datetime
    ) -> bool:
        return await self._settle(
            message_id, token, status="done", reply_text=reply_text, processed_at=at, **_RELEASED
        )

    async def retry_later(
        self, message_id: uuid.UUID, token: str, error: str, not_before: datetime, at: datetime
    ) -> bool:
        return await self._settle(
            message_id, token, status="pending", error=error, not_before=not_before, **_RELEASED
        )

    async def give_up(
        self, message_id: uuid.UUID, token: str, error: str, reply_text: str, at: datetime
    ) -> bool:
        return await self._settle(
            message_id,
            token,
            status="failed",
            error=error,
            reply_text=reply_text,
            processed_at=at,
            **_RELEASED,
        )

    async def defer(self, message_id: uuid.UUID, token: str, not_before: datetime, at: datetime) -> bool:
        return await self._settle(
            message_id,
            token,
            status="pending",
            not_before=not_before,
            deferred_at=at,
            attempts=inbox.c.attempts - 1,
            **_RELEASED,
        )

    async def drop(self, message_id: uuid.UUID, token: str, error: str, at: datetime) -> bool:
        return await self._settle(message_id, token, status="dropped", error=error, **_RELEASED)

    async def count_deferred(self, sender: str, since: datetime) -> int:
        query = sa.select(sa.func.count()).where(
            self._mine(inbox), inbox.c.sender == sender, inbox.c.deferred_at >= since
        )
        return int((await self._db.execute(query)).scalar_one())

    async def has_held(self, sender: str, now: datetime) -> bool:
        """Whether a message of `sender` waits for the worker now (pending and due: held, or a retry or a
        deferral whose time came); ix_inbox_pending_sender."""
        return (await self._run(_HELD, sender=sender, now=now)).first() is not None

    async def has_open(self, sender: str) -> bool:
        query = sa.select(inbox.c.id).where(
            self._mine(inbox), inbox.c.sender == sender, inbox.c.status.in_(("pending", "processing"))
        )
        return (await self._db.execute(query.limit(1))).first() is not None

    async def dropped_unsettled(self, limit: int) -> list[InboxMessage]:
        query = (
            sa.select(inbox)
            .where(self._mine(inbox), inbox.c.status == "dropped", inbox.c.processed_at.is_(None))
            .order_by(inbox.c.received_at, inbox.c.id)
            .limit(limit)
        )
        return [_message(row) for row in (await self._db.execute(query)).mappings()]

    async def dropped_notice_since(self, sender: str, since: datetime) -> bool:
        query = sa.select(inbox.c.id).where(
            self._mine(inbox),
            inbox.c.sender == sender,
            inbox.c.status == "dropped",
            inbox.c.reply_text.is_not(None),
            inbox.c.processed_at >= since,
        )
        return (await self._db.execute(query.limit(1))).first() is not None

    async def settle_dropped(self, message_ids: list[uuid.UUID], reply_text: str | None, at: datetime) -> int:
        statement = (
            sa.update(inbox)
            .where(
                self._mine(inbox),
                inbox.c.id.in_(message_ids),
                inbox.c.status == "dropped",
                inbox.c.processed_at.is_(None),
            )
            .values(reply_text=reply_text, processed_at=at)
        )
        return rowcount(await self._db.execute(statement))

    async def _settle(self, message_id: uuid.UUID, token: str, **values: Any) -> bool:
        """One UPDATE guarded by the claim: the row must still be processing under this token."""
        if any(isinstance(value, sa.ClauseElement) for value in values.values()):
            # A value computed in SQL (a deferral gives its attempt back): rare, built for the call.
            statement = _settling(frozenset()).values(**values)
            values = {}
        else:
            statement = _settling(frozenset(values))
        params = {f"new_{name}": value for name, value in values.items()}
        params.update(row_tenant=self.tenant_id, message_id=message_id, token=token)
        return rowcount(await self._db.execute(statement, params)) == 1

    async def _one(self, *conditions: sa.ColumnElement[bool]) -> InboxMessage | None:
        rows = await self._all(*conditions)
        return rows[0] if rows else None

    async def _all(self, *conditions: sa.ColumnElement[bool]) -> list[InboxMessage]:
        query = sa.select(inbox).where(self._mine(inbox), *conditions)
        return [_message(row) for row in (await self._db.execute(query)).mappings()]


@functools.cache
def _settling(columns: frozenset[str]) -> sa.Update:
    """_settle's UPDATE for one set of columns, built once: every message is settled with one of a few
    (done, retry, hold), and building it each time cost more CPU than running it."""
    return (
        sa.update(inbox)
        .where(
            # Not TENANT: an UPDATE reserves the column names ("tenant_id") for its SET clause.
            inbox.c.tenant_id == sa.bindparam("row_tenant"),
            inbox.c.id == sa.bindparam("message_id"),
            inbox.c.claim_token == sa.bindparam("token"),
            inbox.c.status == "processing",
        )
        .values({name: sa.bindparam(f"new_{name}") for name in sorted(columns)})
    )


def _message(row: Any) -> InboxMessage:
    return InboxMessage(**{name: row[name] for name in _COLUMNS})


_RELEASED: dict[str, Any] = {"claim_token": None, "lease_until": None}
"""A settled row belongs to nobody."""
